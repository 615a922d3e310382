"""Periodic housekeeping of the providers app (schedule it with django-celery-beat)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from apps.providers.models import BreakerEvent

BREAKER_EVENT_RETENTION_DAYS = 90


@shared_task(name="providers.prune_breaker_events")
def prune_breaker_events(days: int = BREAKER_EVENT_RETENTION_DAYS) -> int:
    """Delete breaker events older than ``days``; returns how many were deleted."""
    cutoff = timezone.now() - timedelta(days=max(1, int(days)))
    deleted, _ = BreakerEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
