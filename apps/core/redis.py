"""One redis-py client per process for the platform's own Redis work (rate limits, spools), and
one ``redis.asyncio`` client per event loop for the async front door."""

from __future__ import annotations

import asyncio
import functools

import redis
import redis.asyncio as aioredis
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


# An asyncio client's connections belong to the loop that opened them: one client per loop (a
# server process has one; tests start several). The loop is held so its id is never reused.
_async_clients: dict[int, tuple[asyncio.AbstractEventLoop, aioredis.Redis]] = {}


def get_async_redis() -> aioredis.Redis | None:
    """This event loop's client (same timeouts as :func:`get_redis`), or None without Redis."""
    if not settings.REDIS_URL:
        return None
    loop = asyncio.get_running_loop()
    entry = _async_clients.get(id(loop))
    if entry is None or entry[0] is not loop:
        client = aioredis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=0.25,
            socket_timeout=0.25,
            health_check_interval=30,
            max_connections=512,
        )
        entry = _async_clients[id(loop)] = (loop, client)
    return entry[1]
