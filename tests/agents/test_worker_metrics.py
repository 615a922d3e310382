"""What a task records on a Celery worker is scraped from the worker's own /metrics."""

from __future__ import annotations

import urllib.request

import pytest
from django.conf import settings

from apps.agents.services import agent_seed_defaults
from fakellm.testing import closed_port as _free_port
from tests.celery_worker import app_sends_to, celery_worker_process, wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def _scrape(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            return response.read().decode()
    except OSError:
        return ""


def test_async_agent_run_is_counted_on_the_worker(tenant_client, tmp_path):
    agent_seed_defaults()
    port = _free_port()
    extra = {
        "CELERY_METRICS_PORT": str(port),
        "CELERY_METRICS_ADDR": "127.0.0.1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    with app_sends_to(settings.REDIS_URL), celery_worker_process(settings.REDIS_URL, extra):
        assert wait_for(lambda: bool(_scrape(port)), timeout=60), "worker /metrics never answered"
        response = tenant_client.post(
            "/api/v1/ai/agents/chat",
            {"message": "What is 12 * 12?", "async": True},
            format="json",
        )
        assert response.status_code == 202
        samples: list[str] = []

        def scraped() -> bool:
            samples[:] = [
                line
                for line in _scrape(port).splitlines()
                if line.startswith("ai_platform_agent_executions_total{")
            ]
            return bool(samples)

        assert wait_for(scraped, timeout=60), "the run was never counted on the worker"
    [sample] = samples
    assert 'status="' in sample
    assert float(sample.rsplit(" ", 1)[1]) == 1.0
