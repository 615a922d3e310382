"""Idempotency-Key handling as a use case: the first request with a key runs, later ones with
the same key (and body) get its stored response; nothing here knows HTTP (the view layer's
``apps.flows.http.idempotent`` reads the header, hashes the body and builds the response).

A key is a row (``IdempotencyRecord``, unique per tenant, scope and key): inserting it is the
claim, so of two concurrent requests exactly one runs; the other waits for the stored result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.flows.exceptions import (
    IdempotencyConflict,
    IdempotencyInProgress,
    InvalidIdempotencyKey,
)
from apps.flows.models import IdempotencyRecord
from apps.tenants.models import Tenant

IDEMPOTENCY_TTL = timedelta(hours=24)
# How long a duplicate waits for the first request with its key before answering 409.
IDEMPOTENCY_WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class IdempotencyKey:
    tenant: Tenant
    scope: str
    key: str

    @property
    def lookup(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "scope": self.scope, "key": self.key}


@dataclass(frozen=True)
class StoredResponse:
    """What the first request with a key answered (replayed to the later ones)."""

    status: int
    body: Any
    headers: dict[str, str]


def idempotency_key(*, tenant: Tenant, scope: str, raw: str) -> IdempotencyKey:
    """The key a client sent, validated (400 ``invalid_idempotency_key``)."""
    key = raw.strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise InvalidIdempotencyKey()
    return IdempotencyKey(tenant=tenant, scope=scope, key=key)


def _claim(key: IdempotencyKey, body_hash: str) -> bool:
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                **key.lookup, body_sha256=body_hash, expires_at=timezone.now() + IDEMPOTENCY_TTL
            )
    except IntegrityError:
        return False
    return True


def idempotency_begin(*, key: IdempotencyKey, body_hash: str) -> StoredResponse | None:
    """Claim ``key`` for this request (None: run it now, then call ``idempotency_finish`` or
    ``idempotency_release``), or the stored response of the first request with it.

    The same key with a different body is a 409 ``idempotency_conflict``. A concurrent
    duplicate waits for the first to finish (at most IDEMPOTENCY_WAIT_SECONDS, then 409
    ``idempotency_in_progress`` with Retry-After); if the first released the key, this one runs.
    """
    if _claim(key, body_hash):
        return None
    expired = IdempotencyRecord.objects.filter(**key.lookup, expires_at__lte=timezone.now())
    if expired.delete()[0] and _claim(key, body_hash):
        return None
    deadline = time.monotonic() + IDEMPOTENCY_WAIT_SECONDS
    while True:
        record = IdempotencyRecord.objects.filter(**key.lookup).first()
        if record is None:  # the first attempt failed and released the key: run now
            if _claim(key, body_hash):
                return None
            continue
        if record.body_sha256 != body_hash:
            raise IdempotencyConflict()
        if record.state == IdempotencyRecord.State.DONE:
            return StoredResponse(
                status=record.response_status or 200,
                body=record.response_body,
                headers=dict(record.response_headers or {}),
            )
        if time.monotonic() >= deadline:
            raise IdempotencyInProgress(headers={"Retry-After": "1"})
        time.sleep(_POLL_SECONDS)


def idempotency_finish(*, key: IdempotencyKey, response: StoredResponse) -> None:
    """Store the first request's response: later requests with the key get it."""
    IdempotencyRecord.objects.filter(**key.lookup).update(
        state=IdempotencyRecord.State.DONE,
        response_status=response.status,
        response_body=response.body,
        response_headers=response.headers,
    )


def idempotency_release(*, key: IdempotencyKey) -> None:
    """Give the key up after an error (errors are not stored: a retry runs again)."""
    IdempotencyRecord.objects.filter(
        **key.lookup, state=IdempotencyRecord.State.IN_PROGRESS
    ).delete()


@transaction.atomic
def idempotency_records_purge() -> int:
    """Delete expired idempotency records (run periodically)."""
    return IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()[0]
