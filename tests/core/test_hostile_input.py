"""Issue #13's 28 inputs that answered 500: each is now a 4xx with the error envelope, decided
before any upstream (paid) call — the fake upstream must not have seen a single request.

Grouped by rule: nesting depth, non-finite / out-of-range numbers, text PostgreSQL or UTF-8
cannot hold (lone surrogates, NUL), and chunked bodies.
"""

from __future__ import annotations

import io
import json
import random

import pytest

from apps.core.parsers import max_json_depth, nested_deeper_than
from apps.flows.models import Job

pytestmark = pytest.mark.django_db

DEEP = "[" * 10_000 + "]" * 10_000
SURROGATE = "\\ud800"  # as it appears in the JSON text: a lone high surrogate
NUL = "\\u0000"


@pytest.fixture
def upstream(upstream):
    """The shared fake upstream (tests/conftest.py) with the demo agent seeded: any call that
    got through would show there."""
    from apps.agents.services import agent_seed_defaults

    agent_seed_defaults()
    return upstream


@pytest.fixture
def clients(tenant_client, operator_client, platform_client):
    return {"tenant": tenant_client, "operator": operator_client, "platform": platform_client}


def post_raw(client, url: str, text: str, **headers):
    return client.generic("POST", url, text.encode(), content_type="application/json", **headers)


def assert_refused(response, upstream, status: int = 400, code: str = "malformed_request"):
    assert response.status_code == status, response.content[:500]
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"]
    assert upstream.requests() == []  # decided before any paid call


def chat_body(**fields) -> str:
    body = {"model": "fake", "messages": [{"role": "user", "content": "hi"}], **fields}
    return json.dumps(body)


# --- 1-10: 10,000-deep JSON on chat, every flow and every other JSON endpoint ----------------


@pytest.mark.parametrize(
    ("who", "url", "field"),
    [
        ("tenant", "/v1/chat/completions", "messages"),
        ("tenant", "/api/v1/ai/flows/notary", "document"),
        ("tenant", "/api/v1/ai/flows/classify", "text"),
        ("tenant", "/api/v1/ai/flows/ask", "documents"),
        ("tenant", "/api/v1/ai/agents/chat", "message"),
        ("operator", "/api/v1/ai/agents/documents", "content"),
        ("tenant", "/api/v1/security/scan", "text"),
        ("operator", "/api/v1/security/patterns/", "pattern"),
        ("operator", "/api/v1/tenants/keys", "name"),
        ("platform", "/api/v1/providers/", "fallbacks"),
    ],
)
def test_deep_json_is_a_400(clients, upstream, who, url, field):
    response = post_raw(clients[who], url, f'{{"{field}": {DEEP}}}')
    assert_refused(response, upstream)
    assert "nested deeper" in response.json()["error"]["message"]


# --- 11-16: numbers that are not finite or not in their documented range ------------------------


@pytest.mark.parametrize(
    "fields",
    [
        '"max_tokens": 1e400',
        '"temperature": 1e400',
        '"temperature": -1e400',
        '"max_tokens": NaN',
        '"temperature": Infinity',
        '"max_tokens": 1' + "0" * 5000,  # more digits than Python converts
    ],
)
def test_non_finite_numbers_are_a_400(tenant_client, upstream, fields):
    text = '{"model": "fake", "messages": [{"role": "user", "content": "hi"}], ' + fields + "}"
    assert_refused(post_raw(tenant_client, "/v1/chat/completions", text), upstream)


@pytest.mark.parametrize(
    "fields",
    [
        {"max_tokens": 10**400},
        {"max_tokens": 0},
        {"max_tokens": 2.5},
        {"max_completion_tokens": -1},
        {"temperature": 2.5},
        {"temperature": 10**400},
    ],
)
def test_numbers_out_of_range_are_a_400(tenant_client, upstream, fields):
    response = post_raw(tenant_client, "/v1/chat/completions", chat_body(**fields))
    assert_refused(response, upstream, code="validation_error")


def test_numbers_in_range_pass(tenant_client, upstream):
    response = post_raw(
        tenant_client, "/v1/chat/completions", chat_body(max_tokens=16, temperature=0.0)
    )
    assert response.status_code == 200, response.content


# --- 17-26: text that cannot be stored or sent: lone surrogates and NUL ----------------------


TOOL = {"type": "function", "function": {"name": "X", "parameters": {"type": "object"}}}


