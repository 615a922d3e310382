"""Several real processes share one breaker through Redis (the full client path in each).

Needs PostgreSQL (the worker processes read the same committed provider rows) and Redis.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from apps.providers.models import BreakerEvent
from tests.celery_worker import database_url
from tests.providers.factories import make_provider
from tests.support import chat_requests as upstream_calls

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
WORKER = """
import json, sys, time
import django
django.setup()
from apps.providers.exceptions import LLMError
from apps.providers.services import complete
out = []
for _ in range(int(sys.argv[1])):
    started = time.perf_counter()
    try:
        completion = complete(messages=[{"role": "user", "content": "hi"}], provider="shared")
        out.append(["ok", completion.provider])
    except LLMError as exc:
        out.append([exc.error_code, round((time.perf_counter() - started) * 1000, 2)])
print(json.dumps(out))
"""


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agenthub.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "LOG_LEVEL": "WARNING",
    }


def spawn(calls: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(calls)],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def results(process: subprocess.Popen) -> list:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_breaker_is_shared_across_processes(transactional_db, fakellm):
    make_provider(
        "shared",
        base_url=fakellm.base_url,
        max_attempts=1,
        breaker={
            "failure_threshold": 3,
            "failure_rate_threshold": None,
            "window_size": 10,
            "minimum_calls": 3,
            "open_duration": 6.0,  # outlasts a worker's start-up on a loaded machine
            "half_open_max_calls": 1,
        },
    )
    fakellm.set(mode="fail", status=500)

    # Process A trips the breaker...
    assert [r[0] for r in results(spawn(3))] == ["llm_provider_error"] * 3
    opened = time.monotonic()
    # ...and process B fails fast without calling the upstream, which now hangs: a call that
    # got through would wait for the 60 s read timeout.
    fakellm.set(mode="hang")
    rejected = results(spawn(3))
    assert [r[0] for r in rejected] == ["circuit_open"] * 3
    assert all(ms < 1000 for _code, ms in rejected)  # first includes the process's warm-up
    assert upstream_calls(fakellm) == 3

    # After open_duration, three processes race for the single half-open trial.
    time.sleep(max(0.0, 6.1 - (time.monotonic() - opened)))
    fakellm.set(mode="ok", delay=5.0)  # the trial is still running when the others arrive
    racers = [spawn(1) for _ in range(3)]
    outcomes = sorted(results(p)[0][0] for p in racers)
    assert outcomes == ["circuit_open", "circuit_open", "ok"]
    assert upstream_calls(fakellm) == 4  # exactly one trial reached the upstream

    fakellm.set(mode="ok", delay=0)
    assert results(spawn(1)) == [["ok", "shared"]]  # closed for everyone
    transitions = list(
        BreakerEvent.objects.filter(circuit_name="shared")
        .order_by("at", "id")
        .values_list("from_state", "to_state")
    )
    assert transitions == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]


WATCHER = """
import sys, time
import django
django.setup()
from apps.providers.selectors import provider_runtime
start_value = provider_runtime().settings_for("shared").open_duration
print("ready", flush=True)
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    if provider_runtime().settings_for("shared").open_duration != start_value:
        print("changed", time.time(), flush=True)
        break
    time.sleep(0.01)
else:
    print("unchanged", flush=True)
"""


def test_saved_change_reaches_another_process_within_a_second(transactional_db, fakellm):
    from apps.providers.services import provider_update

    provider = make_provider("shared", base_url=fakellm.base_url)
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert watcher.stdout.readline().strip() == "ready"
    saved_at = time.time()
    provider_update(provider=provider, breaker={"open_duration": 42.0})  # commits, bumps
    out, err = watcher.communicate(timeout=30)
    assert out.startswith("changed"), (out, err)
    delay = float(out.split()[1]) - saved_at
    print(f"change seen in the other process after {delay * 1000:.0f} ms")
    assert delay < 1.0
