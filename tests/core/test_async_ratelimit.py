"""``ahit_many`` (redis.asyncio, the event loop's path) and ``hit_many`` (sync) count in the same
windows: one limit, whichever kind of process serves the request."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from apps.core.ratelimit import SlidingWindowLimiter


def _share_one_limit(limiter: SlidingWindowLimiter) -> list[bool]:
    key = f"shared-{uuid.uuid4().hex}"
    now = 1_000_020.0  # early in a window: the previous one weighs in, and it is empty

    async def two_async_hits():
        first = await limiter.ahit_many([(key, 3)], now=now)
        second = await limiter.ahit_many([(key, 3)], now=now)
        return [first.allowed, second.allowed]

    allowed = asyncio.run(two_async_hits())
    allowed.append(limiter.hit_many([(key, 3)], now=now).allowed)
    allowed.append(limiter.hit_many([(key, 3)], now=now).allowed)  # the 4th: refused
    refused = asyncio.run(limiter.ahit_many([(key, 3)], now=now))
    allowed.append(refused.allowed)
    assert refused.retry_after >= 1
    return allowed


def test_local_counts_are_shared_by_sync_and_async_callers():
    assert _share_one_limit(SlidingWindowLimiter()) == [True, True, True, False, False]


@pytest.mark.redis
def test_redis_counts_are_shared_by_sync_and_async_callers():
    limiter = SlidingWindowLimiter(prefix=f"test-ratelimit:{uuid.uuid4().hex}:")
    assert _share_one_limit(limiter) == [True, True, True, False, False]
    assert not limiter._local  # counted in Redis, not per process
