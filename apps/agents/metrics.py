"""Prometheus metrics of agent runs (defined once, at import)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

AGENT_EXECUTIONS = Counter(
    "ai_platform_agent_executions_total",
    "Agent runs by tenant and outcome (ok, fallback, error).",
    ["tenant_id", "status"],
)
AGENT_EXECUTION_DURATION = Histogram(
    "ai_platform_agent_execution_duration_seconds",
    "Wall-clock duration of agent runs.",
    ["tenant_id"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
AGENT_TOOL_CALLS = Counter(
    "ai_platform_agent_tool_calls_total",
    "Tool calls made by agents, by tool and status (ok, error, blocked).",
    ["tool_name", "status"],
)
AGENT_FALLBACKS = Counter(
    "ai_platform_agent_fallbacks_total",
    "Agent runs that ended early, by reason (max_steps, timeout, provider_error...).",
    ["reason"],
)
