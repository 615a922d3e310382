"""Gateway overhead and capacity: the same chat completion straight to the fake upstream and
through AgentHub's ``/v1/chat/completions``, served as in production.

    python bench/gateway/run.py [--quick]

Production-like: this checkout's server (``python -m agenthub.server``: uvicorn, the async front
door) and, side by side in the same run, the previous build (gunicorn gthread, exported from the
``main`` branch: ``--servers asgi gunicorn``), DJANGO_ENV=production,
PostgreSQL (``BENCH_DATABASE_URL``, default the flows helper's ``ah_flows``) and Redis
(``BENCH_REDIS_URL``), guard and breakers on, fakellm (a subprocess) as the default provider.
Measures:
  1. added latency p50/p99, one request at a time (direct vs through the gateway);
  2. throughput and p99 at 8, 32 and 256 concurrent connections;
  3. 500 requests in flight at once against an upstream that takes 1 s.
The load generator is asyncio + httpx, bounded in requests and time, 127.0.0.1 only. It shares
the machine's cores with the server, so throughput figures are a lower bound.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import uvloop

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench._support import ensure_database  # noqa: E402
from fakellm.testing import FakeLLM, start_fakellm  # noqa: E402


def run_async(coroutine):
    """The load generator's event loop: uvloop, as the server's. The generator shares the cores
    with the server and the upstream, so its own CPU per socket event is kept as low as it goes
    (the same loop for the upstream-alone and the gateway runs)."""
    return uvloop.run(coroutine)


BODY = {
    "model": "fakellm",
    "messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello! Can you tell me what the weather is like today?"},
    ],
}

SETUP = """
from apps.providers.models import Provider
from apps.providers.services import provider_create, provider_update
from apps.tenants.services import api_key_create, tenant_get_or_create
base = {base!r}
existing = Provider.objects.filter(name="fakellm").first()
fields = dict(kind="openai_compatible", base_url=base, model="fakellm-1", is_default=True,
              max_attempts=2, read_timeout=30, connect_timeout=5)
if existing is None:
    provider_create(name="fakellm", **fields)
else:
    provider_update(provider=existing, **fields)
