"""Prometheus metrics of the circuit breakers, defined once per process.

Under gunicorn with ``PROMETHEUS_MULTIPROC_DIR`` every worker writes its own samples; gauges
need a ``multiprocess_mode``. The state gauge takes the most recent value written by any live
process (all of them read the same shared state); the degraded gauge the worst live process.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

CIRCUIT_STATE = Gauge(
    "ai_platform_circuit_breaker_state",
    "Circuit breaker state: 0 closed, 1 open or forced open, 2 half-open, 3 disabled.",
    ["circuit_name"],
    multiprocess_mode="livemostrecent",
)
CIRCUIT_FAILURES = Counter(
    "ai_platform_circuit_breaker_failures_total",
    "Calls recorded as failures by a circuit breaker.",
    ["circuit_name"],
)
CIRCUIT_TRANSITIONS = Counter(
    "ai_platform_circuit_breaker_transitions_total",
    "Circuit breaker state transitions, automatic and by operators.",
    ["circuit_name", "from_state", "to_state"],
)
STORE_DEGRADED = Gauge(
    "ai_platform_circuit_breaker_store_degraded",
    "1 while the shared (Redis) breaker store is unreachable and breakers run on local state.",
    multiprocess_mode="livemax",
)
STORE_ERRORS = Counter(
    "ai_platform_circuit_breaker_store_errors_total",
    "Failed operations against the shared (Redis) breaker store.",
)
