"""Breaker configuration (what opens it, how long it stays open) and its states.

The numbers mirror Resilience4j's count-based sliding window. Settings are plain frozen values so
a breaker can read them through a callable on every call: the providers app feeds them live from
the database without the engine knowing about models.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, fields
from enum import Enum

# Upper bounds beyond which a value is a typo rather than a choice (a window of a million calls,
# a breaker open for a week). They keep the shared state small and the Lua scripts O(1).
MAX_WINDOW_SIZE = 10_000
MAX_HALF_OPEN_CALLS = 1_000
MAX_OPEN_DURATION = 24 * 3600.0
MAX_SLOW_CALL_DURATION = 3600.0


class Mode(str, Enum):
    """How the breaker is run: by its thresholds, or held open / out of the way by an operator."""

    AUTO = "auto"
    FORCED_OPEN = "forced_open"
    DISABLED = "disabled"


class State(str, Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"
    FORCED_OPEN = "forced_open"
    DISABLED = "disabled"


# Value of ai_platform_circuit_breaker_state: the alert "> 0" fires on anything not closed.
STATE_GAUGE_VALUE: dict[State, int] = {
    State.CLOSED: 0,
    State.OPEN: 1,
    State.HALF_OPEN: 2,
    State.FORCED_OPEN: 1,
    State.DISABLED: 3,
}


class BreakerSettingsError(ValueError):
    """Invalid settings; ``errors`` (also ``args[0]``) maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class BreakerSettings:
    # failures in the window that open it (None = off)
    failure_threshold: int | None = 5
    # 0<x<=1 share of failures over the window once minimum_calls is reached (None = off)
    failure_rate_threshold: float | None = 0.5
    # count-based sliding window of the last N calls
    window_size: int = 20
    # calls in the window before the failure/slow rates are evaluated
    minimum_calls: int = 10
    # seconds; a call slower than this counts as slow (None = off)
    slow_call_duration: float | None = None
    # 0<x<=1 share of slow calls in the window that opens it (None = off)
    slow_call_rate_threshold: float | None = None
    # seconds OPEN before HALF_OPEN
    open_duration: float = 30.0
    # trial calls let through in HALF_OPEN, across all processes together
    half_open_max_calls: int = 1
    mode: Mode = Mode.AUTO

    def __post_init__(self) -> None:
        # Accept the plain string a database column holds ("auto"); validate() reports the rest.
        if not isinstance(self.mode, Mode):
            with contextlib.suppress(ValueError):
                object.__setattr__(self, "mode", Mode(self.mode))

    def validate(self) -> None:
        """Raise :class:`BreakerSettingsError` (a ``ValueError``) naming every bad field."""
        errors: dict[str, str] = {}

        def integer(name: str, low: int, high: int, *, optional: bool = False) -> None:
            value = getattr(self, name)
            if value is None and optional:
                return
            if isinstance(value, bool) or not isinstance(value, int):
                errors[name] = "must be a whole number"
            elif not low <= value <= high:
                errors[name] = f"must be between {low} and {high}"

        def number(name: str, high: float, *, optional: bool = False) -> None:
            value = getattr(self, name)
            if value is None and optional:
                return
            if isinstance(value, bool) or not isinstance(value, int | float):
                errors[name] = "must be a number"
            elif not math.isfinite(value) or value <= 0 or value > high:
                errors[name] = f"must be greater than 0 and at most {high:g}"

        integer("window_size", 1, MAX_WINDOW_SIZE)
        window = self.window_size if "window_size" not in errors else MAX_WINDOW_SIZE
        integer("failure_threshold", 1, window, optional=True)
        integer("minimum_calls", 1, window)
        number("failure_rate_threshold", 1.0, optional=True)
        number("slow_call_rate_threshold", 1.0, optional=True)
        number("slow_call_duration", MAX_SLOW_CALL_DURATION, optional=True)
        number("open_duration", MAX_OPEN_DURATION)
        integer("half_open_max_calls", 1, MAX_HALF_OPEN_CALLS)
        if not isinstance(self.mode, Mode):
            errors["mode"] = "must be one of " + ", ".join(m.value for m in Mode)
        if (self.slow_call_rate_threshold is None) != (self.slow_call_duration is None):
            key = (
                "slow_call_duration"
                if self.slow_call_duration is None
                else "slow_call_rate_threshold"
            )
            errors.setdefault(key, "slow_call_duration and slow_call_rate_threshold go together")
        if errors:
            raise BreakerSettingsError(errors)

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
