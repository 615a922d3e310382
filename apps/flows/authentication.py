"""API-key authentication for the gateway's hot path, without a database read per request.

The OpenAI-compatible front door is called at high rates and holds requests for seconds while
the upstream answers: a database lookup per request would cost latency and, worse, one
PostgreSQL connection per waiting thread. This wraps the tenants app's authentication with a
per-process cache of successful lookups that lives ``TTL`` seconds, so a revoked key, an
expired key or a disabled tenant is refused everywhere within that time (the same promise as
live configuration). Failed lookups are never cached.
"""

from __future__ import annotations

import hashlib
import threading
import time

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from apps.tenants.authentication import ApiKeyAuthentication, ApiKeyPrincipal
from apps.tenants.models import ApiKey

TTL = 1.0
_MAX_ENTRIES = 10_000

_cache: dict[str, tuple[float, ApiKey]] = {}
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def clear() -> None:
    with _guard:
        _cache.clear()
        _locks.clear()


def _lock_for(digest: str) -> threading.Lock:
    with _guard:
        lock = _locks.get(digest)
        if lock is None:
            if len(_locks) > _MAX_ENTRIES:
                _locks.clear()
            lock = _locks[digest] = threading.Lock()
        return lock


class CachedApiKeyAuthentication(ApiKeyAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiKeyPrincipal, ApiKey] | None:
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        digest = hashlib.sha256(header).hexdigest()
        hit = self._fresh(digest)
        if hit is None:
            # One lookup per key at a time: a burst of new threads doesn't stampede the DB.
            with _lock_for(digest):
                hit = self._fresh(digest)
                if hit is None:
                    result = super().authenticate(request)
                    if result is None:
                        return None
                    hit = result[1]
                    with _guard:
                        if len(_cache) > _MAX_ENTRIES:
                            _cache.clear()
                        _cache[digest] = (time.monotonic() + TTL, hit)
        if hit.is_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        return ApiKeyPrincipal(hit), hit

    @staticmethod
    def _fresh(digest: str) -> ApiKey | None:
        entry = _cache.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]
