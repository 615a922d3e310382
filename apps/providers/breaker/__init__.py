"""Circuit breaker engine of the providers app: a state machine over a shared store.

No Django models here; the providers app stores configuration and events and feeds settings in::

    registry = BreakerRegistry(settings_for, build_store(settings.REDIS_URL or None),
                               on_transition=record_breaker_event)
    breaker = registry.get(provider.name)
    permit = breaker.acquire()            # CircuitOpenError(retry_after=...) when open
    started = time.monotonic()
    try:
        answer = call_upstream()
    except CountedError:
        breaker.record_failure(permit, time.monotonic() - started); raise
    except NotCounted:                    # e.g. a 4xx: frees a half-open slot, counts nothing
        breaker.release(permit); raise
    breaker.record_success(permit, time.monotonic() - started)

Without Redis every process has its own breakers (each trips on what it sees, overrides apply
to the process that made them); with Redis all share one state, and during a Redis outage they
fall back to per-process state until it answers again.
"""

from apps.providers.breaker.config import (
    STATE_GAUGE_VALUE,
    BreakerSettings,
    BreakerSettingsError,
    Mode,
    State,
)
from apps.providers.breaker.core import (
    DEFAULT_REJECT_CACHE_TTL,
    DEFAULT_TRIAL_TTL,
    BreakerSnapshot,
    CircuitBreaker,
    Permit,
    TransitionEvent,
)
from apps.providers.breaker.registry import BreakerRegistry
from apps.providers.breaker.stores import (
    BreakerStore,
    FailoverBreakerStore,
    LocalBreakerStore,
    RedisBreakerStore,
    build_store,
    redis_client,
)

__all__ = [
    "DEFAULT_REJECT_CACHE_TTL",
    "DEFAULT_TRIAL_TTL",
    "STATE_GAUGE_VALUE",
    "BreakerRegistry",
    "BreakerSettings",
    "BreakerSettingsError",
    "BreakerSnapshot",
    "BreakerStore",
    "CircuitBreaker",
    "FailoverBreakerStore",
    "LocalBreakerStore",
    "Mode",
    "Permit",
    "RedisBreakerStore",
    "State",
    "TransitionEvent",
    "build_store",
    "redis_client",
]
