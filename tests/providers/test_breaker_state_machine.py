"""Every transition of the breaker state machine, with a controllable clock, on both stores."""

from __future__ import annotations

import logging
import uuid

import pytest

from apps.providers.breaker import BreakerSettings, CircuitBreaker, Mode, State
from apps.providers.exceptions import CircuitOpenError
from tests.providers.breaker_support import STORE_KINDS, Harness, make_store
from tests.support import metric_value as _sample


@pytest.fixture(params=STORE_KINDS)
def store(request):
    yield from make_store(request.param)


def harness(store, **kwargs) -> Harness:
    return Harness(store, **kwargs)


def rejected(breaker: CircuitBreaker) -> CircuitOpenError:
    with pytest.raises(CircuitOpenError) as info:
        breaker.acquire()
    return info.value


# -- CLOSED -> OPEN ---------------------------------------------------------------------------


def test_opens_exactly_at_failure_threshold(store):
    h = harness(store, failure_threshold=3, failure_rate_threshold=None, open_duration=30)
    h.fail(2)
    h.succeed(5)
    assert h.breaker.snapshot().state is State.CLOSED
    h.fail(1)
    snap = h.breaker.snapshot()
    assert snap.state is State.OPEN
    assert (snap.calls_in_window, snap.failures_in_window) == (8, 3)
    assert snap.opened_at == h.clock.now
    assert snap.last_transition_reason == "failure_threshold: 3 failures in the last 8 calls"
    assert h.transitions() == [("closed", "open")]
    assert h.events[0].actor == ""
    assert h.events[0].at == h.clock.now


def test_open_rejects_fast_with_retry_after_and_provider(store):
    h = harness(store, failure_threshold=2, open_duration=30)
    h.fail(2)
    h.clock.advance(10)
    err = rejected(h.breaker)
    assert err.retry_after == pytest.approx(20)
    assert err.provider == "p1"
    assert err.status_code == 503
    assert err.headers["Retry-After"] == "20"


def test_failure_rate_waits_for_minimum_calls(store):
    h = harness(
        store, failure_threshold=None, failure_rate_threshold=0.5, window_size=10, minimum_calls=4
    )
    h.fail(3)  # 100 % failed but only 3 calls
    assert h.breaker.snapshot().state is State.CLOSED
    h.succeed(1)  # 3 of 4 = 75 %
    snap = h.breaker.snapshot()
    assert snap.state is State.OPEN
    assert snap.failure_rate == pytest.approx(0.75)
    assert snap.last_transition_reason == "failure_rate: 3 of 4 calls failed (threshold 50%)"


def test_failure_rate_below_threshold_stays_closed(store):
    h = harness(
        store, failure_threshold=None, failure_rate_threshold=0.5, window_size=10, minimum_calls=4
    )
    for _ in range(5):  # 1 failure in 4 calls, over and over: at most 40 % < 50 %
        h.fail(1)
        h.succeed(3)
    snap = h.breaker.snapshot()
    assert snap.state is State.CLOSED
    assert snap.calls_in_window == 10
    assert h.events == []


def test_sliding_window_forgets_old_failures(store):
    h = harness(
        store, failure_threshold=3, failure_rate_threshold=None, window_size=4, minimum_calls=4
    )
    h.fail(2)
    h.succeed(3)  # window: F S S S -> 1 failure
    snap = h.breaker.snapshot()
    assert (snap.calls_in_window, snap.failures_in_window) == (4, 1)
    h.fail(1)  # S S S F
    h.fail(1)  # S S F F
    assert h.breaker.snapshot().state is State.CLOSED
    h.fail(1)  # S F F F -> 3 failures
    assert h.breaker.snapshot().state is State.OPEN
    assert h.transitions() == [("closed", "open")]


def test_slow_call_rate_opens(store):
    h = harness(
        store,
        failure_threshold=None,
        failure_rate_threshold=None,
        window_size=10,
        minimum_calls=4,
        slow_call_duration=1.0,
        slow_call_rate_threshold=0.5,
    )
    h.succeed(2, duration=2.0)
    h.succeed(1, duration=1.0)  # exactly the limit: not slow
    snap = h.breaker.snapshot()
    assert (snap.state, snap.slow_in_window) == (State.CLOSED, 2)
    h.succeed(1, duration=1.5)  # 3 slow of 4
    snap = h.breaker.snapshot()
    assert snap.state is State.OPEN
    assert snap.slow_in_window == 3
    assert snap.last_transition_reason == "slow_call_rate: 3 of 4 calls slow (threshold 50%)"


