"""Client overhead: AgentHub's resilient path vs a bare httpx call to the same fake upstream.

    python bench/providers/client_overhead.py [--calls 2000]

Starts fakellm on loopback, migrates a throw-away SQLite database, registers a provider through
the services and times, interleaved call by call, (a) a bare pooled ``httpx.Client.post`` of the
same request and (b) ``apps.providers.services.complete`` (live config lookup, breaker acquire +
record, tenacity, pooled httpx, parsing, metrics). Uses Redis for the breaker when REDIS_URL is
set. Target: median overhead under 0.5 ms per call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="ah-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenthub.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    import httpx
    from django.conf import settings
    from django.core.management import call_command

    from apps.providers.services import breaker_for, complete, provider_create
    from fakellm.testing import start_fakellm

    call_command("migrate", verbosity=0)
    llm = start_fakellm()
    try:
        provider_create(
            name="bench", kind="openai_compatible", base_url=llm.base_url, model="fakellm-1"
        )
        messages = [{"role": "user", "content": "Say hello"}]
        bare = httpx.Client(base_url=llm.base_url + "/", timeout=30)
        body = {"model": "fakellm-1", "messages": messages}

        def bare_call() -> None:
            response = bare.post("chat/completions", json=body)
            response.raise_for_status()
            response.json()["choices"][0]["message"]["content"]

        def agenthub_call() -> None:
            complete(messages=messages, provider="bench", flow="bench")

        for _ in range(args.warmup):
            bare_call()
            agenthub_call()
        bare_ms: list[float] = []
        hub_ms: list[float] = []
        for _ in range(args.calls):
            started = time.perf_counter()
            bare_call()
            bare_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            agenthub_call()
            hub_ms.append((time.perf_counter() - started) * 1000)
        breaker = breaker_for("bench")
        breaker_ms: list[float] = []
        for _ in range(args.calls):
            started = time.perf_counter()
            breaker.record_success(breaker.acquire(), 0.001)
            breaker_ms.append((time.perf_counter() - started) * 1000)
        breaker.flush_deferred()
        store = type(breaker._store).__name__
        if breaker._defer:
            store += ", CLOSED successes deferred (one round trip per call)"
    finally:
        llm.stop()

    print(f"\nClient overhead, {args.calls} sequential calls each, interleaved")
    print(f"breaker store: {store} (REDIS_URL={'set' if settings.REDIS_URL else 'unset'})\n")
    print(f"{'path':<34}{'median ms':>11}{'p90 ms':>10}{'p99 ms':>10}")
    for label, values in (("bare httpx.Client.post", bare_ms), ("AgentHub complete()", hub_ms)):
        print(
            f"{label:<34}{statistics.median(values):>11.3f}"
            f"{percentile(values, 0.90):>10.3f}{percentile(values, 0.99):>10.3f}"
        )
    overhead = [h - b for h, b in zip(hub_ms, bare_ms, strict=True)]
    median_overhead = statistics.median(hub_ms) - statistics.median(bare_ms)
    print(
        f"{'overhead (difference)':<34}{median_overhead:>11.3f}"
        f"{percentile(overhead, 0.90):>10.3f}{percentile(overhead, 0.99):>10.3f}"
    )
    print(
        f"{'  of which breaker acquire+record':<34}{statistics.median(breaker_ms):>11.3f}"
        f"{percentile(breaker_ms, 0.90):>10.3f}{percentile(breaker_ms, 0.99):>10.3f}"
    )
    verdict = "meets" if median_overhead < 0.5 else "MISSES"
    print(f"\nmedian overhead {median_overhead:.3f} ms per call: {verdict} the 0.5 ms target")


if __name__ == "__main__":
    main()
