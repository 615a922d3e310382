"""An async agent chat really runs on a separate Celery worker process (Redis broker,
PostgreSQL), and only the tenant that queued it can read the result."""

from __future__ import annotations

import pytest

from apps.agents.models import AgentRun
from apps.agents.services import agent_seed_defaults
from tests.celery_worker import wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def test_async_chat_runs_on_a_celery_worker(tenant_client, celery_worker, monkeypatch):
    agent_seed_defaults()

    def not_here(**kwargs):
        raise AssertionError("the job ran in the web process, not on the worker")

    monkeypatch.setattr("apps.flows.tasks.job_execute", not_here)
    response = tenant_client.post(
        "/api/v1/ai/agents/chat",
        {"message": "What is 12 * 12?", "async": True},
        format="json",
    )
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    body: dict = {}

    def finished() -> bool:
        nonlocal body
        body = tenant_client.get(response["Location"]).json()
        return body["status"] in {"succeeded", "failed"}

    assert wait_for(finished, timeout=60, interval=0.2), body
    assert body["status"] == "succeeded", body
    assert "144" in body["result"]["reply"]
    assert body["result"]["steps"][0]["tool"] == "calculator"
    assert AgentRun.objects.get().conversation_id == body["result"]["conversation_id"]
