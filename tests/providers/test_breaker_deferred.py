"""Deferred CLOSED-state successes (``defer_successes=True``): one round trip per call on the
common path, while failures, trials and fail-fast across processes stay synchronous and exact."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from apps.providers.breaker import (
    CircuitBreaker,
    LocalBreakerStore,
    RedisBreakerStore,
    State,
    redis_client,
)
from apps.providers.breaker.deferred import spool
from apps.providers.exceptions import CircuitOpenError
from tests.providers.breaker_support import FakeClock, Settings


@pytest.fixture
def client():
    client = redis_client(settings.REDIS_URL, timeout=2.0)
    yield client
    client.close()


@pytest.fixture
def prefix(client):
    prefix = f"test-breaker-deferred:{uuid.uuid4().hex}:"
    yield prefix
    spool.flush()
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def slow_spool(monkeypatch):
    """The spool's thread waits long enough that a test's successes stay pending until flushed."""
    monkeypatch.setattr(spool, "linger", 2.0)
    spool.flush()


def _breaker(client, prefix, clock, config, events=None) -> CircuitBreaker:
    """One breaker object with its own store object: another process's view of the name."""
    return CircuitBreaker(
        "p",
        config,
        RedisBreakerStore(client, prefix=prefix),
        clock=clock,
        on_transition=(events.append if events is not None else None),
        defer_successes=True,
    )


def _script_calls(client) -> int:
    stats = client.info("commandstats")
    return sum(stats.get(k, {}).get("calls", 0) for k in ("cmdstat_evalsha", "cmdstat_eval"))


@pytest.mark.redis
def test_closed_successes_cost_one_round_trip_and_all_count(client, prefix, slow_spool):
    clock, config = FakeClock(), Settings(failure_threshold=5, window_size=100)
    breaker = _breaker(client, prefix, clock, config)
    breaker.record_success(breaker.acquire(), 0.01)  # loads the scripts
    breaker.flush_deferred()
    before = _script_calls(client)
    for _ in range(40):
        breaker.record_success(breaker.acquire(), 0.01)
    assert spool.pending(breaker) == 40
    breaker.flush_deferred()
    # 40 acquires + one batched record step (a second if the spool's thread took a share)
    assert _script_calls(client) - before <= 42
    assert breaker.snapshot().calls_in_window == 41


@pytest.mark.redis
def test_failures_are_synchronous_and_other_processes_fail_fast(client, prefix, slow_spool):
    clock, config = FakeClock(), Settings(failure_threshold=3, open_duration=30.0)
    events: list = []
    breaker = _breaker(client, prefix, clock, config, events)
    other = _breaker(client, prefix, clock, config)
    for _ in range(3):
        breaker.record_failure(breaker.acquire(), 0.01)
    assert [(e.from_state, e.to_state) for e in events] == [(State.CLOSED, State.OPEN)]
    with pytest.raises(CircuitOpenError):
        other.acquire()


@pytest.mark.redis
def test_own_successes_reach_the_window_before_a_failure(client, prefix, slow_spool):
    """Three successes then two failures: 2 of 5 failed (40 %), under a 50 % threshold. Had the
    failures overtaken the pending successes, 2 of 2 would have tripped the breaker."""
    clock = FakeClock()
    config = Settings(
        failure_threshold=None, failure_rate_threshold=0.5, minimum_calls=2, window_size=10
    )
    breaker = _breaker(client, prefix, clock, config)
    for _ in range(3):
        breaker.record_success(breaker.acquire(), 0.01)
    for _ in range(2):
        breaker.record_failure(breaker.acquire(), 0.01)
    snapshot = _breaker(client, prefix, clock, config).snapshot()
    assert snapshot.state is State.CLOSED
    assert (snapshot.calls_in_window, snapshot.failures_in_window) == (5, 2)


@pytest.mark.redis
def test_slow_successes_are_recorded_synchronously(client, prefix, slow_spool):
    clock = FakeClock()
    config = Settings(
        failure_threshold=None,
        slow_call_duration=1.0,
        slow_call_rate_threshold=0.5,
        minimum_calls=2,
        window_size=10,
    )
    breaker = _breaker(client, prefix, clock, config)
    other = _breaker(client, prefix, clock, config)
    breaker.record_success(breaker.acquire(), 2.0)
    breaker.record_success(breaker.acquire(), 2.0)
    assert spool.pending(breaker) == 0
    with pytest.raises(CircuitOpenError):
        other.acquire()


@pytest.mark.redis
def test_half_open_trials_stay_exact_across_processes(client, prefix, slow_spool):
    clock = FakeClock()
    config = Settings(failure_threshold=1, open_duration=5.0, half_open_max_calls=2)
    first = _breaker(client, prefix, clock, config)
    second = _breaker(client, prefix, clock, config)
    third = _breaker(client, prefix, clock, config)
    first.record_failure(first.acquire(), 0.01)
    clock.advance(5.1)
    trials = [first.acquire(), second.acquire()]
    assert all(p.trial for p in trials)
    with pytest.raises(CircuitOpenError):
        third.acquire()  # both trial slots are taken, across "processes"
    first.record_success(trials[0], 0.01)
    second.record_success(trials[1], 0.01)
    assert spool.pending() == 0  # trial outcomes never wait in the spool
    assert third.snapshot().state is State.CLOSED


@pytest.mark.redis
def test_a_deferred_success_from_an_ended_epoch_is_ignored(client, prefix, slow_spool):
    clock, config = FakeClock(), Settings(failure_threshold=5)
    breaker = _breaker(client, prefix, clock, config)
    other = _breaker(client, prefix, clock, config)
    breaker.record_success(breaker.acquire(), 0.01)
    other.reset(actor="ops")  # a new epoch while the success is still pending
    breaker.flush_deferred()
    assert other.snapshot().calls_in_window == 0


@pytest.mark.redis
def test_a_success_that_trips_is_reported_from_the_batch(client, prefix, slow_spool):
    """Reaching minimum_calls on a success can trip on the failure rate: the batched step makes
    that transition exactly once and reports it."""
    clock = FakeClock()
    config = Settings(
        failure_threshold=None, failure_rate_threshold=0.5, minimum_calls=4, window_size=10
    )
    events: list = []
    breaker = _breaker(client, prefix, clock, config, events)
    for _ in range(2):
        breaker.record_failure(breaker.acquire(), 0.01)
    for _ in range(3):
        breaker.record_success(breaker.acquire(), 0.01)
    breaker.flush_deferred()
    assert [(e.from_state, e.to_state) for e in events] == [(State.CLOSED, State.OPEN)]
    snapshot = breaker.snapshot()
    assert snapshot.state is State.OPEN


@pytest.mark.parametrize("count", [1, 3])
def test_local_store_batch_matches_single_records(count):
    clock, config = FakeClock(), Settings(failure_threshold=None, window_size=10)
    batched, single = LocalBreakerStore(), LocalBreakerStore()
    token = "0:"
    batched.record_successes("p", config(), clock(), token=token, count=count)
    for _ in range(count):
        single.record("p", config(), clock(), token=token, failure=False, slow=False)
    assert (
        batched.snapshot("p", config(), clock()).snapshot.calls_in_window
        == single.snapshot("p", config(), clock()).snapshot.calls_in_window
        == count
    )
