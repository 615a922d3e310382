"""Breakers through the real client (fakellm), fallback, events, live configuration."""

from __future__ import annotations

import time

import pytest

from apps.providers.breaker.config import State
from apps.providers.exceptions import CircuitOpenError, LLMError
from apps.providers.http import UpstreamStatusError
from apps.providers.models import BreakerEvent
from apps.providers.selectors import live_providers
from apps.providers.services import (
    breaker_force_open,
    breaker_reset,
    breaker_snapshot,
    complete,
    provider_update,
    stream_complete,
)
from apps.providers.types import Completion
from fakellm.testing import closed_port
from tests.providers.factories import make_provider
from tests.support import chat_requests as requests_made
from tests.support import metric_value

pytestmark = pytest.mark.django_db

HELLO = [{"role": "user", "content": "Say hello"}]
CHAT = "/v1/chat/completions"
TRIP_AT_3 = {
    "failure_threshold": 3,
    "failure_rate_threshold": None,
    "window_size": 10,
    "minimum_calls": 3,
    "open_duration": 0.5,
    "half_open_max_calls": 1,
}


@pytest.fixture
def fragile(fakellm):
    """No retries, opens after 3 failures, half-opens after 0.5 s."""
    return make_provider("fragile", base_url=fakellm.base_url, max_attempts=1, breaker=TRIP_AT_3)


def fail_times(n: int) -> None:
    for _ in range(n):
        with pytest.raises(UpstreamStatusError):
            complete(messages=HELLO, provider="fragile")


def test_opens_at_threshold_then_fails_fast_without_calling(fragile, fakellm):
    fakellm.set(mode="fail", status=500)
    fail_times(2)
    assert breaker_snapshot(provider="fragile").state == State.CLOSED
    fail_times(1)
    assert breaker_snapshot(provider="fragile").state == State.OPEN
    assert requests_made(fakellm) == 3

    started = time.perf_counter()
    with pytest.raises(CircuitOpenError) as info:
        complete(messages=HELLO, provider="fragile")
    assert time.perf_counter() - started < 0.25  # no upstream wait (loaded CI has jitter)
    assert info.value.status_code == 503
    assert 0 < info.value.retry_after <= 0.5
    assert info.value.headers["Retry-After"] == "1"
    assert requests_made(fakellm) == 3  # the upstream was not called


def test_half_opens_after_duration_and_closes_on_success(fragile, fakellm):
    fakellm.set(mode="fail", status=500)
    fail_times(3)
    fakellm.set(mode="ok")
    time.sleep(0.55)
    assert breaker_snapshot(provider="fragile").state == State.HALF_OPEN
    assert complete(messages=HELLO, provider="fragile").provider == "fragile"
    assert breaker_snapshot(provider="fragile").state == State.CLOSED
    transitions = list(
        BreakerEvent.objects.filter(circuit_name="fragile")
        .order_by("at", "id")
        .values_list("from_state", "to_state", "actor")
    )
    assert transitions == [
        ("closed", "open", ""),
        ("open", "half_open", ""),
        ("half_open", "closed", ""),
    ]


def test_failed_trial_reopens(fragile, fakellm):
    fakellm.set(mode="fail", status=500)
    fail_times(3)
    time.sleep(0.55)
    fail_times(1)  # the trial call
    snapshot = breaker_snapshot(provider="fragile")
    assert snapshot.state == State.OPEN
    with pytest.raises(CircuitOpenError):
        complete(messages=HELLO, provider="fragile")
    assert requests_made(fakellm) == 4


def test_never_retries_into_an_open_breaker(db, fakellm):
    make_provider(
        "eager",
        base_url=fakellm.base_url,
        max_attempts=5,
        breaker={**TRIP_AT_3, "failure_threshold": 2, "minimum_calls": 2},
    )
    fakellm.set(mode="fail", status=503)
    with pytest.raises(CircuitOpenError):
        complete(messages=HELLO, provider="eager")
    assert requests_made(fakellm) == 2  # the third attempt met the open breaker


def test_timeouts_count_unless_configured_not_to(db, fakellm):
    make_provider(
        "lenient",
        base_url=fakellm.base_url,
        max_attempts=1,
        read_timeout=0.2,
        breaker={**TRIP_AT_3, "count_timeouts": False},
    )
    fakellm.set(mode="hang")
    for _ in range(4):
        with pytest.raises(LLMError):
            complete(messages=HELLO, provider="lenient")
    snapshot = breaker_snapshot(provider="lenient")
    assert snapshot.state == State.CLOSED
    assert snapshot.failures_in_window == 0


def test_fallback_answers_when_primary_is_down(db):
    make_provider("backup", kind="offline")
    make_provider(
        "primary",
        base_url=f"http://127.0.0.1:{closed_port()}/v1",
        max_attempts=2,
        fallbacks=["backup"],
    )
    completion = complete(messages=HELLO, provider="primary")
    assert completion.provider == "backup"
    assert completion.fallbacks == ("primary",)


