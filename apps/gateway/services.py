"""The OpenAI-compatible use cases: guard the input, call the provider layer, guard the output.

:func:`chat_complete` and :func:`chat_stream` run on the event loop. The guard (sub-millisecond
CPU, cached compiled policy) runs inline; the provider layer is awaited (``httpx.AsyncClient``,
async breakers); nothing here reads the database. Streamed output is redacted chunk by chunk
with redaction that holds across chunk boundaries (``StreamRedactor``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any

from apps.core.aio import run_blocking
from apps.core.exceptions import ApiError, error_body, message_of
from apps.core.principal import GuardContext
from apps.flows.streaming import StreamRedactor  # moves to apps.security (secrets-pii branch)
from apps.gateway.exceptions import ModelNotFound
from apps.gateway.metrics import GATEWAY_REQUESTS
from apps.gateway.serializers import ChatRequest, text_of
from apps.providers.async_calls import acomplete, astream_complete
from apps.providers.services import list_models
from apps.providers.types import Completion, StreamDelta
from apps.security.selectors import policy_snapshot
from apps.security.services import guard_input, guard_output, redact

logger = logging.getLogger(__name__)

# Message roles whose text enters the prompt from outside the model, and the guard source.
_GUARDED_ROLES = {
    "system": "user_input",
    "developer": "user_input",
    "user": "user_input",
    "tool": "tool_output",
}
_REPEATED_ROLES = {"system", "developer"}


def models() -> dict[str, Any]:
    """``GET /v1/models``: the providers this gateway routes to, in OpenAI's list format."""
    return {"object": "list", "data": list_models()}


def _guarded_messages(messages: list[dict], ctx: GuardContext) -> list[dict]:
    out = []
    for message in messages:
        message = dict(message)
        source = _GUARDED_ROLES.get(message["role"])
        text = text_of(message.get("content"))
        if source and text:
            # System prompts repeat verbatim request after request: their verdict is reused
            # for the exact same text under the same policy (every message is still guarded).
            cache = message["role"] in _REPEATED_ROLES
            message["content"] = guard_input(text, ctx=ctx, source=source, cache=cache).text
        elif isinstance(message.get("content"), list):
            message["content"] = text
        if message["role"] == "developer":
            message["role"] = "system"
        out.append(message)
    return out


DEFAULT_MODELS = frozenset({"", "default", "agenthub"})


def _provider_for(model: Any) -> str | None:
    """``model`` names an enabled provider (an id of ``GET /v1/models``); absent, ``default``
    or ``agenthub`` -> the default provider; anything else is a 404 ``model_not_found`` that
    lists the models there are."""
    if model is None or (isinstance(model, str) and model in DEFAULT_MODELS):
        return None
    available = [entry["id"] for entry in list_models()]
    if isinstance(model, str) and model in available:
        return model
    raise ModelNotFound(
        f"Model {str(model)[:100]!r} does not exist here. Available: "
        + ", ".join(["default", *available])
        + ".",
        details={"available": ["default", *available]},
    )


def _call_arguments(chat: ChatRequest, ctx: GuardContext) -> dict[str, Any]:
    provider = _provider_for(chat.model)  # an unknown model is refused before any guard work
    return {
        "messages": _guarded_messages(chat.messages, ctx),
        "provider": provider,
        "flow": "chat",
        "tools": chat.tools,
        "response_format": chat.response_format,
        "max_tokens": chat.max_tokens,
        "temperature": chat.temperature,
    }


async def _guarded_call_arguments(chat: ChatRequest, ctx: GuardContext) -> dict[str, Any]:
    """The guard runs inline (sub-millisecond), except when the tenant's policy asks the LLM
    judge about uncertain inputs: that is a blocking provider call, so it runs on the bounded
    pool and the event loop keeps serving."""
    judge = policy_snapshot().judge_for(ctx.tenant.pk if ctx.tenant else None)
    if not judge.enabled:
        return _call_arguments(chat, ctx)
    # Every message may be judged in turn; the deadline bounds the whole guard step.
    deadline = judge.timeout_s * max(1, len(chat.messages)) + 1.0
    return await run_blocking(_call_arguments, chat, ctx, deadline=deadline)


