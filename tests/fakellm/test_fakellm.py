"""The fake upstream, exercised over real sockets (httpx and the official openai client)."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import httpx
import openai
import pytest

from fakellm.testing import FakeLLM, closed_port

CHAT = "/chat/completions"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "calculator",
            "description": "evaluate arithmetic",
            "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}},
        },
    }
]


def _body(text: str = "What is the capital of France?", **extra) -> dict:
    return {"model": "gpt-test", "messages": [{"role": "user", "content": text}], **extra}


@pytest.fixture
def http(fakellm: FakeLLM):
    with httpx.Client(base_url=fakellm.base_url, timeout=5) as client:
        yield client


@pytest.fixture
def oai(fakellm: FakeLLM) -> openai.OpenAI:
    return openai.OpenAI(base_url=fakellm.base_url, api_key="sk-test", max_retries=0, timeout=5)


# ----------------------------------------------------------------------------- ok / streaming


def test_ok_with_openai_client_echoes_last_user_message(oai, fakellm):
    completion = oai.chat.completions.create(
        model="gpt-test",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "an answer"},
            {"role": "user", "content": "What is   the capital of France?"},
        ],
    )
    assert completion.object == "chat.completion"
    assert completion.model == "gpt-test"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content == "fakellm reply to: What is the capital of France?"
    # Deterministic token counts: words and punctuation of every message / of the reply.
    assert completion.usage.prompt_tokens == 3 + 2 + 2 + 7
    assert completion.usage.completion_tokens == 11
    assert completion.usage.total_tokens == 25
    assert fakellm.stats()["requests"] == {"/v1/chat/completions": 1}


def test_fixed_reply_and_model(oai, fakellm):
    fakellm.set(reply="Paris.", model="fixed-model")
    completion = oai.chat.completions.create(**_body())
    assert completion.choices[0].message.content == "Paris."
    assert completion.model == "fixed-model"


def test_models_list(oai):
    assert [m.id for m in oai.models.list()] == ["fakellm-1", "fakellm-1-mini"]


def test_streaming_with_openai_client(oai, fakellm):
    fakellm.set(reply="Paris is the capital of France.")
    stream = oai.chat.completions.create(
        **_body(), stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Paris is the capital of France."
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop"
    assert chunks[-1].usage.completion_tokens == 7


def test_streaming_raw_sse_ends_with_done(http):
    with http.stream("POST", CHAT, json=_body(stream=True)) as response:
        assert response.headers["content-type"] == "text/event-stream"
        lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    first = json.loads(lines[0][6:])
    assert first["object"] == "chat.completion.chunk"


def test_tool_calls_when_request_has_tools_then_final_answer(oai, fakellm):
    fakellm.set(tool_calls=[{"name": "calculator", "arguments": {"expression": "6*7"}}])
    messages = [{"role": "user", "content": "what is 6*7?"}]
    first = oai.chat.completions.create(model="m", messages=messages, tools=TOOLS)
    assert first.choices[0].finish_reason == "tool_calls"
    call = first.choices[0].message.tool_calls[0]
    assert call.function.name == "calculator"
    assert json.loads(call.function.arguments) == {"expression": "6*7"}

    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "42"},
    ]
    second = oai.chat.completions.create(model="m", messages=messages, tools=TOOLS)
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.tool_calls is None

    # Without tools in the request, tool_calls are never offered.
    plain = oai.chat.completions.create(**_body())
    assert plain.choices[0].message.tool_calls is None


def test_streamed_tool_calls(oai, fakellm):
    fakellm.set(tool_calls=[{"name": "calculator", "arguments": {"expression": "1+1"}}])
    chunks = list(oai.chat.completions.create(**_body(), tools=TOOLS, stream=True))
    calls = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
    assert calls[0].function.name == "calculator"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_script_steps_then_back_to_global(oai, fakellm):
    fakellm.set(reply="global")
    fakellm.script(
        {"tool_calls": [{"name": "calculator", "arguments": "{not json"}]},
        {"reply": "scripted"},
        {"mode": "fail", "status": 502},
    )
    first = oai.chat.completions.create(**_body(), tools=TOOLS)
    assert first.choices[0].message.tool_calls[0].function.arguments == "{not json"
    assert oai.chat.completions.create(**_body()).choices[0].message.content == "scripted"
    with pytest.raises(openai.InternalServerError):
        oai.chat.completions.create(**_body())
    assert oai.chat.completions.create(**_body()).choices[0].message.content == "global"


# ----------------------------------------------------------------------------- failure modes


def test_slow_delays_the_answer(http, fakellm):
    fakellm.set(mode="slow", delay=0.4)
    started = time.monotonic()
    assert http.post(CHAT, json=_body()).status_code == 200
    assert time.monotonic() - started >= 0.4
    with pytest.raises(httpx.ReadTimeout):
        http.post(CHAT, json=_body(), timeout=0.1)


def test_fail_for_the_next_n_requests_then_normal(http, fakellm):
    fakellm.set(mode="fail", status=503, count=3)
    statuses = [http.post(CHAT, json=_body()).status_code for _ in range(4)]
    assert statuses == [503, 503, 503, 200]
    fakellm.set(mode="fail", count=1)
    response = http.post(CHAT, json=_body())
    assert response.status_code == 500
    assert response.json()["error"]["type"] == "server_error"
    assert "retry-after" not in response.headers
    fakellm.set(mode="fail", status=503, retry_after=2.5, count=1)
    assert http.post(CHAT, json=_body()).headers["retry-after"] == "2.5"


def test_rate_limit_sends_retry_after(oai, http, fakellm):
    fakellm.set(mode="rate_limit", retry_after=7)
    response = http.post(CHAT, json=_body())
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    with pytest.raises(openai.RateLimitError):
        oai.chat.completions.create(**_body())


def test_invalid_json(http, fakellm):
    fakellm.set(mode="invalid_json")
    response = http.post(CHAT, json=_body())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_html_page(http, fakellm):
    fakellm.set(mode="html")
    response = http.post(CHAT, json=_body())
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<!DOCTYPE html>")


def test_error_body_with_200(http, fakellm):
    fakellm.set(mode="error_body", error_message="model overloaded")
    response = http.post(CHAT, json=_body())
    assert response.status_code == 200
    assert response.json() == {
        "error": {
            "message": "model overloaded",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }


def test_hang_never_answers_and_is_released_when_client_gives_up(fakellm):
    fakellm.set(mode="hang")
    payload = json.dumps(_body()).encode()
    with socket.create_connection(("127.0.0.1", fakellm.port), timeout=0.5) as sock:
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload)
        )
        with pytest.raises(TimeoutError):
            sock.recv(1)
        stats = fakellm.stats()
        assert stats["modes"] == {"hang": 1}
        assert stats["in_flight"] >= 1
    # Once the client hangs up, the server lets go of the request.
    deadline = time.monotonic() + 3
    while fakellm.stats()["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fakellm.stats()["in_flight"] == 0


def test_drop_closes_without_response(http, fakellm):
    fakellm.set(mode="drop")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(CHAT, json=_body())


def test_garbage_is_not_http(http, fakellm):
    fakellm.set(mode="garbage")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(CHAT, json=_body())


def test_partial_stream_drops_mid_stream(http, oai, fakellm):
    fakellm.set(mode="partial_stream", chunks=3, reply="one two three four five six")
    received = []
    with http.stream("POST", CHAT, json=_body(stream=True)) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        with pytest.raises(httpx.RemoteProtocolError):  # noqa: PT012 (the cut is mid-iteration)
            for line in lines:
                if line:
                    received.append(line)
    assert len(received) == 3
    assert "data: [DONE]" not in received

    # The openai client surfaces the cut stream as the transport error.
    with pytest.raises(httpx.RemoteProtocolError):
        list(oai.chat.completions.create(**_body(), stream=True))


def test_partial_non_streamed_body_is_truncated(http, fakellm):
    fakellm.set(mode="partial_stream")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(CHAT, json=_body())


def test_closed_port_refuses_connections():
    port = closed_port()
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=_body(), timeout=2)


def test_delay_applies_on_top_of_failure_modes(http, fakellm):
    fakellm.set(mode="fail", status=502, delay=0.3)
    started = time.monotonic()
    assert http.post(CHAT, json=_body()).status_code == 502
    assert time.monotonic() - started >= 0.3


def test_api_key_checked_when_configured(http, fakellm):
    fakellm.set(api_key="sk-right")
    assert http.post(CHAT, json=_body(), headers={"Authorization": "Bearer no"}).status_code == 401
    ok = http.post(CHAT, json=_body(), headers={"Authorization": "Bearer sk-right"})
    assert ok.status_code == 200


def test_bad_requests(http):
    assert http.post(CHAT, content=b"{nope").status_code == 400
    assert http.post(CHAT, json={"model": "m"}).status_code == 400
    assert http.get(CHAT).status_code == 405
    assert http.get("/nowhere").status_code == 404


# ----------------------------------------------------------------------------- Anthropic API


def test_anthropic_messages(http):
    response = http.post(
        "/messages",
        json={
            "model": "claude-test",
            "max_tokens": 100,
            "system": "Be brief.",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi there"}]}],
        },
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "message"
    assert data["role"] == "assistant"
    assert data["content"] == [{"type": "text", "text": "fakellm reply to: Hi there"}]
    assert data["stop_reason"] == "end_turn"
    assert data["usage"] == {"input_tokens": 3 + 2, "output_tokens": 6}


def test_anthropic_tool_use_and_errors(http, fakellm):
    fakellm.set(tool_calls=[{"name": "calculator", "arguments": {"expression": "2+2"}}])
    body = {"model": "c", "max_tokens": 10, "tools": [{"name": "calculator"}]}
    body["messages"] = [{"role": "user", "content": "2+2?"}]
    data = http.post("/messages", json=body).json()
    assert data["stop_reason"] == "tool_use"
    block = data["content"][0]
    assert (block["type"], block["name"], block["input"]) == (
        "tool_use",
        "calculator",
        {"expression": "2+2"},
    )
    body["messages"] += [
        {"role": "assistant", "content": data["content"]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block["id"]}]},
    ]
    assert http.post("/messages", json=body).json()["stop_reason"] == "end_turn"

    fakellm.set(mode="rate_limit", retry_after=3)
    limited = http.post("/messages", json=body)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "3"
    assert limited.json()["error"]["type"] == "rate_limit_error"
    fakellm.set(mode="fail", status=529)
    assert http.post("/messages", json=body).json()["error"]["type"] == "overloaded_error"


def test_anthropic_stream_events(http, fakellm):
    fakellm.set(reply="Hello world")
    body = {"model": "c", "max_tokens": 5, "stream": True}
    body["messages"] = [{"role": "user", "content": "hi"}]
    with http.stream("POST", "/messages", json=body) as response:
        lines = [line for line in response.iter_lines() if line]
    kinds = [line.split(": ", 1)[1] for line in lines if line.startswith("event: ")]
    assert kinds[0] == "message_start"
    assert kinds[-2:] == ["message_delta", "message_stop"]
    deltas = [json.loads(x[6:]) for x in lines if x.startswith("data: ")]
    text = "".join(d["delta"]["text"] for d in deltas if d["type"] == "content_block_delta")
    assert text == "Hello world"


# ----------------------------------------------------------------------------- control and HTTP


def test_control_rejects_unknown_settings(fakellm):
    with pytest.raises(ValueError, match="unknown mode"):
        fakellm.set(mode="explode")
    with pytest.raises(ValueError, match="unknown behaviour keys"):
        fakellm.set(dealy=1)
    with pytest.raises(ValueError, match="count"):
        fakellm.set(mode="fail", count=0)
    with pytest.raises(ValueError, match="chunks"):
        fakellm.set(mode="partial_stream", chunks="two")
    with pytest.raises(ValueError, match="alone"):
        fakellm._post("/_control", {"script": [{"reply": "x"}], "mode": "fail"})
    # Nothing was applied by the rejected calls.
    assert fakellm.stats()["behaviour"]["mode"] == "ok"
    assert fakellm.stats()["queued"] == 0


def test_stats_reset_and_request_log(http, fakellm):
    http.post(CHAT, json=_body("secret-free text"))
    http.get("/models")
    stats = fakellm.stats()
    assert stats["requests"] == {"/v1/chat/completions": 1, "/v1/models": 1}
    assert stats["total"] == 2
    assert stats["in_flight"] == 0
    logged = fakellm.requests()
    assert logged[-1]["body"]["messages"][0]["content"] == "secret-free text"
    fakellm.reset()
    assert fakellm.stats()["total"] == 0
    assert fakellm.requests() == []


def test_keep_alive_and_chunked_request_body(http, fakellm):
    before = fakellm.stats()["connections"]
    for _ in range(5):
        assert http.post(CHAT, json=_body()).status_code == 200
    assert fakellm.stats()["connections"] == before + 1

    def chunks():
        yield json.dumps(_body("chunked body")).encode()

    response = http.post(CHAT, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.json()["choices"][0]["message"]["content"] == "fakellm reply to: chunked body"


def test_connection_close_is_honoured(fakellm):
    with socket.create_connection(("127.0.0.1", fakellm.port), timeout=5) as sock:
        payload = json.dumps(_body()).encode()
        sock.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload)
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Connection: close" in received


async def _raw_post(port: int, path: str, body: dict) -> bytes:
    """A minimal HTTP client: the point is the server's concurrency, not the client's pool."""
    payload = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST %s HTTP/1.1\r\nHost: fakellm\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (path.encode(), len(payload), payload)
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        return head.split(b"\r\n", 1)[0]
    finally:
        writer.close()


@pytest.mark.slow
def test_holds_500_concurrent_slow_requests(fakellm):
    fakellm.set(mode="slow", delay=1.0)

    async def run() -> list[bytes]:
        return await asyncio.gather(
            *(_raw_post(fakellm.port, "/v1/chat/completions", _body()) for _ in range(500))
        )

    started = time.monotonic()
    status_lines = asyncio.run(run())
    elapsed = time.monotonic() - started
    assert status_lines == [b"HTTP/1.1 200 OK"] * 500
    assert fakellm.stats()["max_in_flight"] >= 450
    # 500 one-second requests in parallel, not in series.
    assert elapsed < 5


def test_factory_starts_independent_servers(fakellm, fakellm_factory):
    fallback = fakellm_factory()
    assert fallback.port != fakellm.port
    fakellm.set(mode="fail", status=503)
    with httpx.Client(timeout=5) as client:
        assert client.post(f"{fakellm.base_url}{CHAT}", json=_body()).status_code == 503
        assert client.post(f"{fallback.base_url}{CHAT}", json=_body()).status_code == 200
    assert fallback.stats()["total"] == 1
