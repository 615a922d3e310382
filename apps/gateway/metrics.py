"""The gateway's Prometheus metrics, defined once at import."""

from prometheus_client import Counter, Gauge

GATEWAY_REQUESTS = Counter(
    "ai_platform_gateway_requests_total",
    "OpenAI-compatible /v1 requests (mode: sync, stream, embeddings), by mode and outcome.",
    ["mode", "status"],
)
INFLIGHT = Gauge(
    "ai_platform_gateway_inflight",
    "/v1 requests (streams included) this process holds now.",
    multiprocess_mode="livesum",
)
SHED = Counter(
    "ai_platform_gateway_shed_total",
    "/v1 requests refused at the door, by reason (overloaded, body_timeout).",
    ["reason"],
)
