"""The circuit breaker a caller holds: permits in, outcomes out, over a shared store.

The state machine itself runs inside the store, one atomic step per operation (a Lua script on
Redis, a lock in process), so every process sees the same transitions exactly once. This class
reads the settings for each call, decides what counts as slow, emits transition events and keeps
the metrics current.

States (like Resilience4j): CLOSED -> OPEN when the failure count, failure rate or slow-call rate
of the count-based window crosses its threshold; OPEN -> HALF_OPEN once ``open_duration`` has
passed (lazily, on the next acquire or snapshot); HALF_OPEN lets exactly ``half_open_max_calls``
trial permits through and closes when they all succeed or re-opens on a failed one. Operator
overrides FORCED_OPEN (reject all) and DISABLED (pass all, still measured) are stored in the
shared state too. A process echoes an OPEN verdict for at most ``reject_cache_ttl`` (0.25 s)
so that rejecting stays local and cheap; operator changes reach every process within that time.
A permit only counts in the state it was issued in (an epoch in its token), so
a slow call started before a reset or a transition cannot skew the next window.

Deferred successes (``defer_successes=True``, what the providers app uses with Redis): the
common path -- CLOSED, an ordinary permit, a call that succeeded fast -- then costs ONE store round
trip (the acquire) instead of two. Its outcome goes to a process-wide spool that a daemon thread
sends within milliseconds, many per round trip (``deferred.py``). What stays synchronous and
atomic: every acquire (so a trip in one process makes the next call in every process fail
fast), failures (they trip the breaker), slow calls (they can trip it), half-open trials (exact
trial counting across processes) and releases. The trade-off: the shared window sees another
process's fast successes up to a few milliseconds late, so for that long a failure rate can read
slightly high -- as if those calls had finished a moment later; a process's own outcomes stay
in order (a synchronous record first flushes its pending successes), and a success whose epoch
ended meanwhile (trip, reset) is ignored as it would be synchronously. A process killed hard
loses at most its last milliseconds of successes, which only under-counts successes.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from apps.core.aio import on_event_loop
from apps.providers.breaker import metrics
from apps.providers.breaker.config import STATE_GAUGE_VALUE, BreakerSettings, Mode, State
from apps.providers.breaker.deferred import LINGER_SECONDS, MAX_PENDING, spool
from apps.providers.exceptions import CircuitOpenError

if TYPE_CHECKING:
    from apps.providers.breaker.stores import (
        AcquireResult,
        AsyncBreakerStore,
        BreakerStore,
        StateResult,
    )

logger = logging.getLogger(__name__)

R = TypeVar("R")

# A trial permit whose caller never reports back (process killed mid-call) frees its half-open
# slot after this long, so the breaker cannot wedge in HALF_OPEN. Pass a ``trial_ttl`` above the
# longest legitimate call (connect + read timeouts x attempts): a trial outliving it lets one
# more trial in, which is harmless; a longer TTL only delays recovery after a crash.
DEFAULT_TRIAL_TTL = 120.0

# How long a process keeps rejecting on an OPEN / FORCED_OPEN verdict before asking the shared
# store again (never past the open deadline). 0 asks the store on every call.
DEFAULT_REJECT_CACHE_TTL = 0.25


@dataclass(frozen=True)
class Permit:
    name: str
    trial: bool  # True for a HALF_OPEN trial call
    token: str


@dataclass(frozen=True)
class TransitionEvent:
    name: str
    from_state: State
    to_state: State
    reason: str
    actor: str  # "" = automatic
    at: float


@dataclass(frozen=True)
class BreakerSnapshot:
    name: str
    state: State
    calls_in_window: int
    failures_in_window: int
    slow_in_window: int
    failure_rate: float
    opened_at: float | None
    retry_after: float
    half_open_in_flight: int
    last_transition_at: float | None
    last_transition_reason: str


# Token ids only need to be unique among the trial permits of one breaker; a per-process random
# prefix plus a counter is unique across processes and far cheaper than uuid4 on the hot path.
_TOKEN_PREFIX = os.urandom(6).hex()
_token_counter = itertools.count()


def _new_token_id() -> str:
    return f"{_TOKEN_PREFIX}{next(_token_counter):x}"


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        settings: Callable[[], BreakerSettings],
        store: BreakerStore,
        *,
        clock: Callable[[], float] = time.time,
        on_transition: Callable[[TransitionEvent], None] | None = None,
        trial_ttl: float = DEFAULT_TRIAL_TTL,
        reject_cache_ttl: float = DEFAULT_REJECT_CACHE_TTL,
        defer_successes: bool = False,
    ) -> None:
        self.name = name
        self._defer = defer_successes
        self._settings = settings
        self._store = store
        self._clock = clock
        self._on_transition = on_transition
        self._trial_ttl = trial_ttl
        self._reject_cache_ttl = reject_cache_ttl
        # (settings in force, reject until, open deadline or None for forced open, state)
        self._rejecting: tuple[BreakerSettings, float, float | None, State] | None = None
        self._gauge = metrics.CIRCUIT_STATE.labels(circuit_name=name)
        self._failures = metrics.CIRCUIT_FAILURES.labels(circuit_name=name)
        # (settings as given, settings in force): one tuple, so threads never see a torn pair
        self._validated: tuple[BreakerSettings | None, BreakerSettings] = (None, BreakerSettings())

    def __repr__(self) -> str:
        return f"<CircuitBreaker {self.name!r}>"

    # -- calls -------------------------------------------------------------------------------

    def acquire(self) -> Permit:
        """A permit to call, or :class:`CircuitOpenError` at once (never blocks)."""
        settings, now = self._before_acquire()
        result = self._store.acquire(
            self.name, settings, now, token_id=_new_token_id(), trial_ttl=self._trial_ttl
        )
        return self._after_acquire(settings, now, result)

    # The steps around each store call, shared with AsyncCircuitBreaker (which awaits the store).

    def _before_acquire(self) -> tuple[BreakerSettings, float]:
        settings = self._current_settings()
        now = self._clock()
        rejecting = self._rejecting
        if rejecting is not None and rejecting[0] is settings and now < rejecting[1]:
            _, _, deadline, state = rejecting
            self._gauge.set(STATE_GAUGE_VALUE[state])
            retry_after = settings.open_duration if deadline is None else deadline - now
            raise CircuitOpenError(retry_after=retry_after, provider=self.name)
        return settings, now

    def _after_acquire(
        self, settings: BreakerSettings, now: float, result: AcquireResult
    ) -> Permit:
        self._after(result.state, result.transitions)
        if result.allowed:
            self._rejecting = None
            return Permit(self.name, result.trial, result.token)
        self._remember_rejection(settings, now, result.state, result.retry_after)
        raise CircuitOpenError(retry_after=result.retry_after, provider=self.name)

    def _remember_rejection(
        self, settings: BreakerSettings, now: float, state: State, retry_after: float
    ) -> None:
        # An OPEN verdict is echoed locally for a fraction of a second, never past the open
        # deadline: rejecting then costs no Redis round trip, and a reset or force-open elsewhere
        # is in force here within reject_cache_ttl. A busy HALF_OPEN is not cached: its slots
        # free up at any moment.
        ttl = self._reject_cache_ttl
        if ttl <= 0 or state not in (State.OPEN, State.FORCED_OPEN):
            self._rejecting = None
        elif state is State.OPEN:
            deadline = now + retry_after
            self._rejecting = (settings, min(now + ttl, deadline), deadline, state)
        else:
            self._rejecting = (settings, now + ttl, None, state)

    def record_success(self, permit: Permit, duration: float) -> None:
        self._record(permit, duration, failure=False)

    def record_failure(self, permit: Permit, duration: float) -> None:
        self._failures.inc()
        self._record(permit, duration, failure=True)

    def release(self, permit: Permit) -> None:
        """The call ended without counting (e.g. a client error): frees a half-open slot."""
        if not permit.trial:  # nothing to give back: spare the store a round trip
            return
        result = self._store.release(
            self.name, self._current_settings(), self._clock(), token=permit.token
        )
        self._after(result.state, result.transitions)

    def flush_deferred(self) -> None:
        """Send this process's pending deferred successes of this breaker now."""
        if self._defer:
            spool.flush(self)

    def _record(self, permit: Permit, duration: float, *, failure: bool) -> None:
        settings, slow = self._before_record(permit, duration, failure=failure)
        if settings is None:
            return
        result = self._store.record(
            self.name, settings, self._clock(), token=permit.token, failure=failure, slow=slow
        )
        self._after(result.state, result.transitions)

    def _before_record(
        self, permit: Permit, duration: float, *, failure: bool
    ) -> tuple[BreakerSettings | None, bool]:
        """(settings, slow) for a synchronous record, or (None, False) once deferred."""
        settings = self._current_settings()
        slow = settings.slow_call_duration is not None and duration > settings.slow_call_duration
        if self._defer:
            if (
                not failure
                and not slow
                and not permit.trial
                and spool.add(self, settings, self._clock(), permit.token)
            ):
                return None, False
            spool.flush(self)  # this process's earlier successes reach the store first
        return settings, slow

    # -- operators ---------------------------------------------------------------------------

    def snapshot(self) -> BreakerSnapshot:
        if self._defer:
            spool.flush(self)
        result = self._store.snapshot(self.name, self._current_settings(), self._clock())
        self._after(result.snapshot.state, result.transitions)
        if result.snapshot.state not in (State.OPEN, State.FORCED_OPEN):
            self._rejecting = None
        return result.snapshot

    def reset(self, *, actor: str) -> None:
        """Back to CLOSED, empty window, AUTO mode (the configured mode still applies)."""
        self._override("reset", actor)

    def force_open(self, *, actor: str) -> None:
        self._override("force_open", actor)

    def disable(self, *, actor: str) -> None:
        self._override("disable", actor)

    def _override(self, action: str, actor: str) -> None:
        self._rejecting = None
        result = self._store.override(
            self.name, self._current_settings(), self._clock(), action=action, actor=actor
        )
        self._after(result.state, result.transitions)

    # -- internals ---------------------------------------------------------------------------

    def _record_successes(
        self, settings: BreakerSettings, now: float, token: str, count: int
    ) -> None:
        """Deferred successes, sent by the spool (``deferred.py``)."""
        result = self._store.record_successes(self.name, settings, now, token=token, count=count)
        self._after(result.state, result.transitions)

    def _current_settings(self) -> BreakerSettings:
        settings = self._settings()
        checked, effective = self._validated
        # The live cache hands out the same object until it moves: validate once per object.
        if settings is checked or settings == checked:
            return effective
        try:
            settings.validate()
        except ValueError as exc:
            # The providers app validates on save; if a bad value slips through, run on the
            # defaults (keeping the mode) rather than failing every call or breaking the script.
            logger.error("Invalid breaker settings for %s, using defaults: %s", self.name, exc)
            mode = settings.mode if isinstance(settings.mode, Mode) else Mode.AUTO
            effective = BreakerSettings(mode=mode)
        else:
            effective = settings
        self._validated = (settings, effective)
        return effective

    def _after(self, state: State, transitions: tuple[TransitionEvent, ...]) -> None:
        self._gauge.set(STATE_GAUGE_VALUE[state])
        for event in transitions:
            metrics.CIRCUIT_TRANSITIONS.labels(
                circuit_name=self.name,
                from_state=event.from_state.value,
                to_state=event.to_state.value,
            ).inc()
            logger.info(
                "Circuit breaker %s: %s -> %s (%s)%s",
                self.name,
                event.from_state.value,
                event.to_state.value,
                event.reason,
                f" by {event.actor}" if event.actor else "",
            )
            if self._on_transition is not None:
                try:
                    self._on_transition(event)
                except Exception:
                    # Recording the event (a database write upstream) must not fail the call.
                    logger.exception("on_transition handler failed for breaker %s", self.name)