def test_minimum_calls_larger_than_a_shrunk_window_still_evaluates(store):
    h = harness(store, failure_threshold=None, failure_rate_threshold=0.5, window_size=20)
    h.settings.set(window_size=4, minimum_calls=4)
    h.fail(4)
    assert h.breaker.snapshot().state is State.OPEN


def test_settings_are_read_live(store):
    h = harness(store, failure_threshold=5, failure_rate_threshold=None)
    h.fail(2)
    assert h.breaker.snapshot().state is State.CLOSED
    h.settings.set(failure_threshold=3)
    h.fail(1)
    assert h.breaker.snapshot().state is State.OPEN


def test_window_shrink_trims_counts(store):
    h = harness(store, failure_threshold=None, failure_rate_threshold=None, window_size=10)
    h.fail(3)
    h.succeed(5)
    h.settings.set(window_size=4, minimum_calls=4)
    snap = h.breaker.snapshot()
    assert (snap.calls_in_window, snap.failures_in_window) == (4, 0)


# -- OPEN -> HALF_OPEN -> CLOSED / OPEN --------------------------------------------------------


def test_half_opens_lazily_after_open_duration(store):
    h = harness(store, failure_threshold=1, open_duration=30)
    h.fail(1)
    opened = h.clock.now
    h.clock.advance(29.999)
    assert rejected(h.breaker).retry_after == pytest.approx(0.001, abs=1e-6)
    assert h.transitions() == [("closed", "open")]
    h.clock.advance(0.001)
    permit = h.breaker.acquire()
    assert permit.trial is True
    assert h.transitions() == [("closed", "open"), ("open", "half_open")]
    assert h.events[-1].reason == "open_duration elapsed (30s)"
    snap = h.breaker.snapshot()
    assert (snap.state, snap.half_open_in_flight, snap.opened_at) == (State.HALF_OPEN, 1, opened)


def test_snapshot_half_opens_a_breaker_nobody_calls(store):
    h = harness(store, failure_threshold=1, open_duration=5)
    h.fail(1)
    h.clock.advance(5)
    snap = h.breaker.snapshot()
    assert snap.state is State.HALF_OPEN
    assert snap.retry_after == 0
    assert h.transitions() == [("closed", "open"), ("open", "half_open")]


def test_half_open_lets_exactly_max_calls_and_closes_when_all_succeed(store):
    h = harness(store, failure_threshold=1, open_duration=10, half_open_max_calls=3)
    h.fail(1)
    h.clock.advance(10)
    permits = [h.breaker.acquire() for _ in range(3)]
    assert all(p.trial for p in permits)
    assert len({p.token for p in permits}) == 3
    err = rejected(h.breaker)
    assert err.retry_after == pytest.approx(1.0)
    assert rejected(h.other()).retry_after == pytest.approx(1.0)
    h.breaker.record_success(permits[0], 0.1)
    h.breaker.record_success(permits[1], 0.1)
    snap = h.breaker.snapshot()
    assert (snap.state, snap.half_open_in_flight) == (State.HALF_OPEN, 1)
    rejected(h.breaker)  # two slots done, one still in flight: still no fourth trial
    h.breaker.record_success(permits[2], 0.1)
    snap = h.breaker.snapshot()
    assert snap.state is State.CLOSED
    assert (snap.calls_in_window, snap.failures_in_window, snap.opened_at) == (0, 0, None)
    assert snap.last_transition_reason == "3 trial calls succeeded"
    assert h.transitions() == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    assert h.breaker.acquire().trial is False


def test_failed_trial_reopens_with_a_fresh_open_duration(store):
    h = harness(store, failure_threshold=1, open_duration=10, half_open_max_calls=2)
    h.fail(1)
    h.clock.advance(15)
    first, second = h.breaker.acquire(), h.breaker.acquire()
    h.breaker.record_success(first, 0.1)
    h.clock.advance(2)
    h.breaker.record_failure(second, 0.1)
    snap = h.breaker.snapshot()
    assert snap.state is State.OPEN
    assert snap.opened_at == h.clock.now
    assert snap.last_transition_reason == "trial call failed"
    assert rejected(h.breaker).retry_after == pytest.approx(10)
    h.clock.advance(9.9)
    rejected(h.breaker)
    h.clock.advance(0.1)
    assert h.breaker.acquire().trial is True
    assert h.transitions() == [
        ("closed", "open"),
        ("open", "half_open"),
        ("half_open", "open"),
        ("open", "half_open"),
    ]


