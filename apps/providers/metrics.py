"""Prometheus metrics of LLM calls (the breaker's own metrics live in breaker/metrics.py)."""

from prometheus_client import Counter, Histogram

# LLM calls take from tens of milliseconds (cached, small local models) to minutes (long
# generations): buckets from 50 ms to 120 s, denser where chat completions usually land.
LLM_DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 90, 120)

LLM_DURATION = Histogram(
    "ai_platform_llm_duration_seconds",
    "Duration of LLM calls per provider (retries included), by flow.",
    ["provider", "flow"],
    buckets=LLM_DURATION_BUCKETS,
)

LLM_ERRORS = Counter(
    "ai_platform_llm_errors_total",
    "Failed LLM call attempts per provider, by error type (timeout, circuit_open, ...).",
    ["provider", "error_type"],
)
