"""An async flow really runs on a separate Celery worker process (Redis broker, PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.celery_worker import wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def test_async_flow_runs_on_a_celery_worker(tenant_client, celery_worker, monkeypatch):
    def not_here(**kwargs):
        raise AssertionError("the job ran in the web process, not on the worker")

    monkeypatch.setattr("apps.flows.tasks.job_execute", not_here)
    response = tenant_client.post(
        "/api/v1/ai/flows/classify",
        {"text": "my invoice is wrong", "labels": ["billing", "other"], "async": True},
        format="json",
    )
    assert response.status_code == 202
    body = {}

    def finished() -> bool:
        body.clear()
        body.update(tenant_client.get(response["Location"]).json())
        return body["status"] in {"succeeded", "failed"}

    wait_for(finished, timeout=60, interval=0.2)
    assert body["status"] == "succeeded", body
    assert body["result"]["label"] in {"billing", "other"}
