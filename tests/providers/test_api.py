"""Operator API: registry CRUD with validation, breaker state and actions, test connection."""

from __future__ import annotations

import pytest

from apps.providers.models import BreakerEvent, Provider
from fakellm.testing import closed_port
from tests.providers.factories import make_provider

pytestmark = pytest.mark.django_db

URL = "/api/v1/providers/"
SECRET = "sk-live-DO-NOT-LEAK-1234567890"


def create(client, **data):
    body = {"name": "openai", "kind": "openai_compatible", "model": "gpt-x", **data}
    body.setdefault("base_url", "https://api.example.com/v1")
    return client.post(URL, body, format="json")


def test_only_operator_keys(tenant_client, api_client):
    assert tenant_client.get(URL).status_code == 403
    assert api_client.get(URL).status_code == 401
    assert create(tenant_client).status_code == 403


def test_create_get_list_with_breaker_and_fallbacks(platform_client, monkeypatch):
    monkeypatch.setenv("AH_TEST_API_KEY", SECRET)
    make_provider("backup", kind="offline")
    response = create(
        platform_client,
        api_key_env="AH_TEST_API_KEY",
        fallbacks=["backup"],
        breaker_config={"failure_threshold": 4, "open_duration": 12.5, "count_429": True},
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["name"] == "openai"
    assert data["api_key_env"] == "AH_TEST_API_KEY"
    assert data["api_key_set"] is True
    assert data["fallbacks"] == ["backup"]
    assert data["breaker_config"]["failure_threshold"] == 4
    assert data["breaker_config"]["open_duration"] == 12.5
    assert data["breaker_config"]["count_429"] is True
    assert data["breaker"]["state"] == "closed"
    assert SECRET not in response.content.decode()

    detail = platform_client.get(f"{URL}{data['id']}")
    assert detail.status_code == 200
    listing = platform_client.get(URL)
    assert [p["name"] for p in listing.json()] == ["backup", "openai"]
    assert SECRET not in listing.content.decode()


def test_patch_fields_breaker_and_default(platform_client):
    first = make_provider("first", kind="offline", is_default=True)
    second = make_provider("second", kind="offline")
    response = platform_client.patch(
        f"{URL}{second.pk}",
        {"is_default": True, "read_timeout": 20, "breaker_config": {"mode": "disabled"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["is_default"] is True
    assert response.json()["read_timeout"] == 20
    assert response.json()["breaker_config"]["mode"] == "disabled"
    first.refresh_from_db()
    assert first.is_default is False  # one default at most


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"base_url": "not a url"}, "base_url"),
        ({"base_url": "https://user:pw@example.com/v1"}, "base_url"),
        ({"base_url": ""}, "base_url"),
        ({"connect_timeout": -1}, "connect_timeout"),
        ({"read_timeout": 100000}, "read_timeout"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"backoff_initial": 5, "backoff_max": 1}, "backoff_max"),
        ({"api_key_env": "sk-abc def"}, "api_key_env"),
        ({"api_key_env": "SECRET_KEY"}, "api_key_env"),
        ({"api_key_env": "DATABASE_URL"}, "api_key_env"),
        ({"name": "Not A Slug"}, "name"),
        ({"kind": "magic"}, "kind"),
        ({"breaker_config": {"failure_threshold": -3}}, "failure_threshold"),
        ({"breaker_config": {"failure_rate_threshold": 7}}, "failure_rate_threshold"),
        ({"breaker_config": {"open_duration": 0}}, "open_duration"),
        ({"breaker_config": {"window_size": 5, "minimum_calls": 10}}, "minimum_calls"),
        ({"breaker_config": {"slow_call_duration": 5}}, "slow_call_rate_threshold"),
        ({"breaker_config": {"half_open_max_calls": 100000}}, "half_open_max_calls"),
        ({"fallbacks": ["ghost"]}, "fallbacks"),
    ],
)
def test_invalid_input_is_a_400_never_a_500(platform_client, data, field):
    response = create(platform_client, **data)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in str(error["details"])
    assert not Provider.objects.filter(name=data.get("name", "openai")).exists()


