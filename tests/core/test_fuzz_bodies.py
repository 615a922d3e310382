"""Property: whatever JSON (or not-quite-JSON) a client sends to a public endpoint, the answer is
never a 500 — a 2xx, or a 4xx with the error envelope.

Bodies are drawn from: arbitrary JSON values (deep nesting, huge and non-finite numbers, lone
surrogates, NUL), the endpoint's own field names with arbitrary values, and arbitrary bytes.
Bounded by ``FUZZ_MAX_EXAMPLES`` per endpoint (default 40); the default provider is the built-in
offline one (no upstream call).
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "40"))

# (who, path, fields the endpoint knows)
ENDPOINTS = [
    ("tenant", "/v1/chat/completions", ["model", "messages", "max_tokens", "temperature", "tools"]),
    ("tenant", "/api/v1/ai/flows/notary", ["document", "async", "provider"]),
    ("tenant", "/api/v1/ai/flows/classify", ["text", "labels", "label_set", "async"]),
    ("tenant", "/api/v1/ai/flows/ask", ["question", "documents", "async"]),
    ("tenant", "/api/v1/ai/agents/chat", ["message", "agent", "conversation_id", "async"]),
    ("operator", "/api/v1/ai/agents/documents", ["title", "content"]),
    ("tenant", "/api/v1/security/scan", ["text", "source"]),
    ("operator", "/api/v1/security/patterns/", ["name", "category", "pattern", "severity"]),
    ("operator", "/api/v1/tenants/keys", ["name", "is_operator", "expires_at"]),
    ("platform", "/api/v1/providers/", ["name", "kind", "base_url", "model", "api_key"]),
]

any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | any_text
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(any_text, children, max_size=4),
    max_leaves=12,
)


def encode(value) -> bytes:
    # ensure_ascii: lone surrogates travel as \\udxxx escapes, as a hostile client would send them
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


def bodies(fields: list[str]) -> st.SearchStrategy[bytes]:
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, json_values)).map(encode)
    deep = st.integers(min_value=60, max_value=3000).map(lambda n: ("[" * n + "]" * n).encode())
    return known | json_values.map(encode) | deep | st.binary(max_size=200)


@pytest.fixture
def clients(tenant_client, operator_client, platform_client, settings):
    from apps.agents.services import agent_seed_defaults
    from apps.providers.selectors import live_providers
    from apps.providers.services import provider_seed_defaults

    settings.PROVIDER_URL_ALLOWLIST = ["127.0.0.1"]  # nothing the fuzzer registers leaves here
    provider_seed_defaults()
    agent_seed_defaults()
    live_providers.invalidate()
    return {"tenant": tenant_client, "operator": operator_client, "platform": platform_client}


@pytest.mark.timeout(600)
@pytest.mark.parametrize(("who", "path", "fields"), ENDPOINTS, ids=[e[1] for e in ENDPOINTS])
def test_no_body_is_a_server_error(clients, who, path, fields):
    client = clients[who]

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=bodies(fields))
    def check(body: bytes) -> None:
        response = client.generic("POST", path, body, content_type="application/json")
        assert response.status_code < 500, (response.status_code, body[:300], response.content)
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"]
            assert error["request_id"]

    check()
