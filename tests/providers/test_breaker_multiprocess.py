"""Several real OS processes sharing one breaker through Redis, on real time.

Each worker process runs :func:`worker_main`: a breaker over its own Redis client, driven by
JSON commands on stdin, answering JSON lines on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from apps.providers.breaker import BreakerSettings, CircuitBreaker, RedisBreakerStore, State
from apps.providers.breaker import redis_client as make_client

pytestmark = [pytest.mark.redis, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
OPEN_DURATION = 1.5
SETTINGS = {
    "failure_threshold": 3,
    "failure_rate_threshold": None,
    "open_duration": OPEN_DURATION,
    "half_open_max_calls": 2,
}


def worker_main() -> None:  # runs in the child processes
    import django

    django.setup()
    from apps.providers.breaker import Permit
    from apps.providers.exceptions import CircuitOpenError

    redis_url, prefix, name, config = sys.argv[1:5]
    events: list[dict] = []
    fixed = BreakerSettings(**json.loads(config))
    breaker = CircuitBreaker(
        name,
        lambda: fixed,
        RedisBreakerStore(make_client(redis_url, timeout=2.0), prefix=prefix),
        on_transition=lambda e: events.append({"from": e.from_state.value, "to": e.to_state.value}),
    )

    def acquire() -> dict:
        start = time.perf_counter()
        try:
            permit = breaker.acquire()
        except CircuitOpenError as exc:
            elapsed = time.perf_counter() - start
            return {"ok": False, "retry_after": exc.retry_after, "elapsed": elapsed}
        return {"ok": True, "trial": permit.trial, "token": permit.token}

    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        if op == "acquire":
            if "at" in cmd:  # start together with the other processes
                time.sleep(max(0.0, cmd["at"] - time.time()))
            out: object = [acquire() for _ in range(cmd.get("n", 1))]
        elif op == "record":
            permit = Permit(name, cmd["trial"], cmd["token"])
            if cmd["failure"]:
                breaker.record_failure(permit, 0.01)
            else:
                breaker.record_success(permit, 0.01)
            out = breaker.snapshot().state.value
        elif op == "fail":
            for _ in range(cmd["n"]):
                breaker.record_failure(breaker.acquire(), 0.01)
            out = breaker.snapshot().state.value
        elif op == "events":
            out = events
        else:
            break
        print(json.dumps(out), flush=True)


class Worker:
    def __init__(self, prefix: str, name: str) -> None:
        code = "from tests.providers.test_breaker_multiprocess import worker_main; worker_main()"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, settings.REDIS_URL, prefix, name, json.dumps(SETTINGS)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "agenthub.settings"},
        )

    def ready(self) -> int:
        return json.loads(self.proc.stdout.readline())["ready"]

    def send(self, **cmd) -> None:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def read(self):
        line = self.proc.stdout.readline()
        assert line, "worker process died"
        return json.loads(line)

    def ask(self, **cmd):
        self.send(**cmd)
        return self.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def shared():
    prefix = f"test-breaker-mp:{uuid.uuid4().hex}:"
    name = "upstream"
    workers = [Worker(prefix, name) for _ in range(3)]
    client = make_client(settings.REDIS_URL, timeout=2.0)
    try:
        pids = {w.ready() for w in workers}
        assert len(pids) == 3  # three distinct OS processes
        observer = CircuitBreaker(
            name, lambda: BreakerSettings(**SETTINGS), RedisBreakerStore(client, prefix=prefix)
        )
        yield workers, observer
    finally:
        for w in workers:
            w.stop()
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def wait_open_duration() -> None:
    time.sleep(OPEN_DURATION + 0.1)


def test_breaker_is_shared_across_processes(shared):
    (a, b, c), observer = shared

    # Closed -> open in process A at its threshold ...
    assert a.ask(op="fail", n=2) == "closed"
    assert a.ask(op="fail", n=1) == "open"
    # ... and the next call in B and C fails fast, without touching the upstream.
    for w in (b, c):
        [result] = w.ask(op="acquire")
        assert result["ok"] is False
        assert 0 < result["retry_after"] <= OPEN_DURATION
        assert result["elapsed"] < 0.1

    # After open_duration the three processes race: 3 x 3 attempts, exactly 2 trials pass.
    wait_open_duration()
    start_at = time.time() + 0.3
    for w in (a, b, c):
        w.send(op="acquire", n=3, at=start_at)
    results = {w: w.read() for w in (a, b, c)}
    granted = [(w, r) for w, rs in results.items() for r in rs if r["ok"]]
    assert len(granted) == SETTINGS["half_open_max_calls"]
    assert all(r["trial"] for _, r in granted)
    assert observer.snapshot().state is State.HALF_OPEN

    # Both trials succeed (each in the process that holds it): closed for everyone.
    for w, r in granted:
        w.ask(op="record", token=r["token"], trial=True, failure=False)
    assert observer.snapshot().state is State.CLOSED
    [result] = c.ask(op="acquire")
    assert result["ok"] is True
    assert result["trial"] is False

    # Trip again in B; after open_duration a failed trial in C re-opens it for A too.
    assert b.ask(op="fail", n=3) == "open"
    wait_open_duration()
    [trial] = c.ask(op="acquire")
    assert trial["trial"] is True
    assert c.ask(op="record", token=trial["token"], trial=True, failure=True) == "open"
    [result] = a.ask(op="acquire")
    assert result["ok"] is False
    assert result["retry_after"] > OPEN_DURATION - 0.5

    # Each transition happened exactly once, in exactly one of the processes.
    events = [e for w in (a, b, c) for e in w.ask(op="events")]
    counts: dict[tuple[str, str], int] = {}
    for e in events:
        counts[(e["from"], e["to"])] = counts.get((e["from"], e["to"]), 0) + 1
    assert counts == {
        ("closed", "open"): 2,
        ("open", "half_open"): 2,
        ("half_open", "closed"): 1,
        ("half_open", "open"): 1,
    }
