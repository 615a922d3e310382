"""Operations endpoints: liveness, readiness, metrics, OpenAPI."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from fakellm.testing import closed_port as _closed_port

pytestmark = pytest.mark.django_db


def test_health_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_everything_answers(client):
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["cache"] == "ok"


def test_ready_names_the_failed_check(client):
    broken_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=broken_cache):  # Django rebuilds its cache handlers
        response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"].startswith("cache unreachable")
    assert body["checks"]["database"] == "ok"
    assert body["error"]["code"] == "not_ready"
    assert "cache" in body["error"]["message"]


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_ready_checks_the_broker_when_configured(client):
    from agenthub.celery import app

    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    try:
        response = client.get("/ready")
    finally:
        app.conf.broker_url = None
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("broker unreachable")


def test_metrics_exposes_prometheus_text(client):
    client.get("/health")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_total_by_method_total" in text


def test_openapi_schema_is_valid_and_served(client):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_api_docs_page_is_self_contained(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html
    assert "unpkg.com" not in html
