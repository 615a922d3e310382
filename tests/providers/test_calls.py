"""Calls against a real HTTP upstream (fakellm on 127.0.0.1) in each failure mode."""

from __future__ import annotations

import json
import time

import pytest

from apps.providers import http
from apps.providers.exceptions import (
    LLMProviderError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
    ProviderConfigError,
)
from apps.providers.http import UpstreamConnectError, UpstreamErrorBody, UpstreamStatusError
from apps.providers.services import breaker_snapshot, complete, stream_complete
from apps.providers.types import Completion, StreamDelta, ToolSpec
from fakellm.testing import closed_port
from tests.providers.factories import make_provider
from tests.support import chat_requests as requests_made
from tests.support import metric_value

pytestmark = pytest.mark.django_db

HELLO = [{"role": "user", "content": "Say hello"}]
CHAT = "/v1/chat/completions"


def errors(provider: str, error_type: str) -> float:
    return metric_value("ai_platform_llm_errors_total", provider=provider, error_type=error_type)


def test_ok_answer_with_usage_and_latency(upstream, fakellm):
    fakellm.set(reply="Hello back.")
    completion = complete(messages=HELLO, provider="up", flow="ask")
    assert completion.text == "Hello back."
    assert completion.provider == "up"
    assert completion.model == "fakellm-1"
    assert completion.finish_reason == "stop"
    assert completion.usage.total_tokens > 0
    assert completion.latency_ms > 0
    assert completion.fallbacks == ()
    assert metric_value("ai_platform_llm_duration_seconds_sum", provider="up", flow="ask") > 0


def test_one_pooled_client_per_provider_reuses_connections(upstream, fakellm):
    connections_before = fakellm.stats()["connections"]
    for _ in range(5):
        complete(messages=HELLO, provider="up")
    assert http.pooled_client_count() == 1
    stats = fakellm.stats()
    assert stats["requests"][CHAT] == 5
    assert (
        stats["connections"] - connections_before == 1
    )  # keep-alive: one TCP connection for five calls


def test_down_upstream_retries_then_typed_error(db):
    make_provider("down", base_url=f"http://127.0.0.1:{closed_port()}/v1", max_attempts=3)
    before = errors("down", "connect_error")
    with pytest.raises(UpstreamConnectError) as info:
        complete(messages=HELLO, provider="down")
    assert isinstance(info.value, LLMProviderError)
    assert info.value.status_code == 502
    assert info.value.provider == "down"
    assert errors("down", "connect_error") - before == 3  # every attempt counted


def test_5xx_is_retried_until_attempts_run_out(upstream, fakellm):
    fakellm.set(mode="fail", status=503)
    with pytest.raises(UpstreamStatusError) as info:
        complete(messages=HELLO, provider="up")
    assert info.value.upstream_status == 503
    assert info.value.error_type == "upstream_5xx"
    assert requests_made(fakellm) == 3


def test_5xx_then_success_recovers_within_the_retries(upstream, fakellm):
    fakellm.set(mode="fail", status=502, count=2)
    completion = complete(messages=HELLO, provider="up")
    assert completion.provider == "up"
    assert requests_made(fakellm) == 3


def test_429_honours_retry_after(upstream, fakellm):
    fakellm.set(mode="rate_limit", retry_after=1, count=1)
    started = time.monotonic()
    completion = complete(messages=HELLO, provider="up")
    assert time.monotonic() - started >= 1.0  # waited what the upstream asked
    assert completion.text
    assert requests_made(fakellm) == 2


def test_429_beyond_the_cap_is_not_retried(upstream, fakellm):
    fakellm.set(mode="rate_limit", retry_after=30)  # cap is 10 s
    started = time.monotonic()
    with pytest.raises(LLMRateLimitError) as info:
        complete(messages=HELLO, provider="up")
    assert time.monotonic() - started < 2
    assert info.value.retry_after == 30
    assert info.value.headers["Retry-After"] == "30"
    assert requests_made(fakellm) == 1


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_4xx_is_never_retried_nor_counted_by_the_breaker(upstream, fakellm, status):
    fakellm.set(mode="fail", status=status)
    with pytest.raises(UpstreamStatusError) as info:
        complete(messages=HELLO, provider="up")
    assert info.value.upstream_status == status
    assert requests_made(fakellm) == 1
    assert breaker_snapshot(provider="up").failures_in_window == 0


def test_slow_answer_past_read_timeout_is_a_timeout(db, fakellm):
    make_provider("slowpoke", base_url=fakellm.base_url, read_timeout=0.3, max_attempts=2)
    fakellm.set(mode="slow", delay=1.0)
    with pytest.raises(LLMTimeoutError) as info:
        complete(messages=HELLO, provider="slowpoke")
    assert info.value.status_code == 504
    assert requests_made(fakellm) == 2


