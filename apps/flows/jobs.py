"""Async jobs shared by flows and agents, and Idempotency-Key handling for POSTs.

A job is a row (tenant-scoped) plus a Celery task ``flows.run_job`` that runs the registered
runner for its kind. Without a broker (the embedded default) Celery runs the task in-process.
Delivery is at-least-once (an outbox, ``acks_late``, a reaper for jobs of dead workers); running
is exactly-once per claim (a conditional UPDATE) and upstream calls are not repeated
(``job_steps``). See ``apps.flows.job_dispatch``.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import F
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.core.exceptions import ApiError, api_error_body
from apps.core.logging import log_throttled
from apps.core.request_context import get_request_id, reset_request_id, set_request_id
from apps.flows import metrics
from apps.flows.exceptions import (
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidIdempotencyKey,
    UnknownJobKind,
)
from apps.flows.job_steps import (
    JobClaimLost,
    JobRun,
    running_job,
    write_while_database_recovers,
)
from apps.flows.models import IdempotencyRecord, Job
from apps.tenants.authentication import principal_of
from apps.tenants.models import Tenant

if TYPE_CHECKING:
    from apps.core.principal import GuardContext

logger = logging.getLogger(__name__)

JobRunner = Callable[[dict, "GuardContext"], dict]
_runners: dict[str, JobRunner] = {}

IDEMPOTENCY_TTL = timedelta(hours=24)
# How long a duplicate waits for the first request with its key before answering 409.
IDEMPOTENCY_WAIT_SECONDS = 30.0


def register_job_runner(kind: str, runner: JobRunner) -> None:
    """Make ``kind`` runnable as a job; ``runner(payload, ctx)`` returns the result body."""
    _runners[kind] = runner


def wants_async(request: Request, payload: dict) -> bool:
    """``"async": true`` in the body or ``Prefer: respond-async``."""
    if isinstance(payload, dict) and payload.get("async") is True:
        return True
    prefer = request.headers.get("Prefer", "")
    return any(part.strip().lower() == "respond-async" for part in prefer.split(","))


def _context_to_json(ctx: GuardContext) -> dict[str, Any]:
    data = {}
    for field in dataclasses.fields(ctx):
        if field.name == "tenant":
            continue
        value = getattr(ctx, field.name)
        if value is None or isinstance(value, str | int | float | bool):
            data[field.name] = value
    return data


def _context_from_job(job: Job) -> GuardContext:
    from apps.core.principal import GuardContext

    names = {f.name for f in dataclasses.fields(GuardContext)}
    stored = {k: v for k, v in (job.context or {}).items() if k in names}
    return GuardContext(tenant=job.tenant, **stored)


@transaction.atomic
def job_enqueue(*, kind: str, payload: dict, ctx: GuardContext) -> Job:
    """Queue a job: the row and its dispatch record (the outbox) commit together, and the
    dispatch is published right after the commit. If the broker is down then, the job is still
    accepted: the relay publishes it once the broker is back (see ``apps.flows.job_dispatch``)."""
    from apps.flows.job_dispatch import job_dispatch_create

    if kind not in _runners:
        raise UnknownJobKind(f"No runner for job kind {kind!r}.")
    job = Job(
        tenant=ctx.tenant,
        api_key_id=getattr(ctx, "api_key_id", None),
        kind=kind,
        payload=payload,
        context=_context_to_json(ctx),
        request_id=getattr(ctx, "request_id", "") or get_request_id(),
    )
    job.full_clean()
    job.save()
    job_dispatch_create(job=job)
    return job


def job_accepted_response(
    request: Request, *, kind: str, payload: dict, ctx: GuardContext
) -> Response:
    """Queue a job and answer 202 with its body, its URL in ``Location``."""
    job = job_enqueue(kind=kind, payload=payload, ctx=ctx)
    # An in-process (eager) run may have finished already. If the database fails now, the job
    # is committed all the same: the client must get its id, not a 503 it would retry.
    with suppress(DatabaseError):
        job.refresh_from_db()
    url = reverse("flows-job", args=[job.id], request=request)
    return Response(job_body(job, url=url), status=202, headers={"Location": url})


def _claim(job_id: str) -> Job | None:
    """Take a queued job for this worker: one conditional UPDATE, so of two deliveries of the
    same job exactly one runs it. ``attempts`` is the claim's fencing token: every later write
    of this run requires it, so a worker that lost the job (re-queued by the reaper while it
    was stalled) cannot overwrite the run that replaced it."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None  # already run, running elsewhere, or gone
    return Job.objects.select_related("tenant").get(pk=job_id)


