"""Start a real Celery worker process against the test database and Redis (as a broker)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """A DATABASE_URL that points a child process at the current (test) database."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{connection.settings_dict['NAME']}"


@contextmanager
def celery_worker_process(
    broker_url: str, extra_env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """A worker on ``broker_url`` that sees the current test database; stopped on exit."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_ENV": "test",
        # the worker flushes the test's private audit spool, not the checkout's
        "SECURITY_AUDIT_SPOOL_DIR": settings.SECURITY_AUDIT_SPOOL_DIR,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(extra_env or {})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "agenthub",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def result_or_fail(result, worker: subprocess.Popen, timeout: float) -> Any:
    """``result.get(timeout)``; on failure stop the worker and fail the test with its output."""
    try:
        return result.get(timeout=timeout)
    except Exception:
        worker.terminate()
        output = worker.communicate(timeout=10)[0]
        pytest.fail(f"worker did not answer; its output:\n{output[-4000:]}")


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def _reset_producer_pool(app) -> None:
    # Drop the app's references so the next send builds pools for the broker now configured.
    # Not force_close_all(): kombu shares pools per URL between apps, and a closed one stays
    # registered ("Acquire on closed pool" for every later sender).
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def app_sends_to(broker_url: str) -> Iterator[None]:
    """This process's Celery app sends tasks to ``broker_url`` instead of running them eagerly;
    the previous configuration is restored exactly afterwards."""
    from agenthub.celery import app

    # The app reads Django settings with the CELERY_ namespace: those keys take precedence.
    keys = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
    changes = app.conf.changes
    # Keys not overridden before must be removed again, not set to their old values: an
    # override would shadow Django's settings (and override_settings in later tests).
    previous = {key: changes[key] for key in keys if key in changes}
    app.conf.update(dict.fromkeys(keys[1:], broker_url), CELERY_TASK_ALWAYS_EAGER=False)
    _reset_producer_pool(app)
    try:
        yield
    finally:
        for key in keys:
            with suppress(KeyError):  # (celery's ChainMap.pop takes no default)
                del changes[key]
        app.conf.update(previous)
        _reset_producer_pool(app)
