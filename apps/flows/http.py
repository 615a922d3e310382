"""The view layer's side of jobs and idempotency, shared by the flows' and the agents' views:
the 202 answer of a queued job, a job's JSON body, and ``idempotent`` (the Idempotency-Key
header around a view's work; the use case is ``apps.flows.idempotency``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.flows.idempotency import (
    StoredResponse,
    idempotency_begin,
    idempotency_finish,
    idempotency_key,
    idempotency_release,
)
from apps.flows.jobs import job_enqueue
from apps.flows.models import Job
from apps.tenants.authentication import principal_of

if TYPE_CHECKING:
    from apps.core.principal import GuardContext

# Headers of the first response that a replay repeats.
_REPLAYED_HEADERS = ("Location", "Retry-After")


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


def _body_hash(request: Request) -> str:
    from apps.flows.services import canonical_json, sha256_hex

    body: Any
    try:
        body = request.data
    except Exception:  # unparsable bodies hash as raw bytes; the view will reject them anyway
        body = request.body.decode("utf-8", "replace")
    return sha256_hex(canonical_json({"path": request.path, "body": body}))


def _replay(stored: StoredResponse) -> Response:
    response = Response(stored.body, status=stored.status)
    for name, value in stored.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: Request, *, scope: str, compute: Callable[[], Response]) -> Response:
    """Run ``compute`` once per (tenant, scope, Idempotency-Key); replay its response after.

    Without the header it just runs. Errors are not stored: a retry after an error (an
    exception, a 5xx) runs again. See ``apps.flows.idempotency.idempotency_begin``.
    """
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        return compute()
    key = idempotency_key(tenant=principal_of(request).tenant, scope=scope, raw=raw)
    stored = idempotency_begin(key=key, body_hash=_body_hash(request))
    if stored is not None:
        return _replay(stored)
    try:
        response = compute()
    except BaseException:
        idempotency_release(key=key)
        raise
    if response.status_code >= 500 or not isinstance(response, Response):
        idempotency_release(key=key)
        return response
    idempotency_finish(
        key=key,
        response=StoredResponse(
            status=response.status_code,
            body=response.data,
            headers={h: response[h] for h in _REPLAYED_HEADERS if h in response},
        ),
    )
    return response