def test_lowering_half_open_max_calls_under_succeeded_trials_closes(store):
    h = harness(store, failure_threshold=1, open_duration=10, half_open_max_calls=3)
    h.fail(1)
    h.clock.advance(10)
    first, second = h.breaker.acquire(), h.breaker.acquire()
    h.breaker.record_success(first, 0.1)
    h.breaker.record_success(second, 0.1)
    h.settings.set(half_open_max_calls=2)
    permit = h.breaker.acquire()  # the two successes are all it takes now
    assert permit.trial is False
    assert h.breaker.snapshot().state is State.CLOSED
    assert h.events[-1].reason == "2 trial calls succeeded"


def test_slow_trials_reopen_when_slow_rate_is_configured(store):
    h = harness(
        store,
        failure_threshold=1,
        open_duration=10,
        slow_call_duration=1.0,
        slow_call_rate_threshold=0.5,
        minimum_calls=10,
    )
    h.fail(1)
    h.clock.advance(10)
    h.breaker.record_success(h.breaker.acquire(), 3.0)
    snap = h.breaker.snapshot()
    assert snap.state is State.OPEN
    assert snap.last_transition_reason == "slow trial calls: 1 of 1 (threshold 50%)"


def test_release_frees_a_trial_slot_without_counting(store):
    h = harness(store, failure_threshold=1, open_duration=10, half_open_max_calls=1)
    h.fail(1)
    h.clock.advance(10)
    permit = h.breaker.acquire()
    rejected(h.breaker)
    h.breaker.release(permit)
    assert h.breaker.snapshot().state is State.HALF_OPEN
    h.breaker.record_success(h.breaker.acquire(), 0.1)
    assert h.breaker.snapshot().state is State.CLOSED


def test_stale_trial_permit_expires_and_its_late_outcome_is_ignored(store):
    h = harness(store, failure_threshold=1, open_duration=10, half_open_max_calls=1)
    h.breaker = CircuitBreaker(
        "p1", h.settings, store, clock=h.clock, on_transition=h.events.append, trial_ttl=60
    )
    h.fail(1)
    h.clock.advance(10)
    lost = h.breaker.acquire()  # its process dies: never recorded
    h.clock.advance(59)
    rejected(h.breaker)
    h.clock.advance(1)
    fresh = h.breaker.acquire()
    assert fresh.trial
    assert fresh.token != lost.token
    h.breaker.record_failure(lost, 61.0)  # late answer from the expired permit: ignored
    snap = h.breaker.snapshot()
    assert (snap.state, snap.half_open_in_flight) == (State.HALF_OPEN, 1)
    h.breaker.record_success(fresh, 0.1)
    assert h.breaker.snapshot().state is State.CLOSED


def test_permit_from_an_earlier_closed_period_does_not_count(store):
    h = harness(store, failure_threshold=2, failure_rate_threshold=None, open_duration=10)
    old = h.breaker.acquire()
    h.fail(2)
    h.clock.advance(10)
    h.succeed(1)  # the trial closes it
    assert h.breaker.snapshot().state is State.CLOSED
    h.breaker.record_failure(old, 50.0)
    snap = h.breaker.snapshot()
    assert (snap.calls_in_window, snap.failures_in_window) == (0, 0)


def test_ordinary_permit_outcome_while_open_is_not_counted(store):
    h = harness(store, failure_threshold=2, failure_rate_threshold=None, open_duration=10)
    in_flight = h.breaker.acquire()
    h.fail(2)
    h.breaker.record_success(in_flight, 0.1)
    snap = h.breaker.snapshot()
    assert (snap.state, snap.calls_in_window, snap.failures_in_window) == (State.OPEN, 2, 2)


# -- operator overrides -------------------------------------------------------------------------


def test_force_open_rejects_everything_until_reset(store):
    h = harness(store, open_duration=30)
    h.breaker.force_open(actor="alice")
    err = rejected(h.breaker)
    assert err.retry_after == pytest.approx(30)
    h.clock.advance(3600)  # never half-opens by itself
    rejected(h.other())
    assert h.breaker.snapshot().state is State.FORCED_OPEN
    h.breaker.reset(actor="bob")
    snap = h.breaker.snapshot()
    assert snap.state is State.CLOSED
    assert h.breaker.acquire().trial is False
    assert [(e.from_state, e.to_state, e.actor, e.reason) for e in h.events] == [
        (State.CLOSED, State.FORCED_OPEN, "alice", "operator forced open"),
        (State.FORCED_OPEN, State.CLOSED, "bob", "operator reset"),
    ]


