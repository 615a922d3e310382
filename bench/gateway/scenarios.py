"""The gateway under real LLM traffic: long streams, a cold burst, slow clients, a database
outage -- each side by side with the upstream alone in the same run.

    python bench/gateway/scenarios.py [streams] [flood] [cold] [slowbody] [dbstop] [--streams N]

Production shape: ``python -m agenthub.server`` (uvicorn, 2 processes, Redis), PostgreSQL from
``BENCH_DATABASE_URL`` (the ``dbstop`` scenario stops and restarts it: give it a PRIVATE cluster,
e.g. ``pg_createcluster 15 bench -p 18532``, and name it in ``BENCH_PG_CLUSTER=15/bench``),
fakellm as the upstream. Loopback only; every scenario is bounded in connections and time.

Scenarios (run all by default, except ``flood`` which opens 10,000 connections):
  streams   N (2,000) concurrent streams, 20 chunks 250 ms apart (5 s): completed, first content
            p50/p99 and total p99 vs the upstream alone; /health latency during (probed from a
            process of its own, and from the load generator's loop) and right after; CPU per
            stream of the server, the load generator and fakellm;
            server memory per 1,000 open streams.
  flood     10,000 concurrent streams: each served or refused with 503 + Retry-After (no 500, no
            hang); seconds until an ordinary request is served again after the clients leave.
  cold      a fresh server, and 500 requests against a 1 s upstream fired as soon as /health
            answers: errors, p99 vs the upstream alone.
  slowbody  ordinary requests' p99 at 8 connections, alone and with 500 clients that trickle
            their bodies (one byte a second).
  dbstop    16 connections of chat completions for 25 s; PostgreSQL stopped for 15 s in between:
            status codes per phase (no 500 expected; completions keep succeeding).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import resource
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.gateway.run import (  # noqa: E402
    Run,
    burst,
    concurrent,
    django_env,
    percentile,
    run_async,
    server_cpu_seconds,
    setup,
    start_server,
    stop_server,
)
from fakellm.testing import FakeLLM, start_fakellm  # noqa: E402

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Tell me a short story about a lighthouse."},
]
# The first delta that carries text, in either server's JSON spacing.
_CONTENT = re.compile(rb'"content":\s*"[^"]')


@dataclass
class Streams:
    statuses: dict[str, int] = field(default_factory=dict)
    first: list[float] = field(default_factory=list)  # seconds to the first content delta
    total: list[float] = field(default_factory=list)
    retry_after_missing: int = 0

    def count(self, kind: str) -> None:
        self.statuses[kind] = self.statuses.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = ", ".join(f"{k}:{v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{kinds} | first content p50 {percentile(self.first, 50):.2f} s "
            f"p99 {percentile(self.first, 99):.2f} s | total p50 {percentile(self.total, 50):.2f}"
            f" s p99 {percentile(self.total, 99):.2f} s"
        )


def _request(url: str, headers: dict[str, str], body: dict) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    payload = json.dumps(body).encode()
    lines = [
        f"POST {parts.path} HTTP/1.1",
        f"Host: {parts.hostname}:{parts.port}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return (
        parts.hostname or "127.0.0.1",
        parts.port or 80,
        ("\r\n".join(lines) + "\r\n\r\n").encode() + payload,
    )


async def one_stream(url: str, headers: dict, result: Streams, timeout: float) -> None:
    """One ``stream: true`` request on its own connection, read to the end."""
    host, port, request = _request(url, headers, {"messages": MESSAGES, "stream": True})
    started = time.perf_counter()
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            if status != 200:
                if status == 503 and b"retry-after" not in head.lower():
                    result.retry_after_missing += 1
                result.count(f"http_{status}")
                return
            seen_first = False
            tail = b""
            while chunk := await reader.read(65536):
                if not seen_first and _CONTENT.search(tail + chunk):
                    result.first.append(time.perf_counter() - started)
                    seen_first = True
                tail = chunk[-64:]
                if b"[DONE]" in chunk:
                    break
            else:
                result.count("incomplete")
                return
            result.total.append(time.perf_counter() - started)
            result.count("ok")
    except TimeoutError:
        result.count("timeout")
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        result.count(type(exc).__name__)
    finally:
        if writer is not None:
            writer.close()


async def many_streams(url: str, headers: dict, count: int, timeout: float) -> Streams:
    result = Streams()
    await asyncio.gather(*(one_stream(url, headers, result, timeout) for _ in range(count)))
    return result


async def _get_ms(url: str) -> float | None:
    parts = urlsplit(url)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(5):
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            writer.write(
                f"GET {parts.path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
            )
            await reader.read()
            writer.close()
    except (TimeoutError, OSError):
        return None
    return (time.perf_counter() - started) * 1000


async def watch_health(url: str, stop: asyncio.Event, samples: list) -> None:
    """/health every 100 ms from the load generator's own event loop; a missing answer (5 s)
    counts as 5,000 ms. Includes the generator's own delays (its loop also runs every stream)."""
    while not stop.is_set():
        ms = await _get_ms(url)
        samples.append(5000.0 if ms is None else ms)
        await asyncio.sleep(0.1)


