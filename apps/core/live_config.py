"""Live configuration without redeploy: per-process caches rebuilt when a version moves.

A change to live configuration calls :func:`bump_version` in the same transaction. The version
lives in the database (the source of truth, correct on SQLite and across processes) and is
mirrored in the shared cache when the cache is shared (Redis), so the check on the request path
is one cache GET at most every ``LIVE_CONFIG_CHECK_INTERVAL`` seconds and never a read of the
configuration tables themselves.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from apps.core.models import ConfigVersion

T = TypeVar("T")

_CACHE_KEY = "live-config-version:{}"
_CACHE_TTL = 24 * 3600


def cache_is_shared() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def _read_db_version(namespace: str) -> int:
    row = ConfigVersion.objects.filter(namespace=namespace).values_list("version", flat=True)
    return next(iter(row), 0)


def _cache_set_quietly(namespace: str, version: int) -> None:
    # A cache outage only costs readers a database read; it must not fail the change.
    with contextlib.suppress(Exception):
        cache.set(_CACHE_KEY.format(namespace), version, _CACHE_TTL)


def current_version(namespace: str) -> int:
    """The namespace's current version, from the shared cache when there is one."""
    if not cache_is_shared():
        return _read_db_version(namespace)
    try:
        value = cache.get(_CACHE_KEY.format(namespace))
    except Exception:  # cache down: the database still knows (and a write-back would fail too)
        return _read_db_version(namespace)
    if value is not None:
        return int(value)
    version = _read_db_version(namespace)
    _cache_set_quietly(namespace, version)
    return version


def bump_version(namespace: str) -> None:
    """Mark the namespace changed. Call inside the transaction that made the change.

    The database version moves in that transaction (atomic with the change). The shared-cache
    mirror is written only after commit: another process must never see the new version while
    the change itself is still invisible to it, or it would cache the old data as new.
    This process's caches are dropped at once (so a change is visible to its own next read) and
    again after commit.
    """
    updated = ConfigVersion.objects.filter(namespace=namespace).update(version=F("version") + 1)
    if not updated:
        ConfigVersion.objects.get_or_create(namespace=namespace, defaults={"version": 1})
    _notify_local(namespace)

    def _publish() -> None:
        if cache_is_shared():
            _cache_set_quietly(namespace, _read_db_version(namespace))
        _notify_local(namespace)

    transaction.on_commit(_publish)


def _notify_local(namespace: str) -> None:
    for callback in list(_local_listeners.get(namespace, ())):
        callback()


_local_listeners: dict[str, list[Callable[[], None]]] = {}


class LiveCache(Generic[T]):
    """Holds a value built from live configuration; rebuilds it when the namespace's version moves.

    ``get()`` checks the version at most every ``LIVE_CONFIG_CHECK_INTERVAL`` seconds, so the hot
    path costs a monotonic-clock read almost always and one cache GET a few times a second.
    A change made in this process invalidates at once.
    """

    def __init__(self, namespace: str, builder: Callable[[], T]) -> None:
        self.namespace = namespace
        self._builder = builder
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version: int | None = None
        self._checked_at = 0.0
        _local_listeners.setdefault(namespace, []).append(self.invalidate)

    def invalidate(self) -> None:
        self._checked_at = 0.0
        self._version = None

    def get(self) -> T:
        now = time.monotonic()
        interval = settings.LIVE_CONFIG_CHECK_INTERVAL
        if self._version is not None and now - self._checked_at < interval:
            return self._value  # type: ignore[return-value]
        with self._lock:
            if self._version is not None and now - self._checked_at < interval:
                return self._value  # type: ignore[return-value]
            version = current_version(self.namespace)
            if version != self._version or self._value is None:
                self._value = self._builder()
                self._version = version
            self._checked_at = time.monotonic()
            return self._value
