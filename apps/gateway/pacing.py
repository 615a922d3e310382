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
"""

from __future__ import annotations

import asyncio
from collections import deque


class StartPacer:
    """At most ``per_turn`` callers of :meth:`turn` proceed per turn of the event loop, first
    come first served; ``per_turn <= 0`` lets everyone through at once."""

    def __init__(self, per_turn: int) -> None:
        self.per_turn = per_turn
        self._admitted = 0  # callers let through in the current turn
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._turn_scheduled = False

    @property
    def waiting(self) -> int:
        return len(self._waiting)

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

    def _schedule_next_turn(self) -> None:
        # call_soon runs in the loop's next turn: the callbacks already queued for this one
        # (the requests let in now among them) run first.
        if not self._turn_scheduled:
            self._turn_scheduled = True
            asyncio.get_running_loop().call_soon(self._next_turn)

    def _next_turn(self) -> None:
        self._turn_scheduled = False
        self._admitted = 0
        while self._waiting and self._admitted < self.per_turn:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._admitted += 1
        if self._admitted:  # count this turn's starts against it, then open the next
            self._schedule_next_turn()
