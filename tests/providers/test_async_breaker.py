"""The event loop's breaker (AsyncCircuitBreaker) is the process's breaker: sync and async
callers share one state -- the same in-process machines without Redis, the same Lua scripts and
keys with it (so a sync process and an async one trip, reject and reset together)."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from django.conf import settings

from apps.core.aio import mark_serving_event_loop
from apps.providers.breaker import CircuitBreaker, State
from apps.providers.breaker.core import AsyncCircuitBreaker
from apps.providers.breaker.deferred import LINGER_SECONDS
from apps.providers.breaker.stores import (
    AsyncFailoverBreakerStore,
    AsyncLocalBreakerStore,
    AsyncRedisBreakerStore,
    FailoverBreakerStore,
    LocalBreakerStore,
    RedisBreakerStore,
    async_redis_client,
    redis_client,
)
from apps.providers.exceptions import CircuitOpenError
from fakellm.testing import closed_port
from tests.providers.breaker_support import FakeClock, Settings


def _pair(kind: str, clock: FakeClock, breaker_settings: Settings, *, defer: bool = False):
    """A sync breaker and an async one over the same state, and a cleanup."""
    name = f"shared-{uuid.uuid4().hex[:8]}"
    if kind == "local":
        store = LocalBreakerStore()
        sync = CircuitBreaker(name, breaker_settings, store, clock=clock, defer_successes=defer)
        return sync, (lambda: AsyncLocalBreakerStore(store)), lambda: None
    prefix = f"test-breaker:{uuid.uuid4().hex}:"
    client = redis_client(settings.REDIS_URL, timeout=2.0)
    store = RedisBreakerStore(client, prefix=prefix)
    sync = CircuitBreaker(name, breaker_settings, store, clock=clock, defer_successes=defer)

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


class CountingStore:
    """An async store that counts its round trips (``run`` and ``run_many`` calls)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.trips: list[int] = []  # how many operations each round trip carried

    async def run(self, op):
        self.trips.append(1)
        return await self.inner.run(op)

    async def run_many(self, ops):
        self.trips.append(len(ops))
        return await self.inner.run_many(ops)


def _deferring_pair(kind: str, clock: FakeClock, breaker_settings: Settings):
    """As the providers app builds its breakers with Redis: fast successes deferred."""
    return _pair(kind, clock, breaker_settings, defer=True)


@pytest.mark.parametrize("kind", ["local", pytest.param("redis", marks=pytest.mark.redis)])
def test_successes_on_the_servers_loop_ride_with_the_next_acquire(kind):
    clock = FakeClock()
    sync, make_async_store, cleanup = _deferring_pair(kind, clock, Settings(window_size=10))
    try:

        async def three_successes_then_acquire():
            mark_serving_event_loop()
            store = CountingStore(make_async_store())
            breaker = AsyncCircuitBreaker(sync, store)
            for _ in range(3):
                await breaker.record_success(await breaker.acquire(), 0.01)
            before = sync.snapshot().calls_in_window  # still on the loop, not in the store
            await breaker.acquire()
            return before, store.trips

        before, trips = asyncio.run(three_successes_then_acquire())
        assert before == 2  # the first two rode with the 2nd and 3rd acquires
        # acquire; then each acquire carried the successes waiting before it: one round trip each
        assert trips == [1, 2, 2, 2]
        assert sync.snapshot().calls_in_window == 3
    finally:
        cleanup()


@pytest.mark.parametrize("kind", ["local", pytest.param("redis", marks=pytest.mark.redis)])
def test_deferred_successes_are_sent_after_the_linger_without_another_call(kind):
    clock = FakeClock()
    sync, make_async_store, cleanup = _deferring_pair(kind, clock, Settings(window_size=10))
    try:

        async def successes_then_wait():
            mark_serving_event_loop()
            breaker = AsyncCircuitBreaker(sync, make_async_store())
            permits = [await breaker.acquire() for _ in range(4)]
            for permit in permits:
                await breaker.record_success(permit, 0.01)
            stored = [sync.snapshot().calls_in_window]
            deadline = time.monotonic() + 5  # a loaded machine may run the timer late
            while stored[-1] < 4 and time.monotonic() < deadline:
                await asyncio.sleep(LINGER_SECONDS)
                stored.append(sync.snapshot().calls_in_window)
            return stored

        stored = asyncio.run(successes_then_wait())
        assert stored[0] == 0  # waiting on the loop at first
        assert stored[-1] == 4
    finally:
        cleanup()


@pytest.mark.parametrize("kind", ["local", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_failure_reaches_the_store_after_the_successes_before_it(kind):
    clock = FakeClock()
    settings_ = Settings(
        window_size=2, failure_threshold=None, failure_rate_threshold=1.0, minimum_calls=2
    )
    sync, make_async_store, cleanup = _deferring_pair(kind, clock, settings_)
    try:

        async def successes_then_a_failure():
            mark_serving_event_loop()
            breaker = AsyncCircuitBreaker(sync, make_async_store())
            permits = [await breaker.acquire() for _ in range(4)]
            for permit in permits[:3]:
                await breaker.record_success(permit, 0.01)
            await breaker.record_failure(permits[3], 0.01)

        asyncio.run(successes_then_a_failure())
        snapshot = sync.snapshot()
        # In order the window of two holds [success, failure]; out of order, two successes.
        assert (snapshot.calls_in_window, snapshot.failures_in_window) == (2, 1)
        assert snapshot.state is State.CLOSED
    finally:
        cleanup()


def test_while_redis_is_down_async_calls_run_on_the_local_store():
    down = f"redis://127.0.0.1:{closed_port()}/0"
    failover = FailoverBreakerStore(
        RedisBreakerStore(redis_client(down, timeout=0.2)), LocalBreakerStore()
    )
    clock = FakeClock()
    # As with Redis configured: successes deferred (on the loop: until the next acquire).
    sync = CircuitBreaker(
        "down", Settings(window_size=10), failover, clock=clock, defer_successes=True
    )

    async def success_then_acquire():
        mark_serving_event_loop()
        primary = AsyncRedisBreakerStore(async_redis_client(down, timeout=0.2))
        breaker = AsyncCircuitBreaker(sync, AsyncFailoverBreakerStore(primary, failover))
        await breaker.record_success(await breaker.acquire(), 0.01)
        return await breaker.acquire()  # the success and this acquire: one run_many

    assert asyncio.run(success_then_acquire()).trial is False
    assert failover.degraded
    local = failover.fallback.snapshot("down", Settings(window_size=10)(), clock()).snapshot
    assert local.calls_in_window == 1
