"""Getting jobs to a worker: the transactional outbox, its relay, and the reaper.

- :func:`job_dispatch_create` writes a job's dispatch record in the job's own transaction and
  publishes it right after the commit (the fast path). A publish that fails (broker down) is
  not an error for the client: the record stays pending.
- :func:`job_dispatches_relay` (a periodic task, ``JOB_RELAY_INTERVAL_SECONDS``) publishes
  pending records, retrying each with exponential backoff, and marks them dispatched.
- :func:`jobs_reap` (a periodic task, ``JOB_REAPER_INTERVAL_SECONDS``) re-queues ``running``
  jobs whose heartbeat is older than ``JOB_STALE_AFTER_SECONDS`` (their worker died; after a
  database outage it first waits one such window, see ``JobReaperState``) and
  re-dispatches ``queued`` jobs whose message was lost (published, never claimed within
  ``JOB_REDISPATCH_AFTER_SECONDS``, e.g. a broker restarted without persistence). A job whose
  worker died ``JOB_MAX_ATTEMPTS`` times fails with ``worker_lost`` instead of looping.

A job may therefore be delivered more than once; the claim in ``jobs.job_execute`` makes sure
it runs once at a time, and ``job_steps`` that its upstream calls are not repeated.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone

from apps.core.logging import log_throttled
from apps.flows import metrics
from apps.flows.models import Job, JobDispatch, JobReaperState

logger = logging.getLogger(__name__)


def job_dispatch_create(*, job: Job) -> JobDispatch:
    """The job's dispatch record, in the caller's transaction; published once it commits."""
    dispatch = JobDispatch.objects.create(job=job, next_attempt_at=timezone.now())
    job_id = str(job.pk)
    transaction.on_commit(lambda: _publish_soon(job_id))
    return dispatch


def _publish_soon(job_id: str) -> None:
    """The fast path, run right after the commit (in the client's request): never raises —
    the job is committed, and whatever fails here the periodic relay publishes it later."""
    try:
        job_dispatches_relay(job_id=job_id)
    except Exception as exc:  # e.g. the database went away between the commit and now
        log_throttled(
            logger,
            logging.WARNING,
            "job %s left to the relay: %s",
            job_id,
            type(exc).__name__,
            key="job-fast-path-failed",
        )


def _backoff(attempts: int) -> timedelta:
    seconds = min(settings.JOB_DISPATCH_BACKOFF_MAX_SECONDS, 0.5 * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=seconds)


def _publish(job_id: str) -> None:
    from apps.flows.tasks import run_job

    # No publish retries here: a broker that is down must not hold the request; the outbox
    # retries instead.
    run_job.apply_async((job_id,), retry=False)


def job_dispatches_relay(*, job_id: str | None = None, limit: int = 500) -> int:
    """Publish pending dispatch records (one job's, or all that are due); how many went out.

    Each record is taken with a conditional UPDATE (so two relays never publish the same one)
    and published outside any transaction; a failed publish puts it back with a backoff.
    Never raises for a broker fault: the on-commit fast path runs in the client's request.
    """
    now = timezone.now()
    pending = JobDispatch.objects.filter(dispatched_at__isnull=True)
    if job_id is not None:
        pending = pending.filter(job_id=job_id)
    else:
        pending = pending.filter(next_attempt_at__lte=now)
    published = 0
    for pk, dispatch_job_id, attempts in pending.order_by("next_attempt_at").values_list(
        "pk", "job_id", "attempts"
    )[:limit]:
        taken = JobDispatch.objects.filter(pk=pk, dispatched_at__isnull=True).update(
            dispatched_at=timezone.now()
        )
        if not taken:
            continue
        try:
            _publish(str(dispatch_job_id))
        except Exception as exc:  # the broker's errors vary by transport
            JobDispatch.objects.filter(pk=pk).update(
                dispatched_at=None,
                attempts=F("attempts") + 1,
                next_attempt_at=timezone.now() + _backoff(attempts + 1),
                last_error=f"{type(exc).__name__}: {exc}"[:300],
            )
            metrics.JOB_DISPATCHES.labels(outcome="failed").inc()
            log_throttled(
                logger,
                logging.WARNING,
                "job %s not published yet (broker unavailable: %s); the outbox retries",
                dispatch_job_id,
                type(exc).__name__,
                key="job-dispatch-failed",
            )
            break  # the broker is down: the others would fail the same way
        published += 1
        metrics.JOB_DISPATCHES.labels(outcome="published").inc()
    return published


@transaction.atomic
def _requeue(job_ids: list, *, reason: str) -> int:
    """Put jobs back to ``queued`` with a new dispatch record, in one transaction."""
    now = timezone.now()
    for job_id in job_ids:
        JobDispatch.objects.create(
            job_id=job_id, next_attempt_at=now, last_error=f"re-dispatched: {reason}"
        )
        transaction.on_commit(functools.partial(_publish_soon, str(job_id)))
    return len(job_ids)


@transaction.atomic
def _reaper_has_been_watching(now) -> bool:
    """Whether heartbeats have been writable for a whole staleness window (see
    ``JobReaperState``); records this run either way."""
    window = timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    state = JobReaperState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        JobReaperState.objects.create(pk=1, last_run_at=now, watching_since=now)
        return False
    if now - state.last_run_at > window:
        state.watching_since = now  # a gap: heartbeats may have been impossible to write
    state.last_run_at = now
    state.save(update_fields=["last_run_at", "watching_since"])
    return now - state.watching_since >= window


def jobs_reap() -> dict[str, int]:
    """Re-queue the jobs of dead workers and re-dispatch lost messages; the counts."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    if not _reaper_has_been_watching(now):
        logger.info("job reaper: heartbeats were not observable lately; re-queueing waits")
        return {"requeued": 0, "failed": 0, "redispatched": 0}
    running = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=stale)

    # Too many dead workers on one job (a job that kills its worker): fail it, don't loop.
    gave_up = running.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS).update(
        status=Job.Status.FAILED,
        finished_at=now,
        error_status=500,
        error={
            "code": "worker_lost",
            "message": "The job's worker stopped while running it, too many times.",
            "request_id": "",
        },
    )

    # A conditional UPDATE per job: a heartbeat that arrives meanwhile keeps the job running.
    requeued = []
    for job_id in running.filter(attempts__lt=settings.JOB_MAX_ATTEMPTS).values_list(
        "pk", flat=True
    ):
        if Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, heartbeat_at__lt=stale).update(
            status=Job.Status.QUEUED, heartbeat_at=None
        ):
            requeued.append(job_id)
    _requeue(requeued, reason="worker lost")

    # Published long ago, never claimed: the message was lost (broker restarted empty).
    lost_before = now - timedelta(seconds=settings.JOB_REDISPATCH_AFTER_SECONDS)
    pending = JobDispatch.objects.filter(job=OuterRef("pk"), dispatched_at__isnull=True)
    lost = list(
        Job.objects.filter(status=Job.Status.QUEUED)
        .annotate(last_dispatch=Max("dispatches__dispatched_at"))
        .filter(last_dispatch__lt=lost_before)
        .exclude(Exists(pending))
        .values_list("pk", flat=True)[:500]
    )
    _requeue(lost, reason="message lost")

    if requeued or gave_up or lost:
        logger.warning(
            "job reaper: %d re-queued (worker lost), %d failed (worker_lost), "
            "%d re-dispatched (message lost)",
            len(requeued),
            gave_up,
            len(lost),
        )
    metrics.JOBS_REAPED.labels(action="requeued").inc(len(requeued))
    metrics.JOBS_REAPED.labels(action="failed").inc(gave_up)
    metrics.JOBS_REAPED.labels(action="redispatched").inc(len(lost))
    return {"requeued": len(requeued), "failed": gave_up, "redispatched": len(lost)}


@transaction.atomic
def job_dispatches_purge() -> int:
    """Delete dispatch records of finished jobs older than ``JOB_DISPATCH_RETENTION_DAYS``."""
    before = timezone.now() - timedelta(days=settings.JOB_DISPATCH_RETENTION_DAYS)
    return JobDispatch.objects.filter(
        dispatched_at__lt=before,
        job__status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED],
    ).delete()[0]