class AsyncCircuitBreaker:
    """The event loop's face of a :class:`CircuitBreaker`: the same breaker object (settings,
    rejection echo, metrics, transition events) over an async store that shares the state with
    the sync one (the same Lua scripts and keys on Redis, the very same in-process machines
    without it). Only the store round trips are awaited.

    Deferred successes on the server's loop: a fast CLOSED success waits on the loop (no thread,
    no extra round trip) and goes to the store in the same pipelined round trip as this
    breaker's next store call (its next acquire, usually), or after ``LINGER_SECONDS`` when none
    comes. So a busy process pays one Redis round trip per request, the acquire; the ordering
    and trade-off are those of the thread spool (see the module docstring): this loop's
    successes reach the store before its own next outcome. Elsewhere (a throwaway loop: tests,
    an async view under WSGI) successes go to the thread spool, which outlives the loop."""

    def __init__(self, breaker: CircuitBreaker, store: AsyncBreakerStore) -> None:
        self.breaker = breaker
        self.name = breaker.name
        self._store = store
        self._pending: list[tuple[BreakerSettings, float, str]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task] = set()

    def __repr__(self) -> str:
        return f"<AsyncCircuitBreaker {self.name!r}>"

    async def acquire(self) -> Permit:
        breaker = self.breaker
        settings, now = breaker._before_acquire()
        token_id, ttl = _new_token_id(), breaker._trial_ttl
        result = await self._run(
            lambda store: store.acquire(self.name, settings, now, token_id=token_id, trial_ttl=ttl)
        )
        return breaker._after_acquire(settings, now, result)

    async def record_success(self, permit: Permit, duration: float) -> None:
        await self._record(permit, duration, failure=False)

    async def record_failure(self, permit: Permit, duration: float) -> None:
        self.breaker._failures.inc()
        await self._record(permit, duration, failure=True)

    async def release(self, permit: Permit) -> None:
        if not permit.trial:
            return
        breaker = self.breaker
        settings, now = breaker._current_settings(), breaker._clock()
        result = await self._run(
            lambda store: store.release(self.name, settings, now, token=permit.token)
        )
        breaker._after(result.state, result.transitions)

    async def flush(self) -> None:
        """Send this loop's pending successes now (shutdown, tests)."""
        ops = self._take_pending()
        if ops:
            self._settled(await self._store.run_many(ops))

    async def _record(self, permit: Permit, duration: float, *, failure: bool) -> None:
        breaker = self.breaker
        if breaker._defer and not failure and not permit.trial and on_event_loop():
            settings = breaker._current_settings()
            slow = (
                settings.slow_call_duration is not None and duration > settings.slow_call_duration
            )
            if not slow and len(self._pending) < MAX_PENDING:
                self._pending.append((settings, breaker._clock(), permit.token))
                if self._timer is None:
                    loop = asyncio.get_running_loop()
                    self._timer = loop.call_later(LINGER_SECONDS, self._flush_soon)
                return
        settings_or_none, slow = breaker._before_record(permit, duration, failure=failure)
        if settings_or_none is None:
            return
        settings, now = settings_or_none, breaker._clock()
        result = await self._run(
            lambda store: store.record(
                self.name, settings, now, token=permit.token, failure=failure, slow=slow
            )
        )
        breaker._after(result.state, result.transitions)

    async def _run(self, op: Callable[[BreakerStore], R]) -> R:
        """``op`` with this loop's pending successes ahead of it, in one round trip."""
        ahead = self._take_pending()
        if not ahead:
            return await self._store.run(op)
        *done, result = await self._store.run_many([*ahead, op])
        self._settled(done)
        return result

    def _take_pending(self) -> list[Callable[[BreakerStore], StateResult]]:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return []
        pending, self._pending = self._pending, []
        # Consecutive successes of one settings object and epoch token: one step.
        groups: dict[tuple[int, str], list] = {}
        for settings, now, token in pending:
            group = groups.get((id(settings), token))
            if group is None:
                groups[(id(settings), token)] = [settings, now, token, 1]
            else:
                group[1] = max(group[1], now)
                group[3] += 1
        return [self._successes_op(*group) for group in groups.values()]

    def _successes_op(
        self, settings: BreakerSettings, now: float, token: str, count: int
    ) -> Callable[[BreakerStore], StateResult]:
        return lambda store: store.record_successes(
            self.name, settings, now, token=token, count=count
        )

    def _settled(self, results: list[StateResult]) -> None:
        for result in results:
            self.breaker._after(result.state, result.transitions)

    def _flush_soon(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self._flush_logged())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:
            # The failover store already turns Redis outages into local state; anything else
            # is a bug that must not surface in some unrelated request.
            logger.exception("breaker %s: recording deferred successes failed", self.name)
