from prometheus_client import Counter

rate_limited_total = Counter(
    "ai_platform_rate_limited",
    "Requests refused by a rate limit.",
    ["scope"],
)
