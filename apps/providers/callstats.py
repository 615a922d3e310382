"""Per-minute call tallies per provider, kept in memory and written to the database in batches.

Each process adds calls to an in-memory tally and writes it out at most every
``FLUSH_INTERVAL`` seconds (on the next call after that, and at exit), so an LLM call costs a
dictionary update, not a database write. A crashed process loses at most that interval of
dashboard figures; Prometheus metrics are unaffected.
"""

from __future__ import annotations

import atexit
import bisect
import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import DatabaseError, transaction

from apps.core.aio import submit_blocking
from apps.providers.metrics import LLM_DURATION_BUCKETS

logger = logging.getLogger(__name__)

FLUSH_INTERVAL = 10.0


@dataclass
class _Tally:
    calls: int = 0  # provider requests (retries inside): ai_platform_provider_requests_total
    errors: int = 0
    duration_sum: float = 0.0
    buckets: list[int] = field(default_factory=lambda: [0] * (len(LLM_DURATION_BUCKETS) + 1))
    attempts: int = 0  # upstream attempts (each retry): ai_platform_provider_attempts_total
    failed_attempts: int = 0


class CallStats:
    def __init__(self, flush_interval: float = FLUSH_INTERVAL) -> None:
        self.flush_interval = flush_interval
        self._lock = threading.Lock()
        self._pending: dict[tuple[int, str], _Tally] = {}
        self._last_flush = time.monotonic()

    def _tally(self, minute: int, provider: str) -> _Tally:  # under self._lock
        tally = self._pending.get((minute, provider))
        if tally is None:
            tally = self._pending[(minute, provider)] = _Tally()
        return tally

    def record(self, provider: str, duration: float, *, ok: bool, now: float | None = None) -> None:
        """One provider request (its retries inside) and its latency."""
        minute = int((time.time() if now is None else now) // 60)
        with self._lock:
            tally = self._tally(minute, provider)
            tally.calls += 1
            tally.errors += 0 if ok else 1
            tally.duration_sum += duration
            tally.buckets[bisect.bisect_left(LLM_DURATION_BUCKETS, duration)] += 1
            due = time.monotonic() - self._last_flush >= self.flush_interval
        if due:
            # Inline in sync code; from async code on the bounded pool (or the WSGI request
            # thread), never on an event loop.
            self._last_flush = time.monotonic()
            submit_blocking(self.flush)

    def record_attempt(self, provider: str, *, ok: bool, now: float | None = None) -> None:
        """One upstream attempt (a retry is another); flushed with the requests."""
        minute = int((time.time() if now is None else now) // 60)
        with self._lock:
            tally = self._tally(minute, provider)
            tally.attempts += 1
            tally.failed_attempts += 0 if ok else 1

    def discard(self) -> None:
        """Drop the unflushed tallies (the test suite: the rows they describe were rolled back
        with the previous test's transaction)."""
        with self._lock:
            self._pending = {}
            self._last_flush = time.monotonic()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = time.monotonic()
        if not pending:
            return
        try:
            _write(pending)
        except DatabaseError:
            logger.warning("could not write provider call stats; keeping them for the next flush")
            with self._lock:
                for key, tally in pending.items():
                    _merge(self._pending.setdefault(key, _Tally()), tally)


def _merge(into: _Tally, tally: _Tally) -> None:
    into.calls += tally.calls
    into.errors += tally.errors
    into.duration_sum += tally.duration_sum
    into.buckets = [a + b for a, b in zip(into.buckets, tally.buckets, strict=True)]
    into.attempts += tally.attempts
    into.failed_attempts += tally.failed_attempts


def _write(pending: dict[tuple[int, str], _Tally]) -> None:
    from apps.providers.models import ProviderCallStat

    for (minute, provider), tally in sorted(pending.items()):
        at = datetime.fromtimestamp(minute * 60, tz=UTC)
        with transaction.atomic():
            row, _ = ProviderCallStat.objects.select_for_update().get_or_create(
                minute=at, provider=provider
            )
            buckets = list(row.buckets)
            stored = _Tally(
                row.calls,
                row.errors,
                row.duration_sum,
                buckets if len(buckets) == len(tally.buckets) else [0] * len(tally.buckets),
                row.attempts,
                row.failed_attempts,
            )
            _merge(stored, tally)
            row.calls, row.errors, row.duration_sum, row.buckets = (
                stored.calls,
                stored.errors,
                stored.duration_sum,
                stored.buckets,
            )
            row.attempts, row.failed_attempts = stored.attempts, stored.failed_attempts
            row.save()


call_stats = CallStats()


def _flush_at_exit() -> None:
    # Best effort: at interpreter exit the database (or logging) may already be gone.
    with contextlib.suppress(Exception):
        _write(call_stats._pending)


atexit.register(_flush_at_exit)
