"""A task through a real Celery worker process, with Redis as the broker."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from tests.celery_worker import celery_worker_process, result_or_fail

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker, pytest.mark.slow]


def test_task_runs_on_a_real_worker_process(transactional_db, sender):
    token = uuid.uuid4().hex
    with celery_worker_process(settings.REDIS_URL) as worker:
        result = sender.send_task("core.probe", args=[token])
        answer = result_or_fail(result, worker, timeout=60)
    assert answer["token"] == token
    assert answer["database"] == "ok"
    assert answer["cache"] == "ok"
    assert worker.pid is not None
