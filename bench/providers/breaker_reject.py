"""How long ``CircuitBreaker.acquire()`` takes to reject a call while the breaker is OPEN.

The alternative to failing fast is waiting for the upstream's timeout (60 s by default), so the
target is p99 under 1 ms. Runs against the local store, Redis (one Lua script per call), the
production setup (Redis with the local fallback) and that setup during a Redis outage.

    python bench/providers/breaker_reject.py [--iterations 20000] [--redis-url redis://...]

The Redis URL defaults to $REDIS_URL; without one the Redis rows are skipped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenthub.settings")

import django

django.setup()

from apps.providers.breaker import (  # noqa: E402
    DEFAULT_REJECT_CACHE_TTL,
    BreakerSettings,
    CircuitBreaker,
    FailoverBreakerStore,
    LocalBreakerStore,
    RedisBreakerStore,
    build_store,
    redis_client,
)
from apps.providers.breaker.stores import BreakerStore  # noqa: E402
from apps.providers.exceptions import CircuitOpenError  # noqa: E402
from fakellm.testing import closed_port  # noqa: E402

SETTINGS = BreakerSettings(failure_threshold=3, failure_rate_threshold=None, open_duration=3600)
TARGET_P99_MS = 1.0


def measure(
    store: BreakerStore, iterations: int, reject_cache_ttl: float, warmup: int = 500
) -> list[float]:
    """Trip a fresh breaker, then time ``iterations`` rejected acquires (milliseconds each)."""
    breaker = CircuitBreaker(
        f"bench-{uuid.uuid4().hex[:8]}",
        lambda: SETTINGS,
        store,
        reject_cache_ttl=reject_cache_ttl,
    )
    for _ in range(3):
        breaker.record_failure(breaker.acquire(), 0.01)
    timings = []
    for i in range(warmup + iterations):
        start = time.perf_counter_ns()
        try:
            breaker.acquire()
        except CircuitOpenError:
            pass
        else:
            raise SystemExit("breaker was expected to be open")
        if i >= warmup:
            timings.append((time.perf_counter_ns() - start) / 1e6)
    return timings


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    args = parser.parse_args()

    # (label, store, reject_cache_ttl): 0 sends every call to the store; the default echoes an
    # OPEN verdict locally for 0.25 s, so most rejections never leave the process.
    cases: list[tuple[str, BreakerStore, float]] = [("local", LocalBreakerStore(), 0.0)]
    cleanup = []
    if args.redis_url:
        prefix = f"bench-breaker:{uuid.uuid4().hex}:"
        client = redis_client(args.redis_url)
        cases.append(("redis, every call", RedisBreakerStore(client, prefix=prefix), 0.0))
        production = build_store(args.redis_url, prefix=prefix)
        cases.append(("redis+fallback, every", production, 0.0))
        cases.append(("redis+fallback, dflt", production, DEFAULT_REJECT_CACHE_TTL))
        cleanup.append((client, prefix))
    down = redis_client(f"redis://127.0.0.1:{closed_port()}/0")
    failover = FailoverBreakerStore(RedisBreakerStore(down), LocalBreakerStore())
    cases.append(("fallback, redis down", failover, 0.0))

    print(f"acquire() rejecting while OPEN, {args.iterations} calls per store (ms)")
    header = (
        f"{'store':<22}{'p50':>9}{'p90':>9}{'p99':>9}{'p99.9':>9}{'max':>9}{'mean':>9}  p99<1ms"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for label, store, ttl in cases:
        timings = sorted(measure(store, args.iterations, ttl))
        p99 = percentile(timings, 99)
        ok = ok and p99 < TARGET_P99_MS
        print(
            f"{label:<22}"
            f"{percentile(timings, 50):>9.4f}{percentile(timings, 90):>9.4f}{p99:>9.4f}"
            f"{percentile(timings, 99.9):>9.4f}{timings[-1]:>9.4f}{statistics.fmean(timings):>9.4f}"
            f"  {'yes' if p99 < TARGET_P99_MS else 'NO'}"
        )
    if not args.redis_url:
        print("(no --redis-url / REDIS_URL: Redis rows skipped)")
    print(
        "'every': reject_cache_ttl=0, one Lua script per call; 'dflt': the default 0.25 s local\n"
        "echo of an OPEN verdict. For comparison, waiting for a 60 s upstream timeout = 60000 ms."
    )
    for client, prefix in cleanup:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
