"""The platform's redis-py clients, made in one place with named timeouts.

Each purpose has its socket timeout in ``settings.REDIS_TIMEOUTS`` (``default`` for the request
path: rate limits, live-config versions; ``breaker`` for the breaker store, which never retries
because its failover is the retry; ``spool`` for the audit spool). The async front door gets
one ``redis.asyncio`` client per event loop.
"""

from __future__ import annotations

import asyncio
import functools

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

PURPOSES = ("default", "breaker", "spool")


def redis_timeout(purpose: str) -> float:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown Redis client purpose {purpose!r}; one of {PURPOSES}")
    return float(settings.REDIS_TIMEOUTS[purpose])


def redis_client(
    url: str, *, purpose: str = "default", timeout: float | None = None
) -> redis.Redis:
    """A new client (with its own connection pool) for ``url`` with the purpose's timeout."""
    seconds = redis_timeout(purpose) if timeout is None else timeout
    if purpose == "breaker":
        return redis.Redis.from_url(
            url,
            socket_timeout=seconds,
            socket_connect_timeout=seconds,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=seconds,
        socket_timeout=seconds,
        health_check_interval=30,
        max_connections=512,
    )


@functools.cache
def shared_client(url: str, purpose: str = "default") -> redis.Redis:
    """One client per URL and purpose for the process; redis-py's pool reconnects after a fork."""
    return redis_client(url, purpose=purpose)


def get_redis() -> redis.Redis | None:
    """The shared request-path client, or None in the embedded default (no REDIS_URL)."""
    if not settings.REDIS_URL:
        return None
    return shared_client(settings.REDIS_URL)


# Connections of one process's asyncio pool: a command holds one for a round trip, so a few
# dozen serve thousands of requests a second, and a burst opens no more than this many (each a
# TCP connect and a handshake at the worst moment: 500 requests fired at start-up opened
# hundreds and took 0.5 s longer).
ASYNC_POOL_CONNECTIONS = 64


def async_connection_pool(url: str, *, timeout: float, **kwargs) -> aioredis.ConnectionPool:
    """A ``redis.asyncio`` pool of up to ``ASYNC_POOL_CONNECTIONS`` connections that waits
    ``timeout`` seconds for a free one.

    The blocking pool, not redis-py's default: the default pool holds its lock while it checks
    the connection it hands out (an awaited read with a zero timeout: at least one turn of the
    event loop), so concurrent commands take their connections one turn each. On a busy loop
    that is seconds: 1,000 concurrent script calls with 5 ms turns, p50 7.2 s and p99 14.2 s;
    the blocking pool checks outside its lock: p50 17 ms, p99 42 ms
    (``bench/gateway/redis_pool.py``)."""
    return aioredis.BlockingConnectionPool.from_url(
        url, max_connections=ASYNC_POOL_CONNECTIONS, timeout=timeout, **kwargs
    )


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
        seconds = redis_timeout("default")
        client = aioredis.Redis(
            connection_pool=async_connection_pool(
                settings.REDIS_URL,
                timeout=seconds,
                socket_connect_timeout=seconds,
                socket_timeout=seconds,
                health_check_interval=30,
            )
        )
        entry = _async_clients[id(loop)] = (loop, client)
    return entry[1]
