"""Request starts paced per turn of the event loop.

A burst of new requests reaches the loop all at once: one turn reads every connection that became
readable and schedules a task per request, and the next turn runs every one of those tasks up to
its first wait (parsing, authentication, the guard: about a millisecond of CPU each). A thousand
requests make that one turn last a second, and whatever else the process serves waits for it:
the chunks of open streams, ``/health``, the responses of requests already answered. Measured
under a 2,000-stream burst (``bench/gateway/scenarios.py streams``): turns of 0.9-1.6 s.

:class:`StartPacer` lets at most ``per_turn`` requests begin per turn; the others wait in arrival
order, and each later turn lets the next ones in. The work is the same and no CPU is left idle (a
turn with nothing else to do is a few microseconds long, so the queue drains as fast as the
requests can be started), but a turn stays short and the rest of the process interleaves with
the burst. First come, first started: a request's wait is the work ahead of it, not a share of
the whole burst's.

(``asyncio.Semaphore`` bounds how many are inside at once, which would hold a slot through the
request's wait for its upstream; what needs bounding here is how much starts in one turn.)

Open streams yield too. A stream that has already sent its first content relays what its
upstream sent only while this turn's relay budget (``relays_per_turn``) lasts and no start waits;
otherwise it waits at :meth:`StartPacer.relay_turn` and resumes in a later turn, first come first
resumed, ``relays_per_turn`` a turn. Two things follow. A burst's starts, which a waiting client
cannot see any progress without, go ahead of streams that are already flowing; and the chunks of
a thousand streams that arrive together (an upstream's streams keep in step) are relayed over
several turns rather than in one turn of a hundred milliseconds, so ``/health`` and the starts
keep being served. A stream that waited loses nothing but granularity: what its upstream sent
meanwhile is read in one go and leaves as one event (``apps.providers.clients.base.apost_stream``
merges the deltas of one read), which also spares a redaction pass and a write to the client for
each delta merged: relay work shrinks exactly when the CPU is short. With the budget left and
nothing waiting, :meth:`StartPacer.may_relay` is a counter and nothing is awaited.
"""

from __future__ import annotations

import asyncio
from collections import deque


class StartPacer:
    """At most ``per_turn`` callers of :meth:`turn` proceed per turn of the event loop, first
    come first served; ``per_turn <= 0`` lets everyone through at once. Streams relay at most
    ``relays_per_turn`` per turn, and none while starts wait (:meth:`may_relay`)."""

    def __init__(self, per_turn: int, relays_per_turn: int = 16) -> None:
        self.per_turn = per_turn
        self.relays_per_turn = max(1, relays_per_turn)
        self._admitted = 0  # callers let through in the current turn
        self._relayed = 0  # relays that went on in the current turn
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._relays: deque[asyncio.Future[None]] = deque()
        self._turn_scheduled = False

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def relays_waiting(self) -> int:
        return len(self._relays)

    async def turn(self) -> None:
        """Return once the caller may start (at once when this turn has room and nobody waits)."""
        if self.per_turn <= 0:
            return
        if not self._waiting and self._admitted < self.per_turn:
            self._admitted += 1
            self._schedule_next_turn()
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        self._schedule_next_turn()
        await waiter  # cancelled (the client left): _next_turn skips it

    def may_relay(self) -> bool:
        """Whether a stream may relay now (counted against this turn's budget); when not, it
        awaits :meth:`relay_turn` first (see the module docstring)."""
        if self._waiting or self._relays or self._relayed >= self.relays_per_turn:
            return False
        self._relayed += 1
        self._schedule_next_turn()  # a later turn starts a new budget
        return True

    async def relay_turn(self) -> None:
        """Wait for a later turn's relay budget, behind the relays already waiting."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._relays.append(waiter)
        self._schedule_next_turn()
        await waiter  # cancelled (the client left): _next_turn skips it

    def _schedule_next_turn(self) -> None:
        # call_soon runs in the loop's next turn: the callbacks already queued for this one
        # (the requests let in now among them) run first.
        if not self._turn_scheduled:
            self._turn_scheduled = True
            asyncio.get_running_loop().call_soon(self._next_turn)

    def _next_turn(self) -> None:
        self._turn_scheduled = False
        self._admitted = 0
        self._relayed = 0
        while self._waiting and self._admitted < self.per_turn:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._admitted += 1
        while self._relays and self._relayed < self.relays_per_turn:
            waiter = self._relays.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._relayed += 1
        if self._admitted or self._relayed:  # count this turn's against it, then open the next
            self._schedule_next_turn()


# The process's pacer (the front door's), for the stream relays to yield to; None outside the
# async server (tests that call the services directly, the sync path).
_installed: StartPacer | None = None


def install(pacer: StartPacer | None) -> None:
    global _installed
    _installed = pacer


def installed() -> StartPacer | None:
    return _installed


async def turn() -> None:
    """:meth:`StartPacer.turn` of the process's pacer (at once outside the async server)."""
    if _installed is not None:
        await _installed.turn()
