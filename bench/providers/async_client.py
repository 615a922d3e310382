"""The event loop's upstream client: CPU per call of httpx.AsyncClient vs aiohttp (what
``apps/providers/async_http.py`` uses), at a given number of concurrent calls.

    python bench/providers/async_client.py [--calls 3000] [--concurrency 1 8 32]

Starts fakellm on loopback and, on one uvloop event loop, POSTs the same chat completion with
each client (pooled, keep-alive, no limit on connections: the gateway's settings), reading and
decoding the JSON answer. Prints CPU milliseconds per call of this process (the client's cost;
fakellm runs in its own process) and calls per second, each client measured twice in turns after
a warm-up. The aiohttp rows are what the gateway's provider call costs in HTTP work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

BODY = {"model": "fakellm-1", "messages": [{"role": "user", "content": "Say hello"}]}
HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(call, calls: int, concurrency: int) -> tuple[float, float]:
    """(CPU ms per call, calls per second) of ``calls`` calls, ``concurrency`` at a time."""
    todo = iter(range(calls))

    async def worker() -> None:
        for _ in todo:
            await call()

    cpu, wall = cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (cpu_seconds() - cpu) / calls * 1000, calls / (time.perf_counter() - wall)


async def run(url: str, calls: int, levels: list[int]) -> None:
    import aiohttp
    import httpx

    payload = json.dumps(BODY).encode()
    hx = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=1024),
        timeout=30,
    )
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def with_httpx() -> None:
        response = await hx.post(url, content=payload, headers=HEADERS)
        json.loads(response.content)

    async def with_aiohttp() -> None:
        async with session.post(url, data=payload, headers=HEADERS) as response:
            json.loads(await response.read())

    print(f"{'client':10} {'concurrent':>10} {'cpu ms/call':>12} {'calls/s':>9}")
    try:
        for level in levels:
            for name, call in [("httpx", with_httpx), ("aiohttp", with_aiohttp)] * 2:
                await measure(call, max(100, calls // 10), level)  # warm the pool
                cpu_ms, rate = await measure(call, calls, level)
                print(f"{name:10} {level:>10} {cpu_ms:>12.3f} {rate:>9.0f}")
    finally:
        await hx.aclose()
        await session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()

    import uvloop

    from fakellm.testing import start_fakellm

    llm = start_fakellm()
    try:
        uvloop.run(run(f"{llm.base_url}/chat/completions", args.calls, args.concurrency))
    finally:
        llm.stop()


if __name__ == "__main__":
    main()
