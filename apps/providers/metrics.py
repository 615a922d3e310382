"""Prometheus metrics of LLM calls (the breaker's own metrics live in breaker/metrics.py)."""

from prometheus_client import Counter, Histogram

# LLM calls take from tens of milliseconds (cached, small local models) to minutes (long
# generations): buckets from 50 ms to 120 s, denser where chat completions usually land.
LLM_DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 90, 120)

LLM_DURATION = Histogram(
    "ai_platform_llm_duration_seconds",
    "Duration of provider requests (retries included), by flow; counts what "
    "ai_platform_provider_requests_total counts.",
    ["provider", "flow"],
    buckets=LLM_DURATION_BUCKETS,
)

LLM_ERRORS = Counter(
    "ai_platform_llm_errors_total",
    "Failed upstream attempts per provider by error type, plus calls the open breaker "
    "rejected (error_type circuit_open).",
    ["provider", "error_type"],
)

# Two units, named apart. A *request* is one provider tried for one caller's call (its retries
# are inside it): what the duration histogram and the console dashboard count, so that
# errors / requests is a true ratio. An *attempt* is one upstream try (each retry is one): what
# the upstream itself sees. A call the open breaker rejects before any attempt is neither; it
# is counted in ai_platform_llm_errors_total{error_type="circuit_open"}.
PROVIDER_REQUESTS = Counter(
    "ai_platform_provider_requests_total",
    "Provider requests (one per provider tried; retries inside), by outcome (ok, error).",
    ["provider", "outcome"],
)

PROVIDER_ATTEMPTS = Counter(
    "ai_platform_provider_attempts_total",
    "Upstream attempts (each retry is one), by outcome (ok, error, cancelled).",
    ["provider", "outcome"],
)
