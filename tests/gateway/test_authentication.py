"""The front door authenticates like every API: no key query per request (the tenants app's
live key cache), and a revocation is in force at once."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.tenants.services import api_key_revoke


def test_key_lookup_is_cached_and_revocation_applies_at_once(tenant_client, tenant_key):
    assert tenant_client.get("/v1/models").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert tenant_client.get("/v1/models").status_code == 200
    assert not [q for q in queries.captured_queries if "tenants_apikey" in q["sql"]]

    api_key_revoke(api_key=tenant_key.api_key)
    response = tenant_client.get("/v1/models")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_bad_keys_are_refused(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer ah_000000000000_nope")
    assert api_client.get("/v1/models").status_code == 401
    api_client.credentials()
    assert api_client.get("/v1/models").status_code == 401


def test_front_door_works_offline_out_of_the_box(tenant_client):
    """No provider configured (the embedded default): the offline provider answers."""
    models = tenant_client.get("/v1/models").json()
    assert models["object"] == "list"
    assert models["data"]
    response = tenant_client.post(
        "/v1/chat/completions",
        {"model": "default", "messages": [{"role": "user", "content": "Hello there"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["role"] == "assistant"
    assert isinstance(body["choices"][0]["message"]["content"], str)
    streamed = tenant_client.post(
        "/v1/chat/completions",
        {"stream": True, "messages": [{"role": "user", "content": "Hello there"}]},
        format="json",
    )
    assert streamed.status_code == 200
    assert streamed["Content-Type"].startswith("text/event-stream")
    events = async_to_sync(read_stream)(streamed).decode()
    assert events.rstrip().endswith("data: [DONE]")
    assert '"object":"chat.completion.chunk"' in events


async def read_stream(response) -> bytes:
    return b"".join([chunk async for chunk in response.streaming_content])


BAD_BODIES = [
    [],
    {"messages": "hi"},
    {"messages": [{"role": "wizard", "content": "x"}]},
    {"messages": [{"role": "user", "content": 42}]},
    {"messages": [{"role": "user", "content": [{"type": "text", "text": 1}]}]},
    {"messages": [{"role": "user", "content": "x"}], "tools": "calc"},
    {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]},
    {"messages": [{"role": "user", "content": "x"}], "max_tokens": "many"},
    {"messages": [{"role": "user", "content": "x"}], "temperature": True},
    {"messages": [{"role": "user", "content": "x"}], "response_format": "json"},
    {"messages": [{"role": "user", "content": "x"}], "temperature": 7},
    {"messages": [{"role": "user", "content": "x"}], "max_tokens": 0},
    {"messages": [{"role": "user", "content": "x"}], "max_tokens": 2.5},
]


def test_malformed_chat_bodies_are_400s_never_500s(tenant_client):
    for body in BAD_BODIES:
        response = tenant_client.post("/v1/chat/completions", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert response.json()["error"]["code"] in {
            "validation_error",
            "invalid_messages",
            "invalid_tools",
        }
    raw = tenant_client.post("/v1/chat/completions", "{not json", content_type="application/json")
    assert raw.status_code == 400
    assert raw.json()["error"]["code"] == "malformed_request"


def test_unknown_model_is_a_404_listing_the_models(tenant_client):
    response = tenant_client.post(
        "/v1/chat/completions",
        {"model": "gpt-9-ultra", "messages": [{"role": "user", "content": "hi"}]},
        format="json",
    )
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "model_not_found"
    assert "gpt-9-ultra" in error["message"]
    assert error["details"]["available"][0] == "default"
    assert "offline" in error["details"]["available"]


def test_unknown_fields_are_a_400_naming_them(tenant_client):
    response = tenant_client.post(
        "/v1/chat/completions",
        {"messages": [{"role": "user", "content": "hi"}], "temprature": 0.2, "top_p": 1},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == {"unknown_fields": ["temprature"]}  # top_p is OpenAI's: accepted


def test_the_answer_names_the_provider_that_served(tenant_client):
    response = tenant_client.post(
        "/v1/chat/completions",
        {"model": "offline", "messages": [{"role": "user", "content": "hi"}]},
        format="json",
    )
    assert response.status_code == 200
    assert response["X-AgentHub-Provider"] == "offline"
    assert response.json()["provider"] == "offline"
