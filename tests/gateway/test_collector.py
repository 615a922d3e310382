"""The collector governor: cyclic garbage collection off while a process is busy, back on when
it is calm, and a periodic collection while it stays busy (apps.gateway.collector)."""

from __future__ import annotations

import gc

import pytest

from apps.gateway.collector import CollectorGovernor


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector_restored():
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.fixture
def collections(monkeypatch) -> list[int]:
    made: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: made.append(generation) or 0)
    return made


def test_busy_defers_and_calm_resumes_with_hysteresis(collector_restored, collections):
    gc.enable()
    governor = CollectorGovernor(defer_above=100, max_defer=10, clock=Clock())

    governor.update(99)
    assert gc.isenabled()
    assert not governor.deferring
    governor.update(100)
    assert not gc.isenabled()
    assert governor.deferring
    governor.update(60)  # still at least half of the threshold: stays off
    assert not gc.isenabled()
    governor.update(49)
    assert gc.isenabled()
    assert not governor.deferring
    assert collections == []


def test_a_process_that_stays_busy_still_collects(collector_restored, collections):
    gc.enable()
    clock = Clock()
    governor = CollectorGovernor(defer_above=10, max_defer=5, clock=clock)
    governor.update(500)
    for _ in range(12):  # 12 s busy, a beat a second
        clock.now += 1
        governor.update(500)
    assert collections == [1, 1]  # at 5 s and 10 s: young and middle generations
    assert not gc.isenabled()


def test_resume_turns_it_back_on_and_a_collector_someone_else_disabled_is_left_alone(
    collector_restored, collections
):
    gc.enable()
    governor = CollectorGovernor(defer_above=10, max_defer=5, clock=Clock())
    governor.update(20)
    governor.resume()  # shutdown
    assert gc.isenabled()
    assert not governor.deferring

    gc.disable()
    governor.update(20)
    assert not governor.deferring
    governor.update(0)
    assert not gc.isenabled()  # not ours: still off


def test_zero_never_defers(collector_restored):
    gc.enable()
    governor = CollectorGovernor(defer_above=0, max_defer=5, clock=Clock())
    governor.update(10_000)
    assert gc.isenabled()
    assert not governor.deferring
