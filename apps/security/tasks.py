"""Celery tasks: retraining the model, flushing the audit spool, purging old audit rows.

The two periodic ones are scheduled by the data migration ``0002_beat_schedules``
(django-celery-beat's DatabaseScheduler, editable in admin).
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="security.retrain_model", acks_late=True)
def retrain_model(*, activate: bool = True, requested_by: str = "") -> dict:
    from apps.security.services import injection_model_retrain

    row = injection_model_retrain(activate=activate, created_by=requested_by)
    logger.info("security model %s trained (active=%s)", row.version, row.is_active)
    return {"version": row.version, "active": row.is_active, "metrics": row.metrics}


@shared_task(name="security.flush_audit_spool", acks_late=True)
def flush_audit_spool() -> int:
    from apps.security.services import audit_spool_flush

    flushed = audit_spool_flush()
    if flushed:
        logger.info("audit spool: %d blocked-request records written", flushed)
    return flushed


@shared_task(name="security.purge_audit", acks_late=True)
def purge_audit() -> int:
    from apps.security.services import audit_purge

    deleted = audit_purge()
    logger.info("audit retention: %d blocked-request records deleted", deleted)
    return deleted
