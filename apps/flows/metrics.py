"""Flows' Prometheus metrics, defined once at import."""

from prometheus_client import Counter

FLOW_RUNS = Counter(
    "ai_platform_flow_runs_total",
    "Flow runs by flow and outcome (ok, or the error code that ended the run).",
    ["flow", "status"],
)
JOBS = Counter(
    "ai_platform_jobs_total",
    "Async jobs finished, by kind and status.",
    ["kind", "status"],
)
