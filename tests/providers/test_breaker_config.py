"""Breaker settings: negative, absurd and contradictory values are rejected, field by field."""

from __future__ import annotations

import math

import pytest

from apps.providers.breaker import (
    STATE_GAUGE_VALUE,
    BreakerSettings,
    BreakerSettingsError,
    Mode,
    State,
)


def errors_of(**kwargs) -> dict[str, str]:
    with pytest.raises(ValueError) as info:
        BreakerSettings(**kwargs).validate()
    assert isinstance(info.value, BreakerSettingsError)
    assert info.value.args[0] == info.value.errors
    return info.value.errors


def test_defaults_are_valid():
    BreakerSettings().validate()
    BreakerSettings(
        failure_threshold=None,
        failure_rate_threshold=None,
        window_size=1,
        minimum_calls=1,
        slow_call_duration=0.5,
        slow_call_rate_threshold=1.0,
        open_duration=0.1,
        half_open_max_calls=1,
        mode=Mode.DISABLED,
    ).validate()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("failure_threshold", 0),
        ("failure_threshold", -3),
        ("failure_threshold", 21),  # more failures than the window can hold: never trips
        ("failure_threshold", 2.5),
        ("failure_threshold", True),
        ("failure_rate_threshold", 0),
        ("failure_rate_threshold", -0.1),
        ("failure_rate_threshold", 1.5),
        ("failure_rate_threshold", math.nan),
        ("window_size", 0),
        ("window_size", -1),
        ("window_size", 10_000_000),
        ("minimum_calls", 0),
        ("minimum_calls", 21),
        ("open_duration", 0),
        ("open_duration", -5),
        ("open_duration", math.inf),
        ("open_duration", 10 * 24 * 3600),
        ("open_duration", "30"),
        ("half_open_max_calls", 0),
        ("half_open_max_calls", 1_000_000),
        ("mode", "sometimes"),
    ],
)
def test_rejects_bad_value(field, value):
    errors = errors_of(**{field: value})
    assert field in errors
    assert errors[field]


def test_slow_call_duration_and_rate_go_together():
    assert "slow_call_rate_threshold" in errors_of(slow_call_duration=2.0)
    assert "slow_call_duration" in errors_of(slow_call_rate_threshold=0.5)
    assert "slow_call_duration" in errors_of(slow_call_duration=-1, slow_call_rate_threshold=0.5)
    assert "slow_call_duration" in errors_of(slow_call_duration=1e9, slow_call_rate_threshold=0.5)


def test_reports_every_bad_field_at_once():
    errors = errors_of(window_size=-1, open_duration=-1, half_open_max_calls=0)
    assert {"window_size", "open_duration", "half_open_max_calls"} <= set(errors)


def test_mode_accepts_the_stored_string():
    assert BreakerSettings(mode="forced_open").mode is Mode.FORCED_OPEN


def test_state_gauge_values_make_the_alert_fire_on_anything_not_closed():
    assert STATE_GAUGE_VALUE[State.CLOSED] == 0
    assert STATE_GAUGE_VALUE[State.OPEN] == 1
    assert STATE_GAUGE_VALUE[State.HALF_OPEN] == 2
    assert STATE_GAUGE_VALUE[State.FORCED_OPEN] == 1
    assert STATE_GAUGE_VALUE[State.DISABLED] == 3
    assert set(STATE_GAUGE_VALUE) == set(State)
