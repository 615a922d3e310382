"""PostgreSQL unreachable: a request that needs it answers 503 service_unavailable with
Retry-After, at once, in the error envelope (never a 500)."""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import InterfaceError, OperationalError, connection

from apps.core.exceptions import api_exception_handler
from fakellm.testing import closed_port


@pytest.mark.parametrize("error", [OperationalError("down"), InterfaceError("closed")])
def test_database_errors_become_503_with_retry_after(error, settings):
    settings.DB_UNAVAILABLE_RETRY_AFTER = 3
    response = api_exception_handler(error, {})
    assert response.status_code == 503
    assert response.data["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == "3"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_answers_503_within_a_second_while_postgresql_is_unreachable(
    tenant_client,
):
    job_url = f"/api/v1/ai/jobs/{uuid.uuid4()}"
    assert tenant_client.get(job_url).status_code == 404  # the key is known and cached
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = closed_port()  # PostgreSQL "stopped"
    try:
        started = time.monotonic()
        response = tenant_client.get(job_url)
        elapsed = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["error"]["code"] == "service_unavailable"
    assert body["error"]["request_id"]
    assert int(response["Retry-After"]) >= 1
    assert elapsed < 1.0