def _probe_health(host: str, port: int, stop: EventType, results: Connection) -> None:
    """/health every 100 ms with blocking sockets, in a process of its own (started by
    :class:`HealthProbe`): what a liveness probe sees, free of the load generator's event loop.
    A missing answer (5 s) counts as 5,000 ms."""
    samples: list[tuple[float, float]] = []  # (wall clock at the probe's start, ms)
    request = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    while not stop.is_set():
        at, started = time.time(), time.perf_counter()
        try:
            with socket.create_connection((host, port), timeout=5) as sock:
                sock.sendall(request)
                while sock.recv(65536):
                    pass
            samples.append((at, (time.perf_counter() - started) * 1000))
        except OSError:
            samples.append((at, 5000.0))
        stop.wait(0.1)
    results.send(samples)


class HealthProbe:
    """:func:`_probe_health` in a separate process while the ``with`` block runs; ``samples``
    (ms) afterwards, and ``slow(threshold_ms, since)``: the probes over the threshold as
    (seconds after ``since``, ms)."""

    def __init__(self, host: str, port: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._results, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_probe_health, args=(host, port, self._stop, child_end), daemon=True
        )
        self.timeline: list[tuple[float, float]] = []

    @property
    def samples(self) -> list[float]:
        return [ms for _, ms in self.timeline]

    def slow(self, threshold_ms: float, since: float) -> list[tuple[float, float]]:
        return [(at - since, ms) for at, ms in self.timeline if ms > threshold_ms]

    def __enter__(self) -> HealthProbe:
        self._process.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._results.poll(15):
            self.timeline = self._results.recv()
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()


