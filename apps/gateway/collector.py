"""Cyclic garbage collection deferred while a server process is busy.

Reference counting frees a request's objects the moment they are unreachable; the cyclic
collector is only needed for reference cycles, and the front door's hot path makes almost
none. Measured under a 2,000-stream burst (``bench/gateway/scenarios.py streams``, a
``gc.callbacks`` timeline in each server process): every collection during the burst freed
nothing (``collected=0``), yet each young collection took 5-45 ms and each middle one 30-110 ms
of a loop turn -- the pause every open stream and ``/health`` waited out -- and with the collector
off first content p99 came about 0.4 s sooner (three interleaved pairs).

So while at least ``defer_above`` requests are in flight in the process the collector is off,
and it is back on once fewer than half of that are (hysteresis: a load hovering at the
threshold does not toggle it every heartbeat). A process that stays busy still frees its
cycles: while the collector is off, a collection of the young and middle generations runs
every ``max_defer`` seconds. The state is checked by the front door's lag heartbeat (every
100 ms).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class CollectorGovernor:
    def __init__(
        self,
        defer_above: int,
        max_defer: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.defer_above = defer_above
        self.max_defer = max_defer
        self._clock = clock
        self._deferred_since: float | None = None
        self._last_collection = 0.0

    @property
    def deferring(self) -> bool:
        return self._deferred_since is not None

    def update(self, inflight: int) -> None:
        """Called with the number of requests in flight; switches the collector as above."""
        if self.defer_above <= 0:
            return
        now = self._clock()
        if self._deferred_since is None:
            # gc.isenabled(): a collector someone else turned off is not ours to turn back on
            if inflight >= self.defer_above and gc.isenabled():
                gc.disable()
                self._deferred_since = self._last_collection = now
                logger.info("garbage collection deferred: %d requests in flight", inflight)
            return
        if inflight < self.defer_above // 2:
            self.resume()
            return
        if self.max_defer > 0 and now - self._last_collection >= self.max_defer:
            gc.collect(1)
            self._last_collection = now

    def resume(self) -> None:
        """The collector back on (also at shutdown)."""
        if self._deferred_since is None:
            return
        gc.enable()
        logger.info("garbage collection resumed after %.1f s", self._clock() - self._deferred_since)
        self._deferred_since = None
