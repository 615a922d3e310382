"""Threads racing on one breaker: one transition per change, never more trial permits than set."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from apps.providers.breaker import CircuitBreaker, Permit, State
from apps.providers.exceptions import CircuitOpenError
from tests.providers.breaker_support import STORE_KINDS, Harness, make_store

THREADS = 16


@pytest.fixture(params=STORE_KINDS)
def store(request):
    yield from make_store(request.param)


def race(n: int, fn: Callable[[int], object]) -> list[object]:
    """Run ``fn(i)`` in ``n`` threads released together; return their results (or errors)."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def try_acquire(breaker: CircuitBreaker) -> Permit | None:
    try:
        return breaker.acquire()
    except CircuitOpenError:
        return None


@pytest.mark.parametrize("max_calls", [1, 3])
def test_half_open_race_gives_exactly_max_calls_trials_and_one_transition(store, max_calls):
    h = Harness(store, failure_threshold=1, open_duration=5, half_open_max_calls=max_calls)
    for _ in range(10):
        h.events.clear()
        h.breaker.reset(actor="test")
        h.fail(1)
        h.clock.advance(5)
        # Every thread holds its own breaker object, as separate workers would.
        breakers = [h.other() for _ in range(THREADS)]
        results = race(THREADS, lambda i, b=breakers: [try_acquire(b[i]) for _ in range(2)])
        permits = [p for r in results for p in r if p is not None]
        assert len(permits) == max_calls
        assert all(p.trial for p in permits)
        half_opened = [e for e in h.events if e.to_state is State.HALF_OPEN]
        assert len(half_opened) == 1
        assert h.breaker.snapshot().half_open_in_flight == max_calls


def test_concurrent_trial_successes_close_exactly_once(store):
    h = Harness(store, failure_threshold=1, open_duration=5, half_open_max_calls=8)
    h.fail(1)
    h.clock.advance(5)
    permits = [h.breaker.acquire() for _ in range(8)]
    h.events.clear()
    race(8, lambda i: h.breaker.record_success(permits[i], 0.1))
    assert [(e.from_state, e.to_state) for e in h.events] == [(State.HALF_OPEN, State.CLOSED)]
    assert h.breaker.snapshot().state is State.CLOSED


def test_concurrent_failures_open_exactly_once_and_count_no_more_than_threshold(store):
    h = Harness(store, failure_threshold=5, failure_rate_threshold=None, open_duration=60)
    # All permits are taken while closed; their failures land concurrently.
    permits = [h.breaker.acquire() for _ in range(THREADS)]
    race(THREADS, lambda i: h.breaker.record_failure(permits[i], 0.1))
    assert h.transitions() == [("closed", "open")]
    snap = h.breaker.snapshot()
    assert snap.state is State.OPEN
    # Failures that land after the transition belong to the closed period that ended.
    assert snap.failures_in_window == 5


def test_failed_trial_racing_successes_reopens_once(store):
    h = Harness(store, failure_threshold=1, open_duration=5, half_open_max_calls=6)
    h.fail(1)
    h.clock.advance(5)
    permits = [h.breaker.acquire() for _ in range(6)]
    h.events.clear()

    def finish(i: int) -> None:
        if i == 3:
            h.breaker.record_failure(permits[i], 0.1)
        else:
            h.breaker.record_success(permits[i], 0.1)

    race(6, finish)
    assert [(e.from_state, e.to_state) for e in h.events] == [(State.HALF_OPEN, State.OPEN)]
    assert h.breaker.snapshot().state is State.OPEN