def _tool_calls_json(completion: Completion) -> list[dict]:
    return [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments},
        }
        for call in completion.tool_calls
    ]


async def chat_complete(chat: ChatRequest, *, ctx: GuardContext) -> tuple[dict[str, Any], str]:
    """A guarded chat completion: (the OpenAI ``chat.completion`` body, the provider that
    answered). Raises the typed errors of the guard and the provider layer."""
    completion_id = "chatcmpl-" + uuid.uuid4().hex
    created = int(time.time())
    try:
        completion = await acomplete(**await _guarded_call_arguments(chat, ctx))
        content = guard_output(completion.text or "", ctx=ctx)
    except ApiError:
        GATEWAY_REQUESTS.labels(mode="sync", status="error").inc()
        raise
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if completion.tool_calls:
        message["tool_calls"] = _tool_calls_json(completion)
        message["content"] = content or None
    GATEWAY_REQUESTS.labels(mode="sync", status="ok").inc()
    body = {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": completion.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": completion.finish_reason or "stop",
                "logprobs": None,
            }
        ],
        "usage": asdict(completion.usage),
        "system_fingerprint": None,
        "provider": completion.provider,  # AgentHub's: which provider answered (also a header)
    }
    return body, completion.provider


@dataclass
class ChatStream:
    """An opened stream: ``events`` yields the server-sent event bytes. Iterate it to the end or
    ``aclose()`` it: closing releases the upstream call at once."""

    events: AsyncIterator[bytes]


async def chat_stream(chat: ChatRequest, *, ctx: GuardContext) -> ChatStream:
    """A guarded streamed chat completion. The first upstream item is awaited here, so a failure
    before any text (circuit open, upstream down, rate limited) raises as a normal HTTP error
    rather than breaking an event stream."""
    items = astream_complete(**await _guarded_call_arguments(chat, ctx))
    try:
        first = await anext(items, None)
    except BaseException:
        GATEWAY_REQUESTS.labels(mode="stream", status="error").inc()
        await items.aclose()
        raise
    events = _sse_events(
        first,
        items,
        "chatcmpl-" + uuid.uuid4().hex,
        int(time.time()),
        include_usage=chat.include_usage,
    )
    return ChatStream(events)


def _chunk(completion_id: str, created: int, model: str, delta: dict, finish=None) -> bytes:
    payload = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


async def _sse_events(
    first: StreamDelta | Completion | None,
    items: AsyncIterator[StreamDelta | Completion],
    completion_id: str,
    created: int,
    *,
    include_usage: bool,
) -> AsyncIterator[bytes]:
    redactor = StreamRedactor(redact)
    model = ""
    status = "error"
    try:
        yield _chunk(completion_id, created, model, {"role": "assistant", "content": ""})
        final: Completion | None = None
        item = first
        while item is not None:
            if isinstance(item, Completion):
                final = item
                break
            released = redactor.feed(item.text)
            if released:
                yield _chunk(completion_id, created, model, {"content": released})
            item = await anext(items, None)
        tail = redactor.flush()
        if tail:
            yield _chunk(completion_id, created, model, {"content": tail})
        if final is not None:
            model = final.model
            if final.tool_calls:
                calls = [dict(c, index=i) for i, c in enumerate(_tool_calls_json(final))]
                yield _chunk(completion_id, created, model, {"tool_calls": calls})
            yield _chunk(completion_id, created, model, {}, final.finish_reason or "stop")
            if include_usage:
                usage_chunk = {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [],
                    "usage": asdict(final.usage),
                }
                yield b"data: " + json.dumps(usage_chunk).encode() + b"\n\n"
        else:
            yield _chunk(completion_id, created, model, {}, "stop")
        yield b"data: [DONE]\n\n"
        status = "ok"
    except ApiError as exc:
        # Headers are gone: the error travels as an event the openai client raises on.
        body = error_body(exc.error_code, message_of(exc))
        yield b"data: " + json.dumps(body).encode() + b"\n\n"
    except Exception:
        logger.exception("stream failed")
        body = error_body("internal_error", "An internal error occurred.")
        yield b"data: " + json.dumps(body).encode() + b"\n\n"
    finally:
        GATEWAY_REQUESTS.labels(mode="stream", status=status).inc()
        await items.aclose()  # the client went away: the upstream call ends now
