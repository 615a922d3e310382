"""Sliding-window rate limiting shared by all processes through Redis, local without it.

Hand-written rather than DRF's ``SimpleRateThrottle``: that one keeps a list of timestamps per
client in the cache and rewrites it with a non-atomic get/set on every request, which is O(limit)
per call and loses counts under concurrency. Here each check is one atomic Lua call on two
counters (the current and previous fixed windows, weighted: the "sliding window counter").
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

import redis

from apps.core.redis import get_redis

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60

# KEYS[1] current window counter, KEYS[2] previous window counter.
# ARGV: limit, elapsed fraction of the current window (0..1), window seconds.
# Returns {allowed (0/1), estimated count}.
_SLIDING_WINDOW_LUA = """
local limit = tonumber(ARGV[1])
local elapsed = tonumber(ARGV[2])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local estimate = previous * (1 - elapsed) + current
if estimate + 1 > limit then
  return {0, math.floor(estimate)}
end
current = redis.call('INCR', KEYS[1])
if current == 1 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
end
return {1, math.floor(previous * (1 - elapsed) + current)}
"""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    retry_after: float  # seconds until a request would be allowed again (0 when allowed)


class SlidingWindowLimiter:
    def __init__(self, prefix: str = "agenthub:ratelimit:") -> None:
        self.prefix = prefix
        self._local: dict[str, int] = {}
        self._lock = threading.Lock()
        self._script = None
        self._redis_down_since: float | None = None

    def reset_local(self) -> None:
        """Forget per-process counts (tests; Redis counts expire by themselves)."""
        with self._lock:
            self._local.clear()

    def hit(self, key: str, limit: int, *, now: float | None = None) -> RateDecision:
        now = time.time() if now is None else now
        window = int(now // WINDOW_SECONDS)
        elapsed = (now % WINDOW_SECONDS) / WINDOW_SECONDS
        current_key = f"{self.prefix}{key}:{window}"
        previous_key = f"{self.prefix}{key}:{window - 1}"
        allowed, estimate = self._check(current_key, previous_key, limit, elapsed)
        if allowed:
            return RateDecision(True, limit, 0.0)
        return RateDecision(False, limit, self._retry_after(estimate, limit, elapsed))

    @staticmethod
    def _retry_after(estimate: float, limit: int, elapsed: float) -> float:
        # Until the end of this window at most; the weighted previous window shrinks linearly.
        return max(1.0, math.ceil((1 - elapsed) * WINDOW_SECONDS))

    def _check(self, current_key: str, previous_key: str, limit: int, elapsed: float):
        client = get_redis()
        if client is not None:
            try:
                if self._script is None:
                    self._script = client.register_script(_SLIDING_WINDOW_LUA)
                allowed, estimate = self._script(
                    keys=[current_key, previous_key], args=[limit, elapsed, WINDOW_SECONDS]
                )
                if self._redis_down_since is not None:
                    logger.warning("rate limiting is shared through Redis again")
                    self._redis_down_since = None
                return bool(allowed), float(estimate)
            except redis.RedisError as exc:
                if self._redis_down_since is None:
                    self._redis_down_since = time.monotonic()
                    logger.warning(
                        "Redis unreachable (%s): rate limits counted per process",
                        type(exc).__name__,
                    )
        return self._check_local(current_key, previous_key, limit, elapsed)

    def _check_local(self, current_key: str, previous_key: str, limit: int, elapsed: float):
        with self._lock:
            current = self._local.get(current_key, 0)
            previous = self._local.get(previous_key, 0)
            estimate = previous * (1 - elapsed) + current
            if estimate + 1 > limit:
                return False, estimate
            self._local[current_key] = current + 1
            if len(self._local) > 100_000:  # drop old windows; keep memory bounded
                self._local = {current_key: current + 1, previous_key: previous}
            return True, estimate + 1


limiter = SlidingWindowLimiter()