def test_fallback_skips_an_open_breaker_without_calling_it(db, fakellm):
    make_provider("backup", kind="offline")
    primary = make_provider("primary", base_url=fakellm.base_url, fallbacks=["backup"])
    breaker_force_open(provider=primary, actor="admin:alice")
    completion = complete(messages=HELLO, provider="primary")
    assert completion.provider == "backup"
    assert completion.fallbacks == ("primary",)
    assert requests_made(fakellm) == 0
    event = BreakerEvent.objects.get(circuit_name="primary")
    assert (event.to_state, event.actor) == ("forced_open", "admin:alice")
    breaker_reset(provider=primary, actor="admin:alice")
    assert complete(messages=HELLO, provider="primary").provider == "primary"


def test_chain_order_and_exhaustion_raise_the_last_error(db, fakellm):
    dead = f"http://127.0.0.1:{closed_port()}/v1"
    make_provider("third", base_url=fakellm.base_url, max_attempts=1)
    make_provider("second", base_url=dead, max_attempts=1)
    make_provider("first", base_url=dead, max_attempts=1, fallbacks=["second", "third"])
    assert complete(messages=HELLO, provider="first").fallbacks == ("first", "second")
    fakellm.set(mode="fail", status=500)
    with pytest.raises(UpstreamStatusError) as info:
        complete(messages=HELLO, provider="first")
    assert info.value.provider == "third"


def test_stream_falls_back_before_the_first_delta(db):
    make_provider("backup", kind="offline")
    make_provider("primary", base_url=f"http://127.0.0.1:{closed_port()}/v1", fallbacks=["backup"])
    items = list(stream_complete(messages=HELLO, provider="primary"))
    final = items[-1]
    assert isinstance(final, Completion)
    assert final.provider == "backup"
    assert final.fallbacks == ("primary",)


def test_breaker_settings_change_live(fragile, fakellm):
    fakellm.set(mode="fail", status=500)
    provider_update(provider=fragile, breaker={"failure_threshold": 1, "minimum_calls": 1})
    live_providers.invalidate()  # what the committed version bump does in every process
    fail_times(1)
    assert breaker_snapshot(provider="fragile").state == State.OPEN


def test_default_provider_is_used_without_a_name(db, fakellm):
    make_provider("main", base_url=fakellm.base_url, is_default=True)
    assert complete(messages=HELLO).provider == "main"


def test_embedded_default_without_any_provider_is_offline(db):
    completion = complete(messages=HELLO)
    assert completion.provider == "offline"
    assert completion.text


def test_transition_recording_failure_does_not_fail_the_call(fragile, fakellm, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(BreakerEvent.objects, "create", broken)
    fakellm.set(mode="fail", status=500)
    fail_times(3)  # the third trips the breaker: the event write fails, the call error stays
    assert breaker_snapshot(provider="fragile").state == State.OPEN


def test_slow_calls_open_the_breaker(db, fakellm):
    make_provider(
        "sluggish",
        base_url=fakellm.base_url,
        max_attempts=1,
        breaker={
            **TRIP_AT_3,
            "slow_call_duration": 0.1,
            "slow_call_rate_threshold": 0.5,
            "minimum_calls": 2,
        },
    )
    fakellm.set(mode="slow", delay=0.2)
    complete(messages=HELLO, provider="sluggish")  # slow but successful answers
    complete(messages=HELLO, provider="sluggish")
    snapshot = breaker_snapshot(provider="sluggish")
    assert snapshot.state == State.OPEN
    assert snapshot.last_transition_reason
    with pytest.raises(CircuitOpenError):
        complete(messages=HELLO, provider="sluggish")


def test_saved_change_bumps_the_live_version(fragile, fakellm, django_capture_on_commit_callbacks):
    fakellm.set(mode="fail", status=500)
    with django_capture_on_commit_callbacks(execute=True):
        provider_update(provider=fragile, breaker={"failure_threshold": 1, "minimum_calls": 1})
    # No manual invalidation: the committed bump reached this process's snapshot.
    assert live_providers.get().settings_for("fragile").failure_threshold == 1
    fail_times(1)
    assert breaker_snapshot(provider="fragile").state == State.OPEN


def test_calls_keep_working_when_the_breaker_store_is_unreachable(db, fakellm, settings, caplog):
    from apps.providers.runtime import breakers

    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    breakers.reset()
    make_provider("up", base_url=fakellm.base_url, max_attempts=1, breaker=TRIP_AT_3)
    assert complete(messages=HELLO, provider="up").provider == "up"
    assert metric_value("ai_platform_circuit_breaker_store_degraded") == 1
    assert "unreachable" in caplog.text
    # Per-process state still protects: the breaker opens and fails fast locally.
    fakellm.set(mode="fail", status=500)
    for _ in range(3):
        with pytest.raises(UpstreamStatusError):
            complete(messages=HELLO, provider="up")
    with pytest.raises(CircuitOpenError):
        complete(messages=HELLO, provider="up")
    assert requests_made(fakellm) == 4
