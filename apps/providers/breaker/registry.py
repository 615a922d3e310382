"""One :class:`CircuitBreaker` object per name per process, over one store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from apps.providers.breaker.config import BreakerSettings
from apps.providers.breaker.core import (
    DEFAULT_REJECT_CACHE_TTL,
    DEFAULT_TRIAL_TTL,
    CircuitBreaker,
    TransitionEvent,
)
from apps.providers.breaker.stores import BreakerStore


class BreakerRegistry:
    """Breakers by name. ``settings_lookup(name)`` is called on every call of a breaker, so it
    must be cheap (a live in-memory cache), and returns the settings in force for that name."""

    def __init__(
        self,
        settings_lookup: Callable[[str], BreakerSettings],
        store: BreakerStore,
        *,
        clock: Callable[[], float] = time.time,
        on_transition: Callable[[TransitionEvent], None] | None = None,
        trial_ttl: float = DEFAULT_TRIAL_TTL,
        reject_cache_ttl: float = DEFAULT_REJECT_CACHE_TTL,
        defer_successes: bool = False,
    ) -> None:
        self.store = store
        self._defer_successes = defer_successes
        self._lookup = settings_lookup
        self._clock = clock
        self._on_transition = on_transition
        self._trial_ttl = trial_ttl
        self._reject_cache_ttl = reject_cache_ttl
        self._breakers: dict[str, CircuitBreaker] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> CircuitBreaker:
        breaker = self._breakers.get(name)
        if breaker is not None:
            return breaker
        with self._lock:
            breaker = self._breakers.get(name)
            if breaker is None:
                lookup = self._lookup
                breaker = CircuitBreaker(
                    name,
                    lambda: lookup(name),
                    self.store,
                    clock=self._clock,
                    on_transition=self._on_transition,
                    trial_ttl=self._trial_ttl,
                    reject_cache_ttl=self._reject_cache_ttl,
                    defer_successes=self._defer_successes,
                )
                self._breakers[name] = breaker
            return breaker
