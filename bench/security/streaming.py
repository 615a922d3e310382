"""Streaming through the redactor: does a token-by-token answer still stream?

    .venv/bin/python bench/security/streaming.py [--runs 5] [--port 18911]

fakellm (a subprocess) sends 12 content deltas 150 ms apart. The same streamed chat completion
is read straight from fakellm and through AgentHub's ``/v1/chat/completions`` (the production
front door, FrontDoor under uvicorn, in a thread of this process; a throw-away SQLite database;
the default security policy: guard, PII masking, the stream redactor and the placeholder
restorer all on). Printed:
time to the first content delta (direct, through AgentHub, the difference), and how many of
the upstream's deltas arrived as chunks of their own. Also a reply whose deltas carry a secret
split mid-token and a placeholder split in two, to show what is held back there.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

WORDS = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog ", "and ",
         "runs ", "far."]  # fmt: skip


def read_stream(url: str, headers: dict, body: dict) -> tuple[float | None, list[str], float]:
    started, first, chunks = time.perf_counter(), None, []
    with httpx.stream("POST", url, json=body, headers=headers, timeout=60) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: {"):
                continue
            choices = json.loads(line[6:]).get("choices") or []
            content = choices[0]["delta"].get("content") if choices else None
            if content:
                if first is None:
                    first = time.perf_counter() - started
                chunks.append(content)
    return first, chunks, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=18911)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="ah-bench-stream-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="agenthub.settings",
        DJANGO_ENV="development",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
        SECURITY_AUDIT_SPOOL_DIR=f"{tmp}/spool",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    import uvicorn
    from django.core.asgi import get_asgi_application
    from django.core.management import call_command

    from apps.gateway.asgi import FrontDoor
    from apps.providers.services import provider_create
    from apps.security.services import security_seed
    from apps.tenants.services import api_key_create, tenant_get_or_create
    from fakellm.testing import start_fakellm

    call_command("migrate", verbosity=0)
    security_seed()
    fake = start_fakellm()
    try:
        provider_create(
            name="fakellm",
            kind="openai_compatible",
            base_url=fake.base_url,
            model="fakellm-1",
            is_default=True,
            max_attempts=1,
            read_timeout=30,
        )
        key = api_key_create(tenant=tenant_get_or_create(name="bench"), name="bench").plaintext
        # The production front door (FrontDoor under uvicorn) in a thread of this process.
        server = uvicorn.Server(
            uvicorn.Config(
                FrontDoor(get_asgi_application()),
                host="127.0.0.1",
                port=args.port,
                lifespan="on",
                log_level="warning",
            )
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.02)
        gateway = f"http://127.0.0.1:{args.port}/v1/chat/completions"
        auth = {"Authorization": f"Bearer {key}"}
        body = {"model": "fakellm", "stream": True, "messages": [{"role": "user", "content": "go"}]}

        fake.set(deltas=WORDS, chunk_delay=0.15)
        read_stream(gateway, auth, body)  # warm-up: imports, policy snapshot, redactor build
        rows = []
        for _ in range(args.runs):
            direct = read_stream(f"{fake.base_url}/chat/completions", {}, body)
            ours = read_stream(gateway, auth, body)
            rows.append((direct, ours))
        print(f"upstream: {len(WORDS)} deltas, 150 ms apart; {args.runs} runs")
        print(f"{'run':>4} {'direct first ms':>16} {'gateway first ms':>17} {'added ms':>9} "
              f"{'chunks':>7} {'separate':>9}")  # fmt: skip
        added, separate = [], []
        for index, ((d_first, _, _), (g_first, g_chunks, _)) in enumerate(rows, 1):
            share = min(len(g_chunks), len(WORDS)) / len(WORDS)
            added.append((g_first - d_first) * 1000)
            separate.append(share)
            print(f"{index:>4} {d_first * 1000:>16.1f} {g_first * 1000:>17.1f} "
                  f"{added[-1]:>9.1f} {len(g_chunks):>7} {share:>8.0%}")  # fmt: skip
        print(f"median added to first content: {statistics.median(added):.1f} ms; "
              f"deltas as own chunks: {min(separate):.0%} (worst run)")  # fmt: skip

        secret = "ghp_" + "Q7wE9rT1yU3iO5pA" * 2 + "zX4c"
        tricky = ["Your token is ", secret[:3], secret[3:9], secret[9:20], secret[20:], " ok. ",
                  "Mail [EM", "AIL_1] now."]  # fmt: skip
        fake.set(deltas=tricky, chunk_delay=0.05)
        pii_body = {**body, "messages": [{"role": "user", "content": "mail mary@example.org"}]}
        _, chunks, _ = read_stream(gateway, auth, pii_body)
        sent = json.dumps(fake.requests()[-1]["body"]["messages"])
        print("upstream received:", sent)
        print("deltas sent:      ", json.dumps(tricky))
        print("client received:  ", json.dumps(chunks))
        server.should_exit = True
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
