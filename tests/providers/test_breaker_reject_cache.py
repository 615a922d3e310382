"""The short local echo of an OPEN verdict: cheap rejections, never stale beyond its TTL, never
past the open deadline, dropped at once by a settings change or an operator action here."""

from __future__ import annotations

import pytest

from apps.providers.breaker import CircuitBreaker, Mode, State
from apps.providers.exceptions import CircuitOpenError
from tests.providers.breaker_support import STORE_KINDS, Harness, make_store


class CountingStore:
    """Passes every operation to the real store, counting acquires."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.acquires = 0

    def acquire(self, *args, **kwargs):
        self.acquires += 1
        return self.inner.acquire(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture(params=STORE_KINDS)
def store(request):
    for inner in make_store(request.param):
        yield CountingStore(inner)


def breaker(h: Harness, store: CountingStore, ttl: float = 0.25) -> CircuitBreaker:
    return CircuitBreaker(
        "p1", h.settings, store, clock=h.clock, on_transition=h.events.append, reject_cache_ttl=ttl
    )


def rejects(b: CircuitBreaker) -> float:
    with pytest.raises(CircuitOpenError) as info:
        b.acquire()
    return info.value.retry_after


def test_open_rejections_within_the_ttl_stay_local(store):
    h = Harness(store, failure_threshold=1, open_duration=30)
    h.fail(1)
    b = breaker(h, store)
    before = store.acquires
    assert rejects(b) == pytest.approx(30)
    h.clock.advance(0.1)
    assert rejects(b) == pytest.approx(29.9)
    h.clock.advance(0.1)
    rejects(b)
    assert store.acquires - before == 1
    h.clock.advance(0.05)  # ttl over: ask the shared store again
    assert rejects(b) == pytest.approx(29.75)
    assert store.acquires - before == 2


def test_never_cached_past_the_open_deadline(store):
    h = Harness(store, failure_threshold=1, open_duration=0.1)
    h.fail(1)
    b = breaker(h, store)
    rejects(b)
    h.clock.advance(0.1)
    assert b.acquire().trial is True


def test_reset_elsewhere_is_in_force_here_within_the_ttl(store):
    h = Harness(store, failure_threshold=1, open_duration=30)
    h.fail(1)
    here, elsewhere = breaker(h, store), breaker(h, store)
    rejects(here)
    elsewhere.reset(actor="ops")
    h.clock.advance(0.2)
    rejects(here)  # still echoing the verdict it saw 0.2 s ago
    h.clock.advance(0.05)
    assert here.acquire().trial is False


def test_operator_action_or_settings_change_here_applies_at_once(store):
    h = Harness(store, failure_threshold=1, open_duration=30)
    h.fail(1)
    b = breaker(h, store)
    rejects(b)
    h.settings.set(mode=Mode.DISABLED)
    assert b.acquire().trial is False
    h.settings.set(mode=Mode.AUTO)
    rejects(b)
    b.reset(actor="ops")
    assert b.acquire().trial is False
    b.force_open(actor="ops")
    rejects(b)
    b.disable(actor="ops")
    assert b.acquire().trial is False


def test_busy_half_open_is_not_cached(store):
    h = Harness(store, failure_threshold=1, open_duration=5, half_open_max_calls=1)
    h.fail(1)
    h.clock.advance(5)
    b = breaker(h, store)
    trial = b.acquire()
    rejects(b)
    b.release(trial)
    assert b.acquire().trial is True
    assert b.snapshot().state is State.HALF_OPEN


def test_zero_ttl_asks_the_store_every_time(store):
    h = Harness(store, failure_threshold=1, open_duration=30)
    h.fail(1)
    b = breaker(h, store, ttl=0)
    before = store.acquires
    for _ in range(5):
        rejects(b)
    assert store.acquires - before == 5
