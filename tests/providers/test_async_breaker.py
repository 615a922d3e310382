"""The event loop's breaker (AsyncCircuitBreaker) is the process's breaker: sync and async
callers share one state -- the same in-process machines without Redis, the same Lua scripts and
keys with it (so a sync process and an async one trip, reject and reset together)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from django.conf import settings

from apps.providers.breaker import CircuitBreaker, State
from apps.providers.breaker.core import AsyncCircuitBreaker
from apps.providers.breaker.stores import (
    AsyncLocalBreakerStore,
    AsyncRedisBreakerStore,
    LocalBreakerStore,
    RedisBreakerStore,
    async_redis_client,
    redis_client,
)
from apps.providers.exceptions import CircuitOpenError
from tests.providers.breaker_support import FakeClock, Settings


def _pair(kind: str, clock: FakeClock, breaker_settings: Settings):
    """A sync breaker and an async one over the same state, and a cleanup."""
    name = f"shared-{uuid.uuid4().hex[:8]}"
    if kind == "local":
        store = LocalBreakerStore()
        sync = CircuitBreaker(name, breaker_settings, store, clock=clock)
        return sync, (lambda: AsyncLocalBreakerStore(store)), lambda: None
    prefix = f"test-breaker:{uuid.uuid4().hex}:"
    client = redis_client(settings.REDIS_URL, timeout=2.0)
    sync = CircuitBreaker(
        name, breaker_settings, RedisBreakerStore(client, prefix=prefix), clock=clock
    )

    def cleanup() -> None:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)

    return (
        sync,
        lambda: AsyncRedisBreakerStore(async_redis_client(settings.REDIS_URL, timeout=2.0), prefix),
        cleanup,
    )


@pytest.mark.parametrize("kind", ["local", pytest.param("redis", marks=pytest.mark.redis)])
def test_async_failures_trip_the_breaker_sync_callers_see(kind):
    clock = FakeClock()
    breaker_settings = Settings(failure_threshold=3, open_duration=30)
    sync, make_async_store, cleanup = _pair(kind, clock, breaker_settings)
    try:

        async def fail_three_times_then_acquire():
            breaker = AsyncCircuitBreaker(sync, make_async_store())
            for _ in range(3):
                permit = await breaker.acquire()
                await breaker.record_failure(permit, 0.1)
            with pytest.raises(CircuitOpenError) as rejected:
                await breaker.acquire()
            return rejected.value

        rejected = asyncio.run(fail_three_times_then_acquire())
        assert rejected.retry_after == pytest.approx(30, abs=1)
        sync._rejecting = None  # ask the store, not the process's rejection echo
        with pytest.raises(CircuitOpenError):
            sync.acquire()
        assert sync.snapshot().state is State.OPEN

        sync.reset(actor="operator")  # an operator's reset reaches the async callers too

        async def acquire_and_succeed():
            breaker = AsyncCircuitBreaker(sync, make_async_store())
            permit = await breaker.acquire()
            await breaker.record_success(permit, 0.1)
            return permit

        assert asyncio.run(acquire_and_succeed()).trial is False
        assert sync.snapshot().calls_in_window == 1
    finally:
        cleanup()


@pytest.mark.parametrize("kind", ["local", pytest.param("redis", marks=pytest.mark.redis)])
def test_half_open_trial_slots_are_counted_across_sync_and_async(kind):
    clock = FakeClock()
    breaker_settings = Settings(failure_threshold=1, open_duration=5, half_open_max_calls=2)
    sync, make_async_store, cleanup = _pair(kind, clock, breaker_settings)
    try:
        sync.record_failure(sync.acquire(), 0.1)
        clock.advance(5)
        first = sync.acquire()  # one trial from the sync side
        assert first.trial

        async def take_the_rest():
            breaker = AsyncCircuitBreaker(sync, make_async_store())
            second = await breaker.acquire()
            with pytest.raises(CircuitOpenError):
                await breaker.acquire()  # both slots taken
            await breaker.release(second)  # the client went away: its slot comes back
            third = await breaker.acquire()
            await breaker.record_success(third, 0.1)
            return second, third

        second, third = asyncio.run(take_the_rest())
        assert second.trial
        assert third.trial
        sync.record_success(first, 0.1)
        assert sync.snapshot().state is State.CLOSED
    finally:
        cleanup()
