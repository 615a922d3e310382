"""Throughput and concurrency of the fake upstream itself: the baseline a gateway benchmark is
compared against (a gateway cannot be faster than the upstream it proxies).

    python bench/fakellm/throughput.py [--requests 20000] [--slow 500]

Uses a minimal keep-alive asyncio client so the numbers measure the server, not a client pool.
Client and server share the machine's cores, so these are lower bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fakellm.testing import start_fakellm

BODY = json.dumps(
    {"model": "bench", "messages": [{"role": "user", "content": "Summarise this sentence."}]}
).encode()
REQUEST = (
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
)


async def _connection(port: int, count: int, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            writer.write(REQUEST)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def _run(port: int, total: int, connections: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    per = total // connections
    await asyncio.gather(*(_connection(port, per, latencies) for _ in range(connections)))
    return time.perf_counter() - started, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--slow", type=int, default=500, help="concurrent 1 s requests")
    args = parser.parse_args()

    llm = start_fakellm()
    try:
        print(f"{'scenario':34} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
        for connections in (1, 10, 50):
            elapsed, lat = asyncio.run(_run(llm.port, args.requests, connections))
            lat.sort()
            print(
                f"{f'ok, {connections} keep-alive connections':34} {len(lat):>9} "
                f"{len(lat) / elapsed:>9.0f} {statistics.median(lat) * 1000:>8.2f} "
                f"{lat[int(len(lat) * 0.99)] * 1000:>8.2f}"
            )
        llm.reset()
        llm.set(mode="slow", delay=1.0)
        elapsed, lat = asyncio.run(_run(llm.port, args.slow, args.slow))
        stats = llm.stats()
        lat.sort()
        print(
            f"{f'slow 1 s, {args.slow} concurrent':34} {len(lat):>9} {len(lat) / elapsed:>9.0f} "
            f"{statistics.median(lat) * 1000:>8.0f} {lat[int(len(lat) * 0.99)] * 1000:>8.0f}"
        )
        print(f"\nslow scenario: wall {elapsed:.2f} s, max in flight {stats['max_in_flight']}")
    finally:
        llm.stop()


if __name__ == "__main__":
    main()
