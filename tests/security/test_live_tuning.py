"""A policy change saved in one OS process is in force in another within one second, with no
restart: the other process rebuilds its compiled rules when the policy version moves."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from apps.security import services
from apps.security.models import InjectionPattern
from tests.celery_worker import database_url

REPO = Path(__file__).resolve().parents[2]

WATCHER = r"""
import os, sys, time
import django
django.setup()
from apps.security.services import scan
last = None
deadline = time.monotonic() + 40
while time.monotonic() < deadline:
    action = scan("a zebra banana appears").action
    if action != last:
        print(f"{time.time():.4f} {action}", flush=True)
        last = action
    time.sleep(0.01)
"""


def _reader(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put(line.strip())


def _next_state(lines: queue.Queue, timeout: float) -> tuple[float, str]:
    stamp, action = lines.get(timeout=timeout).split()
    return float(stamp), action


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_change_here_is_live_in_another_process_within_one_second():
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "agenthub.settings",
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", WATCHER],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    try:
        _, action = _next_state(lines, timeout=30)
        assert action == "allow"

        pattern = services.injection_pattern_create(
            tenant=None,
            name="live zebra",
            category="instruction_override",
            pattern=r"\bzebra\s+banana\b",
            severity=90,
        )
        saved_at = time.time()
        seen_at, action = _next_state(lines, timeout=5)
        assert action == "block"
        assert seen_at - saved_at < 1.0, f"took {seen_at - saved_at:.3f}s"
        print(f"new pattern live in the other process after {seen_at - saved_at:.3f}s")

        services.injection_patterns_set_enabled(
            queryset=InjectionPattern.objects.filter(pk=pattern.pk), enabled=False
        )
        saved_at = time.time()
        seen_at, action = _next_state(lines, timeout=5)
        assert action == "allow"
        assert seen_at - saved_at < 1.0, f"took {seen_at - saved_at:.3f}s"
        print(f"disable live in the other process after {seen_at - saved_at:.3f}s")
    finally:
        proc.kill()
        proc.wait(timeout=10)
