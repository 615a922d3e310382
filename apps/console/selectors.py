"""The dashboard's data: every figure comes from an aggregate query over a small rollup table,
so the page costs the same with a million audit rows as with ten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from apps.providers.models import BreakerEvent, Provider
from apps.providers.runtime import breaker_for
from apps.providers.selectors import call_stats_since
from apps.security.blockstats import block_stats_since


@dataclass(frozen=True)
class Dashboard:
    breakers: list[dict[str, Any]]
    blocks_chart: dict[str, Any]  # Chart.js data: labels (hours) and one dataset per category
    blocks_total: int
    top_rules: list[dict[str, Any]]
    top_tenants: list[dict[str, Any]]
    providers: list[dict[str, Any]]  # calls, error rate and p95 latency per provider, last hour


def dashboard() -> Dashboard:
    now = timezone.now()
    blocks = block_stats_since(now - timedelta(hours=24), now=now)
    return Dashboard(
        breakers=breaker_overview(),
        blocks_chart=blocks.chart,
        blocks_total=blocks.total,
        top_rules=blocks.top_rules,
        top_tenants=blocks.top_tenants,
        providers=call_stats_since(now - timedelta(hours=1)),
    )


def breaker_overview() -> list[dict]:
    """Every provider with its live breaker state (shared store) and last transition."""
    last_event = BreakerEvent.objects.filter(provider=OuterRef("pk")).order_by("-at", "-id")
    providers = list(
        Provider.objects.order_by("name").annotate(
            last_event_id=Subquery(last_event.values("id")[:1])
        )
    )
    events = BreakerEvent.objects.in_bulk([p.last_event_id for p in providers if p.last_event_id])
    overview = []
    for provider in providers:
        snapshot = breaker_for(provider.name).snapshot()
        state = getattr(snapshot.state, "value", str(snapshot.state))
        overview.append(
            {
                "name": provider.name,
                "enabled": provider.enabled,
                "state": state,
                "state_label": state.replace("_", " "),
                "calls_in_window": snapshot.calls_in_window,
                "failures_in_window": snapshot.failures_in_window,
                "last_event": events.get(provider.last_event_id),
                "admin_url": reverse("admin:providers_provider_change", args=[provider.pk]),
            }
        )
    return overview
