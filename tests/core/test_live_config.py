"""Live configuration: a change is seen by this process at once and by others within a second."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from apps.core.live_config import LiveCache, bump_version

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_live_cache_rebuilds_only_when_the_version_moves():
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    live = LiveCache("test-ns", build)
    assert live.get() == 1
    assert live.get() == 1
    assert len(builds) == 1
    bump_version("test-ns")
    assert live.get() == 2
    assert live.get() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_committed_change_reaches_another_process_within_a_second(settings):
    """A second OS process polls current_version; we bump and time how long it takes to see it."""
    db = settings.DATABASES["default"]
    if (db["ENGINE"].endswith("sqlite3") and db["NAME"] in ("", ":memory:")) or "memory" in str(
        connection.settings_dict["NAME"]
    ):
        pytest.skip("in-memory SQLite is invisible to other processes")
    script = f"""
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenthub.settings")
import django
from django.conf import settings
django.setup()
from django.db import connections
connections["default"].settings_dict["NAME"] = {connection.settings_dict["NAME"]!r}
from apps.core.live_config import LiveCache
seen = LiveCache("cross-proc", lambda: time.monotonic())
first = seen.get()
print("ready", flush=True)
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    if seen.get() != first:
        print("changed", flush=True)
        sys.exit(0)
    time.sleep(0.01)
sys.exit(1)
"""
    child = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "ready"
    with transaction.atomic():
        bump_version("cross-proc")
    started = time.monotonic()
    assert child.stdout.readline().strip() == "changed"
    elapsed = time.monotonic() - started
    child.wait(timeout=5)
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