def _process_cpu_seconds(process: subprocess.Popen | None) -> float:
    """User + system CPU seconds of one process so far (0 when it is not ours to read)."""
    if process is None:
        return 0.0
    try:
        stat = Path(f"/proc/{process.pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(root_pid: int) -> float:
    """Resident memory of a process and its children (the server's workers), in MB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if int(entry.name) == root_pid or ppid == root_pid:
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


# --- scenarios ----------------------------------------------------------------------------------


CHUNKS = 20
CHUNK_DELAY = 0.25


def _deltas(words: int) -> list[str]:
    """The answer as ``CHUNKS`` content deltas (``CHUNK_DELAY`` apart: a 5 s stream), each a few
    words with a leading space as a model's tokens come; fakellm's default would stream one
    event per word, and 100 words 250 ms apart is a 25 s stream, not a 5 s one."""
    tokens = [f" word{i}" for i in range(words)]
    step = max(1, -(-len(tokens) // CHUNKS))
    return ["".join(tokens[i : i + step]) for i in range(0, len(tokens), step)]


def _streaming(fake, words: int) -> None:
    fake.set(deltas=_deltas(words), chunk_delay=CHUNK_DELAY)


def _not_streaming(fake) -> None:
    fake.set(deltas=None, chunk_delay=None)


def scenario_streams(ctx: Context, count: int, words: int) -> None:
    fake, auth = ctx.fake, ctx.auth
    _streaming(fake, words)
    alone = run_async(many_streams(f"{fake.base_url}/chat/completions", {}, count, 60))
    idle_rss = rss_mb(ctx.server.pid)

    async def through() -> tuple[Streams, list, list, list, float]:
        stop = asyncio.Event()
        during: list[float] = []  # as seen from the load generator's loop
        peak = 0.0

        async def sample_rss() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, rss_mb(ctx.server.pid))
                await asyncio.sleep(0.5)

        watchers = [
            asyncio.create_task(watch_health(f"{ctx.base}/health", stop, during)),
            asyncio.create_task(sample_rss()),
        ]
        with HealthProbe("127.0.0.1", ctx.port) as probe:
            burst_at = time.time()
            result = await many_streams(ctx.chat_url, auth, count, 60)
        stop.set()
        await asyncio.gather(*watchers)
        after = [await _get_ms(f"{ctx.base}/health") for _ in range(10)]
        slow.extend(probe.slow(100, burst_at))
        return result, probe.samples, during, [5000.0 if a is None else a for a in after], peak

    cpu = server_cpu_seconds(ctx.server.pid)
    own_cpu, upstream_cpu = time.process_time(), _process_cpu_seconds(fake.process)
    slow: list[tuple[float, float]] = []  # probes over 100 ms: (s after the burst began, ms)
    gateway, probed, during, after, peak = run_async(through())
    cpu_ms = (server_cpu_seconds(ctx.server.pid) - cpu) * 1000 / max(count, 1)
    own_ms = (time.process_time() - own_cpu) * 1000 / max(count, 1)
    upstream_ms = (_process_cpu_seconds(fake.process) - upstream_cpu) * 1000 / max(count, 1)
    _not_streaming(fake)
    extra = percentile(gateway.first, 99) - percentile(alone.first, 99)
    ctx.out(f"## {count} concurrent streams, 20 chunks x 250 ms, {words} words")
    ctx.out(f"- upstream alone : {alone.summary()}")
    ctx.out(f"- AgentHub       : {gateway.summary()}")
    ctx.out(f"- first content p99 added over the upstream alone: {extra:+.2f} s (target <= 1.5 s)")
    ctx.out(
        f"- /health during: p50 {percentile(probed, 50):.1f} ms, p99 {percentile(probed, 99):.1f}"
        f" ms, max {max(probed, default=0):.1f} ms ({len(probed)} probes from a process of their"
        f" own); right after: max {max(after):.1f} ms (target <= 100 ms)"
    )
    ctx.out(
        f"  probes over 100 ms: {len(slow)}"
        + "".join(f"; at {at:.1f} s: {ms:.0f} ms" for at, ms in slow[:8])
    )
    ctx.out(
        f"  (the same probe from the load generator's event loop: p50 "
        f"{percentile(during, 50):.1f} ms, p99 {percentile(during, 99):.1f} ms, max "
        f"{max(during, default=0):.1f} ms)"
    )
    ctx.out(
        f"- server CPU {cpu_ms:.1f} ms per stream (both processes); on the same cores the "
        f"load generator {own_ms:.1f} ms and fakellm {upstream_ms:.1f} ms per stream; load "
        f"average now {os.getloadavg()[0]:.1f}"
    )
    per_thousand = (peak - idle_rss) * 1000 / max(count, 1)
    ctx.out(
        f"- server memory: {idle_rss:.0f} MB idle, {peak:.0f} MB peak with {count} streams open "
        f"-> {per_thousand:.0f} MB per 1,000 open streams (both processes)"
    )


def scenario_flood(ctx: Context, count: int, words: int) -> None:
    fake = ctx.fake
    _streaming(fake, words)
    started = time.perf_counter()
    alone = run_async(many_streams(f"{fake.base_url}/chat/completions", {}, count, 90))
    alone_wall = time.perf_counter() - started
    started = time.perf_counter()
    result = run_async(many_streams(ctx.chat_url, ctx.auth, count, 90))
    wall = time.perf_counter() - started
    _not_streaming(fake)
    left = time.perf_counter()
    recovered = None
    while time.perf_counter() - left < 30:
        probe = run_async(burst(ctx.chat_url, ctx.auth, 1))
        if probe.ok:
            recovered = time.perf_counter() - left
            break
        time.sleep(0.1)
    ctx.out(f"## {count} concurrent streams (the flood; 90 s client timeout)")
    ctx.out(f"- upstream alone: {alone.summary()}; wall {alone_wall:.1f} s")
    ctx.out(f"- AgentHub      : {result.summary()}; wall {wall:.1f} s")
    ctx.out(
        f"- 503 without Retry-After: {result.retry_after_missing}; 500s: "
        f"{result.statuses.get('http_500', 0)}; normal service again after the clients left: "
        + (f"{recovered:.2f} s" if recovered is not None else "NOT within 30 s")
        + " (target <= 5 s)"
    )


def scenario_cold(ctx: Context) -> None:
    fake = ctx.fake
    fake.set(delay=1.0)
    alone = run_async(burst(f"{fake.base_url}/chat/completions", {}, 500))
    stop_server(ctx.server)
    ctx.server = start_server(ctx.env, ctx.port)  # returns as soon as /health answers
    gateway = run_async(burst(ctx.chat_url, ctx.auth, 500))
    warm = run_async(burst(ctx.chat_url, ctx.auth, 500))  # the same server, now warm
    fake.set(delay=None)
    ratio = percentile(gateway.latencies, 99) / max(percentile(alone.latencies, 99), 1e-9)
    ctx.out("## cold burst: 500 requests against a 1 s upstream, fired as /health first answers")
    for name, run in (
        ("upstream alone", alone),
        ("AgentHub (cold)", gateway),
        ("AgentHub (warm)", warm),
    ):
        errors = ", ".join(f"{k}:{v}" for k, v in sorted(run.errors.items())) or "none"
        ctx.out(
            f"- {name:<15}: ok {run.ok}, errors {errors}, p50 "
            f"{percentile(run.latencies, 50):.0f} ms, p99 {percentile(run.latencies, 99):.0f} ms"
        )
    ctx.out(f"- p99 ratio to the upstream alone: {ratio:.2f}x (target <= 2x)")


async def _slow_body_clients(host: str, port: int, count: int, stop: asyncio.Event) -> int:
    """``count`` connections that send headers and then one body byte a second."""
    head = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n"
    )
    writers = []
    for _ in range(count):
        try:
            _reader, writer = await asyncio.open_connection(host, port)
            writer.write(head)
            writers.append(writer)
        except OSError:
            break
    while not stop.is_set():
        for writer in writers:
            if not writer.is_closing():
                writer.write(b" ")
        await asyncio.sleep(1)
    for writer in writers:
        writer.close()
    return len(writers)


def scenario_slowbody(ctx: Context, seconds: float) -> None:
    alone = run_async(concurrent(ctx.chat_url, ctx.auth, 8, seconds, 100_000))

    async def with_slow() -> tuple[Run, int]:
        stop = asyncio.Event()
        slow = asyncio.create_task(_slow_body_clients("127.0.0.1", ctx.port, 500, stop))
        await asyncio.sleep(1.0)
        run = await concurrent(ctx.chat_url, ctx.auth, 8, seconds, 100_000)
        stop.set()
        return run, await slow

    loaded, held = run_async(with_slow())
    p99, loaded_p99 = percentile(alone.latencies, 99), percentile(loaded.latencies, 99)
    ctx.out(f"## {held} slow-body clients held open (one byte a second)")
    ctx.out(
        f"- ordinary requests, 8 connections: alone p99 {p99:.1f} ms ({alone.ok} ok), with the "
        f"slow clients p99 {loaded_p99:.1f} ms ({loaded.ok} ok, errors {loaded.errors or 0}) "
        f"-> {100 * (loaded_p99 / max(p99, 1e-9) - 1):+.0f} % (target within 20 %)"
    )


def scenario_dbstop(ctx: Context, cluster: str) -> None:
    version, name = cluster.split("/")
    statuses: dict[str, dict[str, int]] = {"before": {}, "stopped": {}, "after": {}}
    seconds = dict.fromkeys(statuses, 0.0)
    phase = "before"
    finished = asyncio.Event()

    async def load(url: str, headers: dict) -> None:
        async def worker() -> None:
            while not finished.is_set():
                run = await burst(url, headers, 1)
                kind = "200" if run.ok else next(iter(run.errors), "?")
                bucket = statuses[phase]
                bucket[kind] = bucket.get(kind, 0) + 1

        await asyncio.gather(*(worker() for _ in range(16)))

    async def outage() -> None:
        nonlocal phase
        started = time.perf_counter()
        await asyncio.sleep(5)
        await asyncio.to_thread(
            subprocess.run, ["pg_ctlcluster", version, name, "stop", "-m", "immediate"], check=True
        )
        phase, seconds["before"], started = (
            "stopped",
            time.perf_counter() - started,
            time.perf_counter(),
        )
        await asyncio.sleep(15)
        await asyncio.to_thread(
            subprocess.run, ["pg_ctlcluster", version, name, "start"], check=True
        )
        phase, seconds["stopped"], started = (
            "after",
            time.perf_counter() - started,
            time.perf_counter(),
        )
        await asyncio.sleep(5)
        seconds["after"] = time.perf_counter() - started
        finished.set()

    async def alone() -> float:
        """The same 16 connections straight to the upstream for 5 s: requests per second."""
        nonlocal phase
        phase = "before"
        asyncio.get_running_loop().call_later(5, finished.set)
        await load(f"{ctx.fake.base_url}/chat/completions", {})
        count = sum(statuses["before"].values())
        statuses["before"].clear()
        finished.clear()
        return count / 5

    async def both() -> float:
        rate = await alone()
        await asyncio.gather(load(ctx.chat_url, ctx.auth), outage())
        return rate

    try:
        alone_rate = run_async(both())
    finally:
        subprocess.run(["pg_ctlcluster", version, name, "start"], check=False)
    ctx.out("## PostgreSQL stopped for 15 s under load (16 connections, chat completions)")
    ctx.out(f"- upstream alone: {alone_rate:.0f} req/s")
    for name_, counts in statuses.items():
        text = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "-"
        rate = sum(counts.values()) / max(seconds[name_], 1e-9)
        ctx.out(f"- {name_:<8}: {text} ({seconds[name_]:.1f} s, {rate:.0f} req/s)")


@dataclass
class Context:
    env: dict
    port: int
    fake: FakeLLM
    server: subprocess.Popen
    auth: dict
    lines: list = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def chat_url(self) -> str:
        return f"{self.base}/v1/chat/completions"

    def out(self, line: str) -> None:
        print(line, flush=True)
        self.lines.append(line)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("scenarios", nargs="*", default=["streams", "cold", "slowbody", "dbstop"])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:18532/agenthub_gateway_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    parser.add_argument("--pg-cluster", default=os.environ.get("BENCH_PG_CLUSTER", ""))
    parser.add_argument("--port", type=int, default=18520)
    parser.add_argument("--upstream-port", type=int, default=0, help="fakellm's (0: any free)")
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--flood", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--words",
        type=int,
        default=100,
        help="answer length in words, streamed as 20 deltas (the output redaction releases "
        "ordinary words delta by delta: apps/security/streaming.py)",
    )
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    fake = start_fakellm(args.upstream_port)
    env = django_env(args)
    key = setup(env, fake)
    ctx = Context(
        env, args.port, fake, start_server(env, args.port), {"Authorization": f"Bearer {key}"}
    )
    print(
        f"# AgentHub under LLM traffic: uvicorn x {env['WEB_CONCURRENCY']} processes, PostgreSQL,"
        f" Redis; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start"
    )
    try:
        for name in args.scenarios:
            if name == "streams":
                scenario_streams(ctx, args.streams, args.words)
            elif name == "flood":
                scenario_flood(ctx, args.flood, args.words)
            elif name == "cold":
                scenario_cold(ctx)
            elif name == "slowbody":
                scenario_slowbody(ctx, args.seconds)
            elif name == "dbstop":
                if not args.pg_cluster:
                    print("## dbstop skipped: set BENCH_PG_CLUSTER=<version>/<private cluster>")
                    continue
                scenario_dbstop(ctx, args.pg_cluster)
    finally:
        stop_server(ctx.server)
        fake.stop()


if __name__ == "__main__":
    main()