def test_disabled_always_passes_and_still_measures(store):
    h = harness(store, failure_threshold=2, failure_rate_threshold=None, window_size=10)
    h.breaker.disable(actor="alice")
    h.fail(6)
    permit = h.breaker.acquire()
    assert permit.trial is False
    h.breaker.release(permit)
    snap = h.breaker.snapshot()
    assert snap.state is State.DISABLED
    assert (snap.calls_in_window, snap.failures_in_window) == (6, 6)
    assert h.transitions() == [("closed", "disabled")]
    h.breaker.reset(actor="alice")
    snap = h.breaker.snapshot()
    assert (snap.state, snap.calls_in_window, snap.failures_in_window) == (State.CLOSED, 0, 0)
    assert h.transitions() == [("closed", "disabled"), ("disabled", "closed")]


def test_reset_closes_an_open_breaker_with_an_empty_window(store):
    h = harness(store, failure_threshold=2, open_duration=30)
    h.fail(2)
    h.breaker.reset(actor="ops@example.com")
    snap = h.breaker.snapshot()
    assert (snap.state, snap.calls_in_window, snap.opened_at) == (State.CLOSED, 0, None)
    assert snap.last_transition_reason == "operator reset"
    assert h.events[-1].actor == "ops@example.com"
    h.fail(1)  # counting starts again from zero
    assert h.breaker.snapshot().state is State.CLOSED


def test_override_is_shared_by_every_breaker_object_on_the_store(store):
    h = harness(store)
    other = h.other()
    h.breaker.force_open(actor="alice")
    rejected(other)
    other.reset(actor="bob")
    assert h.breaker.acquire().trial is False


def test_configured_mode_applies_live(store):
    h = harness(store)
    h.settings.set(mode=Mode.FORCED_OPEN)
    assert rejected(h.breaker).retry_after == pytest.approx(30)
    h.settings.set(mode=Mode.DISABLED)
    h.fail(10)
    assert h.breaker.snapshot().state is State.DISABLED
    h.settings.set(mode="auto")  # the string a database column holds
    assert h.breaker.snapshot().state is State.CLOSED


def test_operator_override_wins_over_configured_mode(store):
    h = harness(store, mode=Mode.FORCED_OPEN)
    h.breaker.disable(actor="alice")
    assert h.breaker.acquire().trial is False
    h.breaker.reset(actor="alice")  # clears the override; the configured mode applies again
    assert h.breaker.snapshot().state is State.FORCED_OPEN


# -- metrics, settings safety -------------------------------------------------------------------


def test_metrics_follow_the_state(store):
    h = harness(store, failure_threshold=2, open_duration=10)
    h.breaker = CircuitBreaker(  # labels unique to this test run
        f"m-{uuid.uuid4().hex}", h.settings, store, clock=h.clock, on_transition=h.events.append
    )
    name = h.breaker.name

    def gauge() -> float:
        return _sample("ai_platform_circuit_breaker_state", circuit_name=name)

    def moved(a: str, b: str) -> float:
        return _sample(
            "ai_platform_circuit_breaker_transitions_total",
            circuit_name=name,
            from_state=a,
            to_state=b,
        )

    failures_before = _sample("ai_platform_circuit_breaker_failures_total", circuit_name=name)
    h.succeed(1)
    assert gauge() == 0
    h.fail(2)
    assert gauge() == 1
    assert moved("closed", "open") == 1
    assert (
        _sample("ai_platform_circuit_breaker_failures_total", circuit_name=name) - failures_before
        == 2
    )
    h.clock.advance(10)
    trial = h.breaker.acquire()
    assert gauge() == 2
    h.breaker.record_success(trial, 0.1)
    assert gauge() == 0
    assert moved("half_open", "closed") == 1
    h.breaker.force_open(actor="a")
    assert gauge() == 1
    h.breaker.disable(actor="a")
    assert gauge() == 3
    assert moved("forced_open", "disabled") == 1


def test_invalid_live_settings_fall_back_to_defaults(store, caplog):
    h = harness(store)
    h.settings.value = BreakerSettings(window_size=0, failure_threshold=-1)
    with caplog.at_level(logging.ERROR, logger="apps.providers.breaker.core"):
        h.fail(4)
        assert h.breaker.snapshot().state is State.CLOSED
        h.fail(1)  # default threshold: 5
    assert h.breaker.snapshot().state is State.OPEN
    errors = [r for r in caplog.records if "Invalid breaker settings" in r.getMessage()]
    assert len(errors) == 1  # once per settings object, not once per call