def test_slow_answer_within_timeout_succeeds(upstream, fakellm):
    fakellm.set(mode="slow", delay=0.2, reply="late but fine")
    assert complete(messages=HELLO, provider="up").text == "late but fine"


def test_hang_hits_the_read_timeout(db, fakellm):
    make_provider("hung", base_url=fakellm.base_url, read_timeout=0.3, max_attempts=2)
    fakellm.set(mode="hang")
    started = time.monotonic()
    with pytest.raises(LLMTimeoutError):
        complete(messages=HELLO, provider="hung")
    assert time.monotonic() - started < 3
    assert requests_made(fakellm) == 2


def test_dropped_connection_is_retried(upstream, fakellm):
    fakellm.set(mode="drop", count=1)
    completion = complete(messages=HELLO, provider="up")
    assert completion.text
    assert requests_made(fakellm) == 2


def test_dropped_connection_every_time(upstream, fakellm):
    fakellm.set(mode="drop")
    with pytest.raises(UpstreamConnectError, match="dropped the connection"):
        complete(messages=HELLO, provider="up")
    assert requests_made(fakellm) == 3


def test_invalid_json_is_a_bad_response_and_not_retried(upstream, fakellm):
    fakellm.set(mode="invalid_json")
    with pytest.raises(LLMResponseError) as info:
        complete(messages=HELLO, provider="up")
    assert info.value.status_code == 502
    assert info.value.error_code == "llm_bad_response"
    assert requests_made(fakellm) == 1


def test_html_page_is_a_bad_response(upstream, fakellm):
    fakellm.set(mode="html")
    with pytest.raises(LLMResponseError, match="HTML"):
        complete(messages=HELLO, provider="up")


def test_200_with_error_body_is_a_provider_error(upstream, fakellm):
    fakellm.set(mode="error_body", error_message="internal thing")
    with pytest.raises(UpstreamErrorBody) as info:
        complete(messages=HELLO, provider="up")
    assert info.value.status_code == 502
    assert "internal thing" not in str(info.value.detail)  # upstream text is not echoed


def test_missing_key_variable_is_a_config_error_naming_it(db, fakellm, monkeypatch):
    monkeypatch.delenv("AH_TEST_MISSING_API_KEY", raising=False)
    make_provider("keyed", base_url=fakellm.base_url, api_key_env="AH_TEST_MISSING_API_KEY")
    with pytest.raises(ProviderConfigError) as info:
        complete(messages=HELLO, provider="keyed")
    assert "AH_TEST_MISSING_API_KEY" in str(info.value.detail)
    assert info.value.status_code == 503
    assert requests_made(fakellm) == 0


def test_key_is_sent_from_the_environment(db, fakellm, monkeypatch):
    monkeypatch.setenv("AH_TEST_API_KEY", "sk-test-abcdefghijklmnop")
    make_provider("keyed", base_url=fakellm.base_url, api_key_env="AH_TEST_API_KEY")
    fakellm.set(api_key="sk-test-abcdefghijklmnop")
    assert complete(messages=HELLO, provider="keyed").text
    monkeypatch.setenv("AH_TEST_API_KEY", "sk-wrong-key-0000000000")
    with pytest.raises(UpstreamStatusError) as info:
        complete(messages=HELLO, provider="keyed")
    assert info.value.upstream_status == 401
    assert "sk-wrong" not in str(info.value.detail)


def test_unknown_provider_is_a_config_error(db):
    with pytest.raises(ProviderConfigError, match="Unknown provider 'nope'"):
        complete(messages=HELLO, provider="nope")


def test_tool_calls_round_trip(upstream, fakellm):
    fakellm.set(tool_calls=[{"name": "calculator", "arguments": {"expression": "2+2"}}])
    tools = [
        ToolSpec(
            name="calculator",
            description="Evaluate arithmetic",
            parameters={"type": "object", "properties": {"expression": {"type": "string"}}},
        )
    ]
    completion = complete(
        messages=[{"role": "user", "content": "2+2?"}], provider="up", tools=tools
    )
    assert completion.finish_reason == "tool_calls"
    (call,) = completion.tool_calls
    assert call.name == "calculator"
    assert call.id
    assert '"2+2"' in call.arguments
    sent = fakellm.requests()[-1]["body"]
    assert sent["tools"][0]["function"]["name"] == "calculator"