class _Heartbeat(threading.Thread):
    """Writes ``heartbeat_at`` every ``JOB_HEARTBEAT_SECONDS`` while the job runs; a job whose
    heartbeat stops (its worker died) is re-queued by the reaper."""

    def __init__(self, job: Job) -> None:
        super().__init__(name=f"job-heartbeat-{job.pk}", daemon=True)
        self.job_id, self.attempt = job.pk, job.attempts
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(
                        pk=self.job_id, status=Job.Status.RUNNING, attempts=self.attempt
                    ).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:  # an outage: the next beat tries again
                    log_throttled(
                        logger,
                        logging.WARNING,
                        "job heartbeat not written (database unavailable): %s",
                        type(exc).__name__,
                        key="job-heartbeat-failed",
                    )
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def job_execute(*, job_id: str, heartbeat: bool = True) -> Job | None:
    """Run a queued job once and store its result or its error (in the common error shape).

    Upstream results are stored on the job as they arrive (``job_steps``), so a job run again
    after its worker died reuses them instead of calling the upstream a second time.
    """
    job = _claim(job_id)
    if job is None:
        return None
    beat = _Heartbeat(job) if heartbeat else None
    if beat is not None:
        beat.start()
    token = set_request_id(job.request_id or get_request_id())
    run = JobRun(job_id=str(job.pk), attempt=job.attempts, checkpoints=dict(job.checkpoints or {}))
    try:
        with running_job(run):
            runner = _runners.get(job.kind)
            if runner is None:
                raise UnknownJobKind(f"No runner for job kind {job.kind!r}.")
            result = runner(job.payload, _context_from_job(job))
    except JobClaimLost:
        logger.warning("job %s: claim lost to a newer attempt; this run stops", job.pk)
        return None
    except (OperationalError, InterfaceError):
        # The database went away mid-run: the job stays "running", its heartbeat stops, and
        # the reaper re-queues it (stored steps are reused) once the database is back.
        logger.warning("job %s: database unavailable; left for the reaper", job.pk)
        raise
    except ApiError as exc:
        # An expected condition (open breaker, rejected input...): one line per kind and code.
        log_throttled(
            logger,
            logging.WARNING,
            "job %s (%s) ended with %s",
            job.pk,
            job.kind,
            exc.error_code,
            key=f"job:{job.kind}:{exc.error_code}",
        )
        _finish(job, error=api_error_body(exc)["error"], error_status=exc.status_code)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            error={
                "code": "internal_error",
                "message": "An internal error occurred.",
                "request_id": job.request_id,
            },
            error_status=500,
        )
    else:
        _finish(job, result=result)
    finally:
        reset_request_id(token)
        if beat is not None:
            beat.stop()
    return job


def _finish(
    job: Job,
    *,
    result: dict | None = None,
    error: dict | None = None,
    error_status: int | None = None,
) -> None:
    """Store the outcome, once: only the claim that ran the job may finish it."""
    job.status = Job.Status.FAILED if error is not None else Job.Status.SUCCEEDED
    job.result = result
    job.error = error
    job.error_status = error_status
    job.finished_at = timezone.now()

    def write() -> int:
        return Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts
        ).update(
            status=job.status,
            result=result,
            error=error,
            error_status=error_status,
            finished_at=job.finished_at,
        )

    if not write_while_database_recovers(write):
        logger.warning(
            "job %s: finished by attempt %s after it lost the claim", job.pk, job.attempts
        )
        return
    metrics.JOBS.labels(kind=job.kind, status=job.status).inc()


