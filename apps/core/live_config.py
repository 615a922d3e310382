"""Live configuration without redeploy: per-process caches rebuilt when a version moves.

A change to live configuration calls :func:`bump_version` in the same transaction. The version
lives in the database (the source of truth, correct on SQLite and across processes) and is
mirrored in the shared cache when the cache is shared (Redis), so the check on the request path
is one cache GET at most every ``LIVE_CONFIG_CHECK_INTERVAL`` seconds and never a read of the
configuration tables themselves.

On an event loop (the async front door) ``get()`` never blocks: a value older than the interval
is served while one refresh runs on the bounded thread pool (stale-while-revalidate), so the
loop never waits on the database. Anywhere, a refresh that fails (database or cache down) keeps
the last good value: an outage freezes live configuration, it does not stop the hot path.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from apps.core.aio import database_forbidden_here, on_event_loop, run_blocking, submit_blocking
from apps.core.exceptions import ServiceUnavailable
from apps.core.models import ConfigVersion

logger = logging.getLogger(__name__)

T = TypeVar("T")

# After a failed refresh (database down), the next attempt waits this long.
REFRESH_BACKOFF_SECONDS = 1.0

_CACHE_KEY = "live-config-version:{}"


class LiveConfigUnavailable(ServiceUnavailable):
    """A live cache was never built and cannot be built now (database down, or the event loop
    must not wait for it)."""

    default_detail = "Configuration is not available yet; retry shortly."


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
        # Rebuilt here, in the thread that made the change: this process's event loop (which
        # serves a stale value while it refreshes) then never sees the old one after commit.
        for live in [c for c in _instances if c.namespace == namespace]:
            live.rebuild_quietly()

    transaction.on_commit(_publish)


def _notify_local(namespace: str) -> None:
    for callback in list(_local_listeners.get(namespace, ())):
        callback()


_local_listeners: dict[str, list[Callable[[], None]]] = {}
_instances: list[LiveCache] = []


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
        self._refreshing = False
        self._retry_at = 0.0  # after a failed first build: no new attempt before this
        _local_listeners.setdefault(namespace, []).append(self.invalidate)
        _instances.append(self)

    @staticmethod
    def instances() -> list[LiveCache]:
        """Every live cache of this process (the async server warms them at start-up)."""
        return list(_instances)

    def invalidate(self) -> None:
        self._checked_at = 0.0
        self._version = None

    def get(self) -> T:
        now = time.monotonic()
        interval = settings.LIVE_CONFIG_CHECK_INTERVAL
        if self._version is not None and now - self._checked_at < interval:
            return self._value  # type: ignore[return-value]
        if _on_any_loop():
            if self._value is not None:
                if on_event_loop():  # the server's loop: refresh off it, serve this meanwhile
                    self._refresh_in_background()
                # else an async view under WSGI (tests, runserver): ``arefresh_all`` refreshed
                # the caches from the request thread moments ago; the loop must not query.
                return self._value
            if on_event_loop():  # never built, and the loop must not wait for the database
                self._refresh_in_background()
                raise LiveConfigUnavailable()
        if self._value is None and now < self._retry_at:
            raise LiveConfigUnavailable()  # the last build failed moments ago
        return self._refresh(now, interval)

    def peek(self) -> T | None:
        """The value as last built (None before the first build): never refreshes, never
        blocks (for callers that must not wait, like log redaction)."""
        return self._value

    def rebuild_quietly(self) -> None:
        """Rebuild now if this cache holds a value (a failure leaves it invalidated)."""
        if self._value is None or _on_any_loop():
            return
        if transaction.get_connection().in_atomic_block:
            # Still inside a transaction (a test's, or a nested commit hook): what it reads now
            # may be rolled back; leave the cache invalidated, the next read rebuilds it.
            return
        try:
            self.warm()
        except Exception as exc:
            logger.warning("live config %s: rebuild failed: %s", self.namespace, exc)

    def warm(self) -> T:
        """Build the value now (start-up, from a thread): the first request finds it ready."""
        return self._refresh(time.monotonic(), settings.LIVE_CONFIG_CHECK_INTERVAL)

    def _refresh(self, now: float, interval: float) -> T:
        with self._lock:
            if self._version is not None and now - self._checked_at < interval:
                return self._value  # type: ignore[return-value]
            try:
                version = current_version(self.namespace)
                if version != self._version or self._value is None:
                    self._value = self._builder()
                    self._version = version
            except Exception as exc:
                if self._value is None:
                    self._retry_at = time.monotonic() + REFRESH_BACKOFF_SECONDS
                    raise
                # Keep serving the last good value; try again after a back-off.
                logger.warning(
                    "live config %s: refresh failed (%s); serving the last good value",
                    self.namespace,
                    type(exc).__name__,
                )
                self._checked_at = time.monotonic() + REFRESH_BACKOFF_SECONDS - interval
                return self._value
            self._checked_at = time.monotonic()
            return self._value

    def _refresh_in_background(self) -> None:
        if self._refreshing:
            return
        self._refreshing = True

        def refresh() -> None:
            try:
                self._refresh(time.monotonic(), settings.LIVE_CONFIG_CHECK_INTERVAL)
            finally:
                self._refreshing = False

        try:
            submit_blocking(refresh)
        except RuntimeError:  # the pool is shut down (interpreter exit)
            self._refreshing = False


def _on_any_loop() -> bool:
    return database_forbidden_here()


def _refresh_all() -> None:
    for live in _instances:
        live.get()


async def arefresh_all() -> None:
    """For an async view: bring stale caches up to date without blocking the loop. Under the
    async server their reads never block once built: only a cache never built is built here,
    on the bounded pool (503 service_unavailable when the database does not answer in time).
    Under WSGI (tests, ``runserver``) they are refreshed in the request thread, next to its
    database connection."""
    if on_event_loop():
        for live in _instances:
            if live._value is None:  # never built (a cold start with the database down)
                await run_blocking(live.warm)
        return
    await sync_to_async(_refresh_all, thread_sensitive=True)()
