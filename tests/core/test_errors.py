"""Every API error has one shape, with the right status and a stable code; never a 500 page."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework.views import APIView

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    return error


def test_unknown_api_route_is_json_404(client):
    assert_error(client.get("/api/v1/nope"), 404, "not_found")
    assert_error(
        client.post("/v1/nope", data="{}", content_type="application/json"), 404, "not_found"
    )


def test_non_api_404_stays_html(client):
    response = client.get("/nope")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_missing_key_is_401(client):
    error = assert_error(client.get("/api/v1/tenants/me"), 401, "not_authenticated")
    assert "request_id" in error


def test_wrong_method_is_405(tenant_client):
    response = tenant_client.delete("/api/v1/tenants/me")
    assert_error(response, 405, "method_not_allowed")


def test_wrong_method_on_plain_django_view_is_json_405(client):
    # /health is a plain Django view but not under an API prefix: Django's own 405
    assert client.post("/health").status_code == 405


def test_wrong_content_type_is_415(operator_client):
    response = operator_client.post(
        "/api/v1/tenants/keys", data="name=x", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "unsupported_media_type")


def test_malformed_json_is_400_not_500(operator_client):
    response = operator_client.post(
        "/api/v1/tenants/keys", data='{"name": ', content_type="application/json"
    )
    assert_error(response, 400, "malformed_request")


def test_validation_error_has_details(operator_client):
    response = operator_client.post(
        "/api/v1/tenants/keys", data={"expires_at": "2001-01-01T00:00:00Z"}, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    assert "expires_at" in error["details"]


@override_settings(API_MAX_BODY_BYTES=1000)
def test_oversize_body_is_413_before_parsing(operator_client):
    response = operator_client.post(
        "/api/v1/tenants/keys",
        data='{"name": "' + "x" * 5000 + '"}',
        content_type="application/json",
    )
    assert_error(response, 413, "payload_too_large")


def test_invalid_content_length_is_400(client):
    response = client.generic(
        "POST",
        "/api/v1/tenants/keys",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH="abc",
    )
    assert_error(response, 400, "bad_request")


class _Boom(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("secret internals must not leak")


def _plain_boom(request):
    raise RuntimeError("secret internals must not leak")


urlpatterns = [
    path("api/v1/boom", _Boom.as_view()),
    path("api/v1/plain-boom", _plain_boom),
]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("url", ["/api/v1/boom", "/api/v1/plain-boom"])
def test_unhandled_exception_is_json_500_without_internals(client, url):
    client.raise_request_exception = False
    response = client.get(url)
    error = assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in error["message"]
