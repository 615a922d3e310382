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
JOB_DISPATCHES = Counter(
    "ai_platform_job_dispatches_total",
    "Job dispatch records published to the broker, or failed to (broker down; retried).",
    ["outcome"],
)
JOBS_REAPED = Counter(
    "ai_platform_jobs_reaped_total",
    "Jobs the reaper acted on: requeued (worker lost), failed (worker_lost too often), "
    "redispatched (message lost).",
    ["action"],
)