@pytest.mark.parametrize(
    ("url", "text", "headers"),
    [
        (  # a tool name (answered after the paid call before)
            "/v1/chat/completions",
            chat_body(tools=[TOOL]).replace('"name": "X"', f'"name": "t{SURROGATE}"'),
            {},
        ),
        ("/api/v1/ai/flows/classify", f'{{"text": "hi", "labels": ["a", "b{SURROGATE}"]}}', {}),
        ("/api/v1/ai/flows/notary", f'{{"document": "A contract {SURROGATE}."}}', {}),
        ("/api/v1/ai/flows/ask", f'{{"question": "q{SURROGATE}?", "documents": ["d"]}}', {}),
        ("/api/v1/ai/agents/chat", f'{{"message": "hi {SURROGATE}"}}', {}),
        (  # any body with an Idempotency-Key (its hash needs UTF-8)
            "/api/v1/ai/flows/classify",
            f'{{"text": "x", "labels": ["a", "b"], "note": "{SURROGATE}"}}',
            {"HTTP_IDEMPOTENCY_KEY": "k-1"},
        ),
        (
            "/api/v1/ai/agents/chat",
            f'{{"message": "hi", "x": "{SURROGATE}"}}',
            {"HTTP_IDEMPOTENCY_KEY": "k-2"},
        ),
        (  # async payloads go to a jsonb column, which refuses NUL and surrogates
            "/api/v1/ai/flows/notary",
            f'{{"document": "A {NUL} contract.", "async": true}}',
            {},
        ),
        ("/api/v1/ai/flows/notary", f'{{"document": "A {SURROGATE}.", "async": true}}', {}),
        ("/api/v1/ai/agents/chat", f'{{"message": "a{NUL}b", "async": true}}', {}),
        ("/v1/chat/completions", chat_body(user="x").replace('"user"', f'"u{SURROGATE}"'), {}),
    ],
)
def test_lone_surrogates_and_nul_are_a_400(tenant_client, upstream, url, text, headers):
    assert_refused(post_raw(tenant_client, url, text, **headers), upstream)
    assert not Job.objects.exists()


def test_surrogate_pairs_and_escaped_backslashes_are_fine(tenant_client, upstream):
    emoji = "\\ud83d\\ude00"  # a valid pair: 😀
    text = (
        f'{{"text": "smile {emoji} and a literal \\\\u0000 and \\\\ud800", "labels": ["a", "b"]}}'
    )
    response = post_raw(tenant_client, "/api/v1/security/scan", text)
    assert response.status_code == 200, response.content


# --- 27-28: chunked bodies ----------------------------------------------------------------------


def test_chunked_body_is_read_when_the_server_dechunks(tenant_client, upstream):
    """gunicorn hands a chunked body over de-chunked with ``wsgi.input_terminated`` and no
    CONTENT_LENGTH; Django alone would read it as empty (a misleading 400)."""
    body = chat_body().encode()
    response = tenant_client.generic(
        "POST",
        "/v1/chat/completions",
        b"",
        content_type="application/json",
        **{
            "CONTENT_LENGTH": "",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
        },
    )
    assert response.status_code == 200, response.content
    assert len(upstream.requests()) == 1


def test_chunked_body_over_the_limit_is_a_413(tenant_client, upstream, settings):
    settings.API_MAX_BODY_BYTES = 100
    response = tenant_client.generic(
        "POST",
        "/v1/chat/completions",
        b"",
        content_type="application/json",
        **{
            "CONTENT_LENGTH": "",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input": io.BytesIO(chat_body(pad="x" * 500).encode()),
            "wsgi.input_terminated": True,
        },
    )
    assert_refused(response, upstream, status=413, code="payload_too_large")


def test_chunked_body_the_server_cannot_read_is_a_411(tenant_client, upstream):
    response = tenant_client.generic(
        "POST",
        "/v1/chat/completions",
        b"",
        content_type="application/json",
        **{
            "CONTENT_LENGTH": "",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input": io.BytesIO(chat_body().encode()),
        },
    )
    assert_refused(response, upstream, status=411, code="length_required")


# --- the depth scan itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'["[[[[", "\\"[[[["]', 1),  # brackets inside strings, escaped quotes
        (DEEP.encode(), 10_000),
    ],
)
def test_max_json_depth(raw, depth):
    assert max_json_depth(raw) == depth
    for limit in (0, 1, 3, depth - 1, depth, depth + 1):
        assert nested_deeper_than(raw, limit) == (depth > limit)


def test_the_bracket_count_shortcut_never_passes_a_body_the_scan_refuses():
    """Random bracket-and-string soups: the shortcut agrees with the scan at every limit."""
    rng = random.Random(7)
    pieces = [b"[", b"]", b"{", b"}", b'"[{"', b'"\\"', b'"\\""', b",", b"1"]
    for _ in range(2000):
        raw = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        depth = max_json_depth(raw)
        for limit in range(12):
            assert nested_deeper_than(raw, limit) == (depth > limit), (raw, limit)


# --- found by schemathesis: shapes the front door must refuse, not trip over ------------------


@pytest.mark.parametrize("role", [{}, [], 1, None])
def test_a_message_role_that_is_not_a_string_is_a_400(tenant_client, upstream, role):
    body = json.dumps({"model": "fake", "messages": [{"role": role, "content": ""}]})
    assert_refused(
        post_raw(tenant_client, "/v1/chat/completions", body), upstream, code="invalid_messages"
    )
