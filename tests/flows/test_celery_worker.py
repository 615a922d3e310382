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


@pytest.fixture
def worker():
    db = settings.DATABASES["default"]
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    broker = settings.REDIS_URL
    queue = f"flows-test-{os.getpid()}"
    previous = dict(celery_app.conf)
    celery_app.conf.update(broker_url=broker, task_always_eager=False, task_default_queue=queue)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
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
            "--queues",
            queue,
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
        celery_app.conf.update(
            broker_url=previous.get("broker_url"),
            task_always_eager=previous.get("task_always_eager"),
            task_default_queue=previous.get("task_default_queue"),
        )


def test_async_flow_runs_on_a_celery_worker(tenant_client, worker):
    response = tenant_client.post(
        "/api/v1/ai/flows/classify",
        {"text": "my invoice is wrong", "labels": ["billing", "other"], "async": True},
        format="json",
    )
    assert response.status_code == 202
    assert response.json()["status"] == "queued"  # not run in this process
    deadline = time.monotonic() + 60
    body = {}
    while time.monotonic() < deadline:
        body = tenant_client.get(response["Location"]).json()
        if body["status"] in {"succeeded", "failed"}:
            break
        time.sleep(0.2)
    assert body["status"] == "succeeded", body
    assert body["result"]["label"] in {"billing", "other"}