def test_stream_yields_deltas_then_the_completion(upstream, fakellm):
    fakellm.set(reply="one two three four")
    items = list(stream_complete(messages=HELLO, provider="up"))
    deltas = [i for i in items if isinstance(i, StreamDelta)]
    final = items[-1]
    assert isinstance(final, Completion)
    assert len(deltas) >= 2
    assert "".join(d.text for d in deltas) == final.text == "one two three four"
    assert final.provider == "up"
    assert breaker_snapshot(provider="up").calls_in_window == 1


def _consume(iterator, into: list) -> list:
    """Collects items into ``into`` as they arrive, so they survive the exception."""
    for item in iterator:
        into.append(item)
    return []


def test_stream_broken_after_first_delta_raises_without_fallback(db, fakellm):
    make_provider("backup", kind="offline")
    make_provider("up", base_url=fakellm.base_url, fallbacks=["backup"])
    fakellm.set(mode="partial_stream", chunks=2)
    received = []
    with pytest.raises((LLMProviderError, LLMResponseError)):
        received.extend(_consume(stream_complete(messages=HELLO, provider="up"), received))
    assert received  # text reached the caller before the failure
    assert all(isinstance(i, StreamDelta) for i in received)
    assert breaker_snapshot(provider="up").failures_in_window == 1


def test_anthropic_messages_api(db, fakellm):
    make_provider("claude", kind="anthropic", base_url=fakellm.base_url, model="claude-x")
    fakellm.set(reply="Bonjour.")
    completion = complete(
        messages=[{"role": "system", "content": "Be brief."}, *HELLO], provider="claude"
    )
    assert completion.text == "Bonjour."
    assert completion.usage.total_tokens > 0
    sent = fakellm.requests()[-1]
    assert sent["path"] == "/v1/messages"
    assert sent["body"]["system"] == "Be brief."
    assert sent["body"]["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Say hello"}]}
    ]


def test_anthropic_tool_use_becomes_tool_calls(db, fakellm):
    make_provider("claude", kind="anthropic", base_url=fakellm.base_url, model="claude-x")
    fakellm.set(tool_calls=[{"name": "search", "arguments": {"query": "breakers"}}])
    tools = [ToolSpec("search", "Search docs", {"type": "object", "properties": {}})]
    completion = complete(messages=HELLO, provider="claude", tools=tools)
    (call,) = completion.tool_calls
    assert call.name == "search"
    assert '"breakers"' in call.arguments
    # The tool result goes back as a tool_result block in a user turn.
    follow_up = [
        *HELLO,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": "search", "arguments": call.arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call.id, "content": "Breakers open."},
    ]
    fakellm.set(reply="They open.")
    assert complete(messages=follow_up, provider="claude", tools=tools).text == "They open."
    body = fakellm.requests()[-1]["body"]
    assert body["messages"][1]["content"][0]["type"] == "tool_use"
    assert body["messages"][2]["content"][0] == {
        "type": "tool_result",
        "tool_use_id": call.id,
        "content": "Breakers open.",
    }


def test_stream_assembles_tool_calls(upstream, fakellm):
    fakellm.set(tool_calls=[{"name": "calculator", "arguments": {"expression": "6*7"}}])
    tools = [ToolSpec("calculator", "Evaluate arithmetic", {"type": "object", "properties": {}})]
    items = list(stream_complete(messages=HELLO, provider="up", tools=tools))
    final = items[-1]
    assert isinstance(final, Completion)
    (call,) = final.tool_calls
    assert call.name == "calculator"
    assert json.loads(call.arguments) == {"expression": "6*7"}
    assert final.finish_reason == "tool_calls"


def test_anthropic_stream(db, fakellm):
    make_provider("claude", kind="anthropic", base_url=fakellm.base_url, model="claude-x")
    fakellm.set(reply="streamed from messages")
    items = list(stream_complete(messages=HELLO, provider="claude"))
    deltas = [i.text for i in items if isinstance(i, StreamDelta)]
    final = items[-1]
    assert len(deltas) >= 2
    assert "".join(deltas) == final.text == "streamed from messages"
    assert final.usage.completion_tokens > 0
    assert fakellm.requests()[-1]["body"]["stream"] is True

    fakellm.set(tool_calls=[{"name": "search", "arguments": {"query": "x"}}])
    tools = [ToolSpec("search", "Search docs", {"type": "object", "properties": {}})]
    final = list(stream_complete(messages=HELLO, provider="claude", tools=tools))[-1]
    assert final.tool_calls[0].name == "search"
    assert json.loads(final.tool_calls[0].arguments) == {"query": "x"}
    assert final.finish_reason == "tool_calls"
