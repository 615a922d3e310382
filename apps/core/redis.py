"""One redis-py client per process for the platform's own Redis work (rate limits, spools)."""

from __future__ import annotations

import functools

import redis
from django.conf import settings


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=0.25,
        socket_timeout=0.25,
        health_check_interval=30,
        max_connections=512,
    )


def get_redis() -> redis.Redis | None:
    """The shared client, or None in the embedded default (no REDIS_URL)."""
    if not settings.REDIS_URL:
        return None
    return _client(settings.REDIS_URL)