tenant = tenant_get_or_create(name="bench")
print("KEY=" + api_key_create(tenant=tenant, name="bench").plaintext)
"""


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def ok(self) -> int:
        return len(self.latencies)


class Connection:
    """A minimal HTTP/1.1 keep-alive client connection on asyncio streams.

    httpx's async pool costs about a millisecond of CPU per request and degrades with many
    connections; on a 2-core machine that shares its cores with the server, the load generator
    must be as lean as possible or it measures itself.
    """

    def __init__(self, url: str, headers: dict[str, str], *, method: str = "POST") -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        body = json.dumps(BODY).encode() if method == "POST" else b""
        lines = [
            f"{method} {parts.path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            *(["Content-Type: application/json"] if body else []),
            f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def post(self) -> int:
        if self.writer is None or self.reader is None:
            await self._open()
        reader, writer = self.reader, self.writer
        if reader is None or writer is None:
            raise ConnectionError("not connected")
        writer.write(self.request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        await reader.readexactly(length)
        if close:
            self.close()
        return status


async def one(conn: Connection, run: Run, timeout: float) -> None:
    started = time.perf_counter()
    try:
        status = await asyncio.wait_for(conn.post(), timeout)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        conn.close()
        run.error(type(exc).__name__)
        return
    except TimeoutError:
        conn.close()
        run.error("timeout")
        return
    if status != 200:
        run.error(str(status))
        return
    run.latencies.append((time.perf_counter() - started) * 1000)


async def sequential(url: str, headers: dict, count: int, *, method: str = "POST") -> Run:
    run = Run()
    conn = Connection(url, headers, method=method)
    for _ in range(20):  # warm-up: connection, caches, lazy imports
        await one(conn, Run(), 30)
    started = time.perf_counter()
    for _ in range(count):
        await one(conn, run, 30)
    run.elapsed = time.perf_counter() - started
    conn.close()
    return run


async def concurrent(url: str, headers: dict, connections: int, seconds: float, cap: int) -> Run:
    """``connections`` keep-alive connections, each sending its next request on an answer."""
    run = Run()
    conns = [Connection(url, headers) for _ in range(connections)]
    await asyncio.gather(*(one(c, Run(), 60) for c in conns))  # connect and warm up
    deadline = time.perf_counter() + seconds
    sent = 0

    async def worker(conn: Connection) -> None:
        nonlocal sent
        while time.perf_counter() < deadline and sent < cap:
            sent += 1
            await one(conn, run, 60)

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    run.elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    return run


async def burst(url: str, headers: dict, count: int) -> Run:
    """``count`` requests in flight at once, each on its own new connection."""
    run = Run()
    conns = [Connection(url, headers) for _ in range(count)]
    started = time.perf_counter()
    await asyncio.gather(*(one(c, run, 120) for c in conns))
    run.elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    return run


def django_env(args: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "SECRETS_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
        # One key sends everything here: limits stay on (their cost is measured) but high.
        "RATE_LIMIT_PER_KEY": "100000000",
        "RATE_LIMIT_PER_TENANT": "100000000",
        "RATE_LIMIT_PER_IP": "100000000",
        "BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def setup(env: dict[str, str], fake: FakeLLM) -> str:
    python = sys.executable
    ensure_database(env["DATABASE_URL"])
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    out = subprocess.run(
        [python, "manage.py", "shell", "-c", SETUP.format(base=fake.base_url)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return next(line[4:] for line in out.splitlines() if line.startswith("KEY="))


def baseline_tree() -> Path:
    """The previous build (gunicorn gthread, the sync front door) exported into a temporary
    directory, to measure side by side in the same run: where this branch left ``main``
    (``BENCH_BASELINE_REF`` to choose another commit)."""
    ref = (
        os.environ.get("BENCH_BASELINE_REF")
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    target = Path(os.environ.get("TMPDIR", "/tmp")) / f"agenthub-baseline-{ref[:12]}"
    if not (target / "manage.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", ref], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def start_server(env: dict[str, str], port: int, kind: str = "asgi") -> subprocess.Popen:
    """``asgi``: this checkout's server (``python -m agenthub.server``, uvicorn);
    ``gunicorn``: the baseline tree under its gunicorn gthread configuration."""
    if kind == "gunicorn":
        tree = baseline_tree()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "--config", "agenthub/gunicorn.conf.py", "agenthub.wsgi"]
        env = {**env, "PYTHONPATH": str(tree)}
    else:
        tree = ROOT
        command = [sys.executable, "-m", "agenthub.server"]
    process = subprocess.Popen(command, cwd=tree, env=env, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the {kind} server exited with {process.returncode}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the {kind} server did not become healthy")


def stop_server(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def upstream_calls(fake: FakeLLM) -> int:
    return int(fake.stats()["requests"].get("/v1/chat/completions", 0))


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) of the gunicorn master and its workers so far, from /proc.

    On a shared machine wall-clock figures move with the neighbours' load; the server's CPU
    time per request barely does, so it is the figure to compare between two runs."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # fields[0] state, [1] ppid, ... [11] utime, [12] stime
        if int(entry.name) == master_pid or int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def cpu_note(master_pid: int, started_cpu: float, requests: int) -> str:
    used = server_cpu_seconds(master_pid) - started_cpu
    return f"server CPU {used * 1000 / max(requests, 1):.2f} ms/req"


def row(name: str, run: Run, extra: str = "") -> str:
    rps = run.ok / run.elapsed if run.elapsed else 0.0
    errors = sum(run.errors.values())
    detail = ", ".join(f"{k}:{v}" for k, v in sorted(run.errors.items())) or "-"
    return (
        f"| {name:<34} | {run.ok:>6} | {errors:>6} | {rps:>8.1f} | "
        f"{percentile(run.latencies, 50):>8.2f} | {percentile(run.latencies, 99):>8.2f} | "
        f"{detail:<14} | {extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ah_flows"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
    )
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--sequential", type=int, default=500, help="requests one at a time")
    parser.add_argument("--seconds", type=float, default=10.0, help="per concurrency level")
    parser.add_argument("--quick", action="store_true", help="fewer requests, shorter runs")
    parser.add_argument(
        "--servers",
        nargs="+",
        choices=["asgi", "gunicorn"],
        default=["asgi", "gunicorn"],
        help="what to measure: this checkout (asgi) and/or the previous build (gunicorn)",
    )
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 32, 256])
    parser.add_argument("--no-burst", dest="burst", action="store_false")
    args = parser.parse_args()
    if args.quick:
        args.sequential, args.seconds = 150, 4.0

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 500 sockets each side
    load_before = os.getloadavg()[0]
    fake = start_fakellm()
    env = django_env(args)
    try:
        key = setup(env, fake)
        for kind in args.servers:
            server = start_server(env, args.port, kind)
            try:
                lines = measure(args, fake, server, key)
            finally:
                stop_server(server)
            label = (
                "uvicorn (agenthub/server.py), async front door"
                if kind == "asgi"
                else "gunicorn gthread 2 x 256 (the previous build)"
            )
            print()
            print(
                f"AgentHub gateway benchmark — {label}; {env.get('WEB_CONCURRENCY', '2')} "
                f"processes, PostgreSQL, Redis, guard + breakers on, {os.cpu_count()} CPUs, "
                f"load average before the run {load_before:.2f} (other work on the machine "
                "competes for the same cores)"
            )
            print("\n".join(lines))
    finally:
        fake.stop()


def measure(args: argparse.Namespace, fake: FakeLLM, server: subprocess.Popen, key: str) -> list:
    direct_url = f"{fake.base_url}/chat/completions"
    gateway_url = f"http://127.0.0.1:{args.port}/v1/chat/completions"
    auth = {"Authorization": f"Bearer {key}"}
    lines = []
    header = (
        "| run                                |     ok | errors |    req/s "
        "|  p50 ms  |  p99 ms  | error kinds    | note"
    )
    lines += [header, "|" + "-" * (len(header) - 1)]

    direct = run_async(sequential(direct_url, {}, args.sequential))
    cpu = server_cpu_seconds(server.pid)
    through = run_async(sequential(gateway_url, auth, args.sequential))
    through_cpu = cpu_note(server.pid, cpu, args.sequential + 20)  # + warm-up requests
    added50 = percentile(through.latencies, 50) - percentile(direct.latencies, 50)
    added99 = percentile(through.latencies, 99) - percentile(direct.latencies, 99)
    lines.append(row("sequential, direct to fakellm", direct))
    lines.append(
        row(
            "sequential, through AgentHub",
            through,
            f"added p50 {added50:.2f} ms, p99 {added99:.2f} ms (target p50 < 3 ms); " + through_cpu,
        )
    )
    # Where the added latency goes: the server's floor (no auth), then an authenticated,
    # rate-limited view without an upstream call.
    base = f"http://127.0.0.1:{args.port}"
    health = run_async(sequential(f"{base}/health", {}, args.sequential, method="GET"))
    models = run_async(sequential(f"{base}/v1/models", auth, args.sequential, method="GET"))
    lines.append(row("sequential, GET /health (floor)", health))
    lines.append(row("sequential, GET /v1/models (auth+limits)", models))
    for connections in args.connections:
        cap = int(args.seconds * 2000)
        d = run_async(concurrent(direct_url, {}, connections, args.seconds, cap))
        before = upstream_calls(fake)
        cpu = server_cpu_seconds(server.pid)
        g = run_async(concurrent(gateway_url, auth, connections, args.seconds, cap))
        served = g.ok + sum(g.errors.values()) + connections  # + one warm-up per connection
        g_cpu = cpu_note(server.pid, cpu, served)
        # Upstream calls beyond one per request (and one warm-up per connection): retries.
        extra = upstream_calls(fake) - before - g.ok - sum(g.errors.values()) - connections
        lines.append(row(f"{connections} connections, direct", d))
        note = "target >= 400 req/s" if connections == 32 else ""
        note += f" max {max(g.latencies, default=0):.0f} ms; upstream retries {extra}; {g_cpu}"
        lines.append(row(f"{connections} connections, AgentHub", g, note))

    if args.burst:
        fake.set(delay=1.0)
        d = run_async(burst(direct_url, {}, 500))
        before = upstream_calls(fake)
        cpu = server_cpu_seconds(server.pid)
        g = run_async(burst(gateway_url, auth, 500))
        g_cpu = cpu_note(server.pid, cpu, 500)
        extra = upstream_calls(fake) - before - 500
        lines.append(row("500 in flight, 1 s upstream, direct", d, f"wall {d.elapsed:.2f} s"))
        lines.append(
            row(
                "500 in flight, 1 s upstream, AgentHub",
                g,
                f"wall {g.elapsed:.2f} s (target: all 500 ok); upstream retries {extra}; {g_cpu}",
            )
        )
        fake.set(delay=None)
    return lines


if __name__ == "__main__":
    main()
