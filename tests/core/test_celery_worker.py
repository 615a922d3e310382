"""A task through a real Celery worker process, with Redis as the broker."""

from __future__ import annotations

import uuid

import pytest
from celery import Celery
from django.conf import settings

from tests.celery_worker import celery_worker_process

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker, pytest.mark.slow]


@pytest.fixture
def sender():
    """A client-side Celery app on Redis (the suite otherwise runs tasks eagerly in-process)."""
    client = Celery("test-sender", broker=settings.REDIS_URL, backend=settings.REDIS_URL)
    yield client
    client.close()


def test_task_runs_on_a_real_worker_process(transactional_db, sender):
    token = uuid.uuid4().hex
    with celery_worker_process(settings.REDIS_URL) as worker:
        result = sender.send_task("core.probe", args=[token])
        try:
            answer = result.get(timeout=60)
        except Exception:
            worker.terminate()
            output = worker.communicate(timeout=10)[0]
            pytest.fail(f"worker did not answer; its output:\n{output[-4000:]}")
    assert answer["token"] == token
    assert answer["database"] == "ok"
    assert answer["cache"] == "ok"
    assert worker.pid is not None
