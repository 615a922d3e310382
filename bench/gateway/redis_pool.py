"""Concurrent Redis script calls on a busy event loop: redis-py's default asyncio pool against
the blocking pool the gateway uses (``apps.core.redis.async_connection_pool``).

    python bench/gateway/redis_pool.py [--calls 1000] [--turn-ms 5] [--redis-url URL]

Each of ``--calls`` tasks arrives 1 ms after the previous one and runs one Lua script (what a
rate-limit check or a breaker acquire is), while a busy task keeps every turn of the loop
``--turn-ms`` long (what a process starting a burst of requests looks like). Prints the wall time
and each call's latency. The default pool checks each connection it hands out while holding its
lock, an awaited read that takes a turn: the calls queue one turn each.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import redis.asyncio as aioredis
import uvloop

SCRIPT = "return redis.call('INCR', KEYS[1])"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


async def busy_turns(turn: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        while time.perf_counter() - started < turn:
            pass
        await asyncio.sleep(0)


async def measure(client: aioredis.Redis, calls: int, turn: float) -> tuple[float, list[float]]:
    script = client.register_script(SCRIPT)
    await script(keys=["bench:redis_pool"], args=[])
    latencies: list[float] = []

    async def call(index: int) -> None:
        await asyncio.sleep(index / 1000)
        started = time.perf_counter()
        await script(keys=["bench:redis_pool"], args=[])
        latencies.append(time.perf_counter() - started)

    stop = asyncio.Event()
    busy = asyncio.create_task(busy_turns(turn, stop))
    started = time.perf_counter()
    await asyncio.gather(*(call(i) for i in range(calls)))
    wall = time.perf_counter() - started
    stop.set()
    await busy
    await client.delete("bench:redis_pool")
    await client.aclose()
    return wall, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--turn-ms", type=float, default=5.0)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()
    pools = {
        "default pool (redis-py)": lambda: aioredis.ConnectionPool.from_url(
            args.redis_url, max_connections=512
        ),
        # apps.core.redis.async_connection_pool: 64 connections, waits for a free one
        "blocking pool (gateway)": lambda: aioredis.BlockingConnectionPool.from_url(
            args.redis_url, max_connections=64, timeout=5
        ),
    }
    print(f"# {args.calls} script calls, 1 ms apart, every loop turn {args.turn_ms:g} ms long")
    for name, pool in pools.items():
        client = aioredis.Redis(connection_pool=pool())
        wall, latencies = uvloop.run(measure(client, args.calls, args.turn_ms / 1000))
        print(
            f"- {name}: wall {wall:.2f} s; per call p50 {percentile(latencies, 50) * 1000:.0f} ms,"
            f" p99 {percentile(latencies, 99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