def job_body(job: Job, *, url: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(job.id),
        "kind": job.kind,
        "status": job.status,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
    }
    if url:
        body["url"] = url
    if job.status == Job.Status.SUCCEEDED:
        body["result"] = job.result
    elif job.status == Job.Status.FAILED:
        body["error"] = job.error
    return body


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


# --- idempotency -----------------------------------------------------------------------------

_REPLAYED_HEADERS = ("Location", "Retry-After")


def _body_hash(request: Request) -> str:
    from apps.flows.services import canonical_json, sha256_hex

    body: Any
    try:
        body = request.data
    except Exception:  # unparsable bodies hash as raw bytes; the view will reject them anyway
        body = request.body.decode("utf-8", "replace")
    return sha256_hex(canonical_json({"path": request.path, "body": body}))


def _claim_key(*, tenant: Tenant, scope: str, key: str, body_hash: str) -> bool:
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                tenant=tenant,
                scope=scope,
                key=key,
                body_sha256=body_hash,
                expires_at=timezone.now() + IDEMPOTENCY_TTL,
            )
    except IntegrityError:
        return False
    return True


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    for name, value in (record.response_headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _release_key(lookup: dict) -> None:
    IdempotencyRecord.objects.filter(**lookup, state=IdempotencyRecord.State.IN_PROGRESS).delete()


def idempotent(request: Request, *, scope: str, compute: Callable[[], Response]) -> Response:
    """Run ``compute`` once per (tenant, scope, Idempotency-Key); replay its response after.

    The same key with a different body is a 409 ``idempotency_conflict``. A concurrent duplicate
    waits for the first to finish and gets its response. Errors are not stored: a retry after
    an error runs again.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return compute()
    key = key.strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise InvalidIdempotencyKey()
    tenant = principal_of(request).tenant
    body_hash = _body_hash(request)
    lookup = {"tenant": tenant, "scope": scope, "key": key}

    claimed = _claim_key(tenant=tenant, scope=scope, key=key, body_hash=body_hash)
    if not claimed:
        expired = IdempotencyRecord.objects.filter(**lookup, expires_at__lte=timezone.now())
        if expired.delete()[0]:
            claimed = _claim_key(tenant=tenant, scope=scope, key=key, body_hash=body_hash)
    if not claimed:
        deadline = time.monotonic() + IDEMPOTENCY_WAIT_SECONDS
        while True:
            record = IdempotencyRecord.objects.filter(**lookup).first()
            if record is None:  # the first attempt failed and released the key: run now
                if _claim_key(tenant=tenant, scope=scope, key=key, body_hash=body_hash):
                    break
                continue
            if record.body_sha256 != body_hash:
                raise IdempotencyConflict()
            if record.state == IdempotencyRecord.State.DONE:
                return _replay(record)
            if time.monotonic() >= deadline:
                raise IdempotencyInProgress(headers={"Retry-After": "1"})
            time.sleep(0.05)

    try:
        response = compute()
    except BaseException:
        _release_key(lookup)
        raise
    if response.status_code >= 500 or not isinstance(response, Response):
        _release_key(lookup)
        return response
    IdempotencyRecord.objects.filter(**lookup).update(
        state=IdempotencyRecord.State.DONE,
        response_status=response.status_code,
        response_body=response.data,
        response_headers={h: response[h] for h in _REPLAYED_HEADERS if h in response},
    )
    return response


@transaction.atomic
def idempotency_records_purge() -> int:
    """Delete expired idempotency records (run periodically)."""
    return IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()[0]
