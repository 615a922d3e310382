"""Gateway overhead and capacity: the same chat completion straight to the fake upstream and
through AgentHub's ``/v1/chat/completions``, served as in production.

    python bench/gateway/run.py [--quick]

Production-like: gunicorn with ``agenthub/gunicorn.conf.py`` (gthread), DJANGO_ENV=production,
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
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fakellm.testing import FakeLLM, start_fakellm  # noqa: E402

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


async def one(client: httpx.AsyncClient, url: str, headers: dict, run: Run) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(url, json=BODY, headers=headers)
    except httpx.HTTPError as exc:
        run.error(type(exc).__name__)
        return
    if response.status_code != 200:
        run.error(str(response.status_code))
        return
    run.latencies.append((time.perf_counter() - started) * 1000)


async def sequential(url: str, headers: dict, count: int) -> Run:
    run = Run()
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(20):  # warm-up: connections, caches, JIT-free but lazy imports
            await one(client, url, headers, Run())
        started = time.perf_counter()
        for _ in range(count):
            await one(client, url, headers, run)
        run.elapsed = time.perf_counter() - started
    return run


async def concurrent(url: str, headers: dict, connections: int, seconds: float, cap: int) -> Run:
    run = Run()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(one(client, url, headers, Run()) for _ in range(connections)))
        deadline = time.perf_counter() + seconds
        sent = 0

        async def worker() -> None:
            nonlocal sent
            while time.perf_counter() < deadline and sent < cap:
                sent += 1
                await one(client, url, headers, run)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        run.elapsed = time.perf_counter() - started
    return run


async def burst(url: str, headers: dict, count: int) -> Run:
    """``count`` requests sent at once, each on its own connection."""
    run = Run()
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(one(client, url, headers, run) for _ in range(count)))
        run.elapsed = time.perf_counter() - started
    return run


def django_env(args: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
        "BIND": f"127.0.0.1:{args.port}",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def setup(env: dict[str, str], fake: FakeLLM) -> str:
    python = sys.executable
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


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "--config", "agenthub/gunicorn.conf.py", "agenthub.wsgi"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not become healthy")


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
    args = parser.parse_args()
    if args.quick:
        args.sequential, args.seconds = 150, 4.0

    fake = start_fakellm()
    env = django_env(args)
    server = None
    try:
        key = setup(env, fake)
        server = start_gunicorn(env, args.port)
        direct_url = f"{fake.base_url}/chat/completions"
        gateway_url = f"http://127.0.0.1:{args.port}/v1/chat/completions"
        auth = {"Authorization": f"Bearer {key}"}
        lines = []
        header = (
            "| run                                |     ok | errors |    req/s "
            "|  p50 ms  |  p99 ms  | error kinds    | note"
        )
        lines += [header, "|" + "-" * (len(header) - 1)]

        direct = asyncio.run(sequential(direct_url, {}, args.sequential))
        through = asyncio.run(sequential(gateway_url, auth, args.sequential))
        added50 = percentile(through.latencies, 50) - percentile(direct.latencies, 50)
        added99 = percentile(through.latencies, 99) - percentile(direct.latencies, 99)
        lines.append(row("sequential, direct to fakellm", direct))
        lines.append(
            row(
                "sequential, through AgentHub",
                through,
                f"added p50 {added50:.2f} ms, p99 {added99:.2f} ms (target p50 < 3 ms)",
            )
        )
        for connections in (8, 32, 256):
            cap = int(args.seconds * 2000)
            d = asyncio.run(concurrent(direct_url, {}, connections, args.seconds, cap))
            g = asyncio.run(concurrent(gateway_url, auth, connections, args.seconds, cap))
            lines.append(row(f"{connections} connections, direct", d))
            note = "target >= 400 req/s" if connections == 32 else ""
            lines.append(row(f"{connections} connections, AgentHub", g, note))

        fake.set(delay=1.0)
        d = asyncio.run(burst(direct_url, {}, 500))
        g = asyncio.run(burst(gateway_url, auth, 500))
        lines.append(row("500 in flight, 1 s upstream, direct", d, f"wall {d.elapsed:.2f} s"))
        lines.append(
            row(
                "500 in flight, 1 s upstream, AgentHub",
                g,
                f"wall {g.elapsed:.2f} s (target: all 500 ok)",
            )
        )
        fake.set(delay=None)
        print()
        print(
            f"AgentHub gateway benchmark — gunicorn gthread "
            f"({os.environ.get('WEB_CONCURRENCY', '2')} workers x "
            f"{os.environ.get('GUNICORN_THREADS', '256')} threads), PostgreSQL, Redis, "
            f"guard + breakers on, {os.cpu_count()} CPUs"
        )
        print("\n".join(lines))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        fake.stop()


if __name__ == "__main__":
    main()
