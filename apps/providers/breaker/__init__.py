"""Circuit breaker engine of the providers app: a state machine over a shared store.

No Django models here; the providers app stores configuration and events and feeds settings in.
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
