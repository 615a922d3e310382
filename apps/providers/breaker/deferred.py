"""Successes of ordinary CLOSED-state calls, recorded off the caller's path.

A breaker created with ``defer_successes=True`` hands a fast success of an ordinary permit to
this process-wide spool instead of making a synchronous store round trip; one daemon thread sends
what has accumulated as one ``record_successes`` step per (breaker, settings, epoch), so a busy
process pays one Redis call per batch instead of one per request. Failures, slow calls, half-open
trials and releases stay synchronous and atomic (see ``core`` for the trade-off).

Ordering: before any synchronous record of a breaker, and before its snapshot, the caller flushes
that breaker's pending successes (and waits for a batch in flight), so a process's own outcomes
reach the store in the order they happened. At exit the spool is flushed once; a process killed
hard loses at most the successes of its last few milliseconds, which only ever under-counts
successes in the window.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apps.providers.breaker.config import BreakerSettings
    from apps.providers.breaker.core import CircuitBreaker

logger = logging.getLogger(__name__)

THREAD_NAME = "breaker-success-spool"

# The daemon thread waits this long after the first pending success so that a busy process sends
# many in one round trip; it bounds how late a success reaches the shared window. 20 ms is
# nothing next to an LLM call (and a process's own failures always flush its successes first),
# while waking the thread after every call (2 ms) cost ~70 us per call in GIL and CPU
# contention (bench/providers/client_overhead.py: 0.42 -> 0.35 ms median overhead).
LINGER_SECONDS = 0.02

# Beyond this many pending successes (the store is stalling), callers record synchronously.
MAX_PENDING = 10_000

_Item = tuple["CircuitBreaker", "BreakerSettings", float, str]


class SuccessSpool:
    def __init__(self, *, linger: float = LINGER_SECONDS, max_pending: int = MAX_PENDING) -> None:
        self.linger = linger
        self.max_pending = max_pending
        self._init_state()
        os.register_at_fork(after_in_child=self._init_state)
        atexit.register(self._flush_at_exit)

    def _init_state(self) -> None:
        # Fresh after a fork: the parent's lock may have been held and its thread does not exist.
        self._cond = threading.Condition()
        self._pending: list[_Item] = []
        self._in_flight = 0
        self._thread: threading.Thread | None = None

    def add(
        self, breaker: CircuitBreaker, settings: BreakerSettings, now: float, token: str
    ) -> bool:
        """Queue one success; False (record it yourself, synchronously) when the spool is full."""
        with self._cond:
            if len(self._pending) >= self.max_pending:
                return False
            self._pending.append((breaker, settings, now, token))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
                self._thread.start()
            self._cond.notify()
        return True

    def pending(self, breaker: CircuitBreaker | None = None) -> int:
        with self._cond:
            if breaker is None:
                return len(self._pending)
            return sum(1 for item in self._pending if item[0] is breaker)

    def flush(self, breaker: CircuitBreaker | None = None, *, timeout: float = 2.0) -> None:
        """Send the pending successes of ``breaker`` (or all) now, in the caller's thread, and
        wait (up to ``timeout``) for a batch the daemon thread is sending."""
        with self._cond:
            if not self._pending and not self._in_flight:
                return
            if breaker is None:
                batch, self._pending = self._pending, []
            else:
                batch = [item for item in self._pending if item[0] is breaker]
                if batch:
                    self._pending = [item for item in self._pending if item[0] is not breaker]
        if batch:
            _send(batch)
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
            if self.linger > 0:
                time.sleep(self.linger)  # let a burst accumulate into one round trip
            with self._cond:
                batch, self._pending = self._pending, []
                self._in_flight += 1
            try:
                _send(batch)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _flush_at_exit(self) -> None:
        try:
            self.flush(timeout=1.0)
        except Exception:
            logger.debug("breaker success spool: flush at exit failed", exc_info=True)


def _send(batch: list[_Item]) -> None:
    # Consecutive successes of one breaker, settings object and epoch token become one step.
    groups: dict[tuple[int, int, str], list] = {}
    for breaker, settings, now, token in batch:
        key = (id(breaker), id(settings), token)
        group = groups.get(key)
        if group is None:
            groups[key] = [breaker, settings, now, token, 1]
        else:
            group[2] = max(group[2], now)
            group[4] += 1
    for breaker, settings, now, token, count in groups.values():
        try:
            breaker._record_successes(settings, now, token, count)
        except Exception:
            # The failover store already turns Redis outages into local state; anything else is
            # a bug that must not kill the thread (and with it every later deferred success).
            logger.exception("breaker %s: recording %d deferred successes failed", breaker, count)


spool = SuccessSpool()
