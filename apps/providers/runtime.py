"""Process-wide breaker runtime: the process's BreakerRegistry and the transition recorder.

Kept apart from ``services`` (use cases) and ``selectors`` (reads): this is live in-process
state, rebuilt in a forked child, that both the call path and the operators' actions use.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction

from apps.core.aio import submit_blocking
from apps.providers.breaker.config import State
from apps.providers.breaker.core import AsyncCircuitBreaker, CircuitBreaker, TransitionEvent
from apps.providers.breaker.deferred import THREAD_NAME as SPOOL_THREAD_NAME
from apps.providers.breaker.deferred import spool
from apps.providers.breaker.registry import BreakerRegistry
from apps.providers.breaker.stores import build_async_store, build_store
from apps.providers.models import BreakerEvent
from apps.providers.selectors import provider_runtime

logger = logging.getLogger(__name__)


class _ProcessBreakers:
    """The process's BreakerRegistry over one store (Redis-shared when ``REDIS_URL`` is set),
    rebuilt in a forked child so it never shares the parent's Redis connections. Settings are
    read live on every call through the runtime snapshot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._registry: BreakerRegistry | None = None
        # (loop, registry, async store, async breakers by name) for the running event loop
        self._async: tuple | None = None

    def registry(self) -> BreakerRegistry:
        registry = self._registry
        if registry is not None and self._pid == os.getpid():
            return registry
        with self._lock:
            if self._registry is None or self._pid != os.getpid():
                self._registry = BreakerRegistry(
                    lambda name: provider_runtime().settings_for(name),
                    build_store(settings.REDIS_URL or None),
                    on_transition=_record_transition,
                    # Shared store: fast CLOSED successes are recorded off the request path
                    # (breaker/deferred.py); failures and trials stay synchronous.
                    defer_successes=bool(settings.REDIS_URL),
                )
                self._pid = os.getpid()
            return self._registry

    def get(self, name: str) -> CircuitBreaker:
        return self.registry().get(name)

    def async_get(self, name: str) -> AsyncCircuitBreaker:
        """The breaker ``name`` for the running event loop: the same :class:`CircuitBreaker`
        over the async twin of the process's store (redis.asyncio, or the local store)."""
        loop = asyncio.get_running_loop()
        registry = self.registry()
        state = self._async
        if state is None or state[0] is not loop or state[1] is not registry:
            store = build_async_store(registry.store, settings.REDIS_URL or None)
            state = self._async = (loop, registry, store, {})
        cached = state[3].get(name)
        breaker = registry.get(name)
        if cached is None or cached.breaker is not breaker:
            cached = state[3][name] = AsyncCircuitBreaker(breaker, state[2])
        return cached

    async def aflush(self) -> None:
        """Send the running loop's pending breaker successes now (the server's shutdown)."""
        state = self._async
        if state is not None and state[0] is asyncio.get_running_loop():
            for breaker in list(state[3].values()):
                await breaker.flush()

    def reset(self) -> None:
        """Forget this process's breakers and local state (tests; the shared state stays)."""
        spool.flush()  # deferred successes belong to the breakers being forgotten
        with self._lock:
            self._registry = None
            self._pid = 0
            self._async = None


breakers = _ProcessBreakers()


def breaker_for(name: str) -> CircuitBreaker:
    return breakers.get(name)


def _record_transition(event: TransitionEvent) -> None:
    """Store a transition as a BreakerEvent. Never fails the call that caused it; on an event
    loop the write goes to the bounded pool (the loop never waits on the database)."""
    submit_blocking(_write_transition, event)


def _write_transition(event: TransitionEvent) -> None:
    try:
        spec = provider_runtime().by_name.get(event.name)
        with transaction.atomic():  # a savepoint: a failed write cannot spoil the caller's
            BreakerEvent.objects.create(
                provider_id=spec.id if spec is not None and spec.id else None,
                circuit_name=event.name,
                from_state=_state_value(event.from_state),
                to_state=_state_value(event.to_state),
                reason=(event.reason or "")[:300],
                actor=(event.actor or "")[:150],
                at=datetime.fromtimestamp(event.at, tz=UTC),
            )
    except Exception:
        logger.warning("Could not record breaker event for %s", event.name, exc_info=True)
    finally:
        if threading.current_thread().name == SPOOL_THREAD_NAME:
            connection.close()  # the spool's thread writes rarely: hold no connection open


def _state_value(state: State | str) -> str:
    return state.value if isinstance(state, State) else str(state)
