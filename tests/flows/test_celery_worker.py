"""An async flow really runs on a separate Celery worker process (Redis broker, PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from agenthub.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def _reset_producer_pool() -> None:
    # Eager runs in earlier tests created a producer pool for the old (empty) broker URL.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker():
    db = settings.DATABASES["default"]
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    broker = settings.REDIS_URL
    keys = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL")
    previous = {key: celery_app.conf.get(key) for key in keys}
    # Django-namespaced keys: the app reads its configuration from settings with that prefix.
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker)
    _reset_producer_pool()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "DJANGO_ENV": "test",
    }
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
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        celery_app.conf.update(previous)
        _reset_producer_pool()


def test_async_flow_runs_on_a_celery_worker(tenant_client, worker, monkeypatch):
    def not_here(**kwargs):
        raise AssertionError("the job ran in the web process, not on the worker")

    monkeypatch.setattr("apps.flows.tasks.job_execute", not_here)
    response = tenant_client.post(
        "/api/v1/ai/flows/classify",
        {"text": "my invoice is wrong", "labels": ["billing", "other"], "async": True},
        format="json",
    )
    assert response.status_code == 202
    deadline = time.monotonic() + 60
    body = {}
    while time.monotonic() < deadline:
        body = tenant_client.get(response["Location"]).json()
        if body["status"] in {"succeeded", "failed"}:
            break
        time.sleep(0.2)
    assert body["status"] == "succeeded", body
    assert body["result"]["label"] in {"billing", "other"}