def test_patch_validation_error_keeps_the_old_values(platform_client):
    provider = make_provider("p", kind="offline")
    response = platform_client.patch(
        f"{URL}{provider.pk}", {"breaker_config": {"open_duration": -5}}, format="json"
    )
    assert response.status_code == 400
    assert provider.breaker_config.open_duration == 30.0


def test_nan_is_rejected(platform_client):
    response = platform_client.post(
        URL,
        data='{"name": "n", "kind": "offline", "read_timeout": NaN}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_unknown_provider_is_404(platform_client):
    response = platform_client.get(f"{URL}999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_breaker_actions_are_recorded_with_the_key_as_actor(platform_client, platform_admin_key):
    provider = make_provider("p", kind="offline")
    base = f"{URL}{provider.pk}/breaker"
    assert platform_client.get(base).json()["state"] == "closed"
    assert platform_client.post(f"{base}/force-open").json()["state"] == "forced_open"
    assert platform_client.get(base).json()["state"] == "forced_open"
    assert platform_client.post(f"{base}/disable").json()["state"] == "disabled"
    assert platform_client.post(f"{base}/reset").json()["state"] == "closed"
    events = BreakerEvent.objects.filter(provider=provider).order_by("at", "id")
    assert [(e.from_state, e.to_state) for e in events] == [
        ("closed", "forced_open"),
        ("forced_open", "disabled"),
        ("disabled", "closed"),
    ]
    assert {e.actor for e in events} == {f"api-key:{platform_admin_key.api_key.prefix}"}


def test_open_breaker_maps_to_503_with_retry_after(platform_client):
    provider = make_provider("p", kind="offline")
    platform_client.post(f"{URL}{provider.pk}/breaker/force-open")
    response = platform_client.post(f"{URL}{provider.pk}/test")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "circuit_open"
    assert int(response["Retry-After"]) >= 1


def test_test_connection_ok(platform_client, fakellm):
    provider = make_provider("up", base_url=fakellm.base_url)
    fakellm.set(reply="pong")
    response = platform_client.post(f"{URL}{provider.pk}/test")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["reply"] == "pong"
    assert fakellm.stats()["requests"]["/v1/chat/completions"] == 1


@pytest.mark.parametrize(
    ("behaviour", "status", "code"),
    [
        ({"mode": "fail", "status": 500}, 502, "llm_provider_error"),
        ({"mode": "invalid_json"}, 502, "llm_bad_response"),
        ({"mode": "html"}, 502, "llm_bad_response"),
        ({"mode": "error_body"}, 502, "llm_provider_error"),
        ({"mode": "hang"}, 504, "llm_timeout"),
        ({"mode": "rate_limit", "retry_after": 40}, 429, "llm_rate_limited"),
    ],
)
def test_typed_errors_map_to_api_answers(platform_client, fakellm, behaviour, status, code):
    provider = make_provider("up", base_url=fakellm.base_url, read_timeout=0.3, max_attempts=1)
    fakellm.set(**behaviour)
    response = platform_client.post(f"{URL}{provider.pk}/test")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["request_id"] == response["X-Request-ID"]
    if status == 429:
        assert response["Retry-After"] == "40"


def test_down_provider_maps_to_502(platform_client):
    provider = make_provider("down", base_url=f"http://127.0.0.1:{closed_port()}/v1")
    response = platform_client.post(f"{URL}{provider.pk}/test")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "llm_provider_error"


def test_missing_key_maps_to_503_naming_the_variable(platform_client, fakellm, monkeypatch):
    monkeypatch.delenv("AH_NOT_SET_API_KEY", raising=False)
    provider = make_provider("k", base_url=fakellm.base_url, api_key_env="AH_NOT_SET_API_KEY")
    response = platform_client.post(f"{URL}{provider.pk}/test")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "provider_misconfigured"
    assert "AH_NOT_SET_API_KEY" in response.json()["error"]["message"]
    assert platform_client.get(f"{URL}{provider.pk}").json()["api_key_set"] is False
