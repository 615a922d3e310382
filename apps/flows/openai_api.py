"""The OpenAI-compatible front door: ``POST /v1/chat/completions`` and ``GET /v1/models``.

An application using the official ``openai`` client changes its ``base_url`` to AgentHub and its
key to a tenant key; every request then passes the input guard (user, system and tool messages),
the provider layer (breakers, retries, fallbacks) and the output redaction — streamed answers
too, with redaction that holds across chunk boundaries (see ``apps.flows.streaming``).
Errors keep AgentHub's envelope ``{"error": {"code", "message", "request_id"}}``, which the
``openai`` client reads as ``error.code`` / ``error.message``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from django.db import connection
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import ApiError, error_body, message_of
from apps.core.principal import GuardContext
from apps.flows import metrics
from apps.flows.exceptions import InvalidPayload
from apps.flows.streaming import StreamRedactor
from apps.providers.services import complete, list_models, stream_complete
from apps.providers.types import Completion, StreamDelta, ToolSpec
from apps.security.services import guard_input, guard_output, redact

logger = logging.getLogger(__name__)

_ROLES = {"system", "developer", "user", "assistant", "tool"}
# Message roles whose text enters the prompt from outside the model, and the guard source.
_GUARDED_ROLES = {
    "system": "user_input",
    "developer": "user_input",
    "user": "user_input",
    "tool": "tool_output",
}
_REPEATED_ROLES = {"system", "developer"}
MAX_MESSAGES = 256

# Threads of one process waiting on an upstream at once. Above the threshold a thread gives its
# database connection back before the wait, so hundreds of slow calls never hold hundreds of
# PostgreSQL connections; below it the connection is kept (reconnecting costs milliseconds).
KEEP_DB_CONNECTION_UNDER = 16
_inflight = 0
_inflight_lock = threading.Lock()


def _enter() -> int:
    global _inflight
    with _inflight_lock:
        _inflight += 1
        return _inflight


def _leave() -> None:
    global _inflight
    with _inflight_lock:
        _inflight -= 1


class _Once:
    def __init__(self, fn) -> None:
        self._fn = fn
        self._done = False
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        self._fn()


def _release_db_if_busy(inflight: int) -> None:
    if connection.connection is None:
        return
    pooled = bool((connection.settings_dict.get("OPTIONS") or {}).get("pool"))
    # With a pool, closing hands the connection back (cheap): always do it before the wait.
    if pooled or inflight > KEEP_DB_CONNECTION_UNDER:
        connection.close()


def _text_of(content: Any) -> str | None:
    """The text of a message's content (a string or a list of parts); None when malformed."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict):
                return None
            if part.get("type") == "text":
                if not isinstance(part.get("text"), str):
                    return None
                texts.append(part["text"])
        return "\n".join(texts)
    return None


def _validated_messages(raw: Any) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise InvalidPayload("'messages' must be a non-empty list.", code="invalid_messages")
    if len(raw) > MAX_MESSAGES:
        raise InvalidPayload(f"At most {MAX_MESSAGES} messages.", code="invalid_messages")
    for index, message in enumerate(raw):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            raise InvalidPayload(
                f"messages[{index}] needs a role among {sorted(_ROLES)}.", code="invalid_messages"
            )
        if _text_of(message.get("content")) is None:
            raise InvalidPayload(
                f"messages[{index}].content must be a string or a list of parts.",
                code="invalid_messages",
            )
    return raw


def _guarded_messages(messages: list[dict], ctx: GuardContext) -> list[dict]:
    out = []
    for message in messages:
        message = dict(message)
        source = _GUARDED_ROLES.get(message["role"])
        text = _text_of(message.get("content"))
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


def _tools(raw: Any) -> list[ToolSpec] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise InvalidPayload("'tools' must be a list.", code="invalid_tools")
    specs = []
    for index, tool in enumerate(raw):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise InvalidPayload(
                f"tools[{index}] must be {{'type': 'function', 'function': {{'name': ...}}}}.",
                code="invalid_tools",
            )
        specs.append(
            ToolSpec(
                name=function["name"],
                description=str(function.get("description") or ""),
                parameters=function.get("parameters") or {"type": "object", "properties": {}},
            )
        )
    return specs or None


def _response_format(raw: Any) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise InvalidPayload("'response_format' must be an object with a 'type'.")
    return raw


def _provider_for(model: Any) -> str | None:
    """``model`` names an enabled provider (an id of ``GET /v1/models``); anything else (a
    vendor's model name, ``default``) → the default provider."""
    if not isinstance(model, str) or not model or model in {"default", "agenthub"}:
        return None
    return model if model in {entry["id"] for entry in list_models()} else None


def _optional_number(body: dict, *names: str, kind=float) -> Any:
    for name in names:
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidPayload(f"'{name}' must be a number.")
        return kind(value)
    return None


def _tool_calls_json(completion: Completion) -> list[dict]:
    return [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments},
        }
        for call in completion.tool_calls
    ]


class ChatCompletionsApi(APIView):
    """OpenAI-compatible chat completion, guarded and resilient (``stream: true`` → SSE)."""

    @extend_schema_serializer(component_name="ChatCompletionInput")
    class InputSerializer(serializers.Serializer):
        model = serializers.CharField(required=False, help_text="A provider name, or default.")
        messages = serializers.ListField(child=serializers.DictField())
        stream = serializers.BooleanField(required=False, default=False)
        temperature = serializers.FloatField(required=False)
        max_tokens = serializers.IntegerField(required=False)
        tools = serializers.ListField(child=serializers.DictField(), required=False)
        response_format = serializers.DictField(required=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: OpenApiResponse(description="An OpenAI chat.completion object.")},
        summary="OpenAI-compatible chat completion",
    )
    def post(self, request: Request) -> Response | StreamingHttpResponse:
        body = request.data
        if not isinstance(body, dict):
            raise InvalidPayload("The request body must be a JSON object.")
        messages = _validated_messages(body.get("messages"))
        stream = body.get("stream") is True
        ctx = GuardContext.from_request(request, flow="chat")
        kwargs = {
            "messages": _guarded_messages(messages, ctx),
            "provider": _provider_for(body.get("model")),
            "flow": "chat",
            "tools": _tools(body.get("tools")),
            "response_format": _response_format(body.get("response_format")),
            "max_tokens": _optional_number(body, "max_completion_tokens", "max_tokens", kind=int),
            "temperature": _optional_number(body, "temperature"),
        }
        completion_id = "chatcmpl-" + uuid.uuid4().hex
        created = int(time.time())
        inflight = _enter()
        if stream:
            try:
                _release_db_if_busy(inflight)
                return self._stream(kwargs, completion_id, created, body.get("stream_options"))
            except BaseException:
                _leave()
                metrics.GATEWAY_REQUESTS.labels(mode="stream", status="error").inc()
                raise
        try:
            _release_db_if_busy(inflight)
            completion = complete(**kwargs)
        except ApiError:
            metrics.GATEWAY_REQUESTS.labels(mode="sync", status="error").inc()
            raise
        finally:
            _leave()
        content = guard_output(completion.text or "", ctx=ctx)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if completion.tool_calls:
            message["tool_calls"] = _tool_calls_json(completion)
            message["content"] = content or None
        metrics.GATEWAY_REQUESTS.labels(mode="sync", status="ok").inc()
        response = Response(
            {
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
            }
        )
        response["X-AgentHub-Provider"] = completion.provider
        return response

    def _stream(
        self, kwargs: dict, completion_id: str, created: int, stream_options: Any
    ) -> StreamingHttpResponse:
        items = stream_complete(**kwargs)
        # The first item is awaited here, so a failure before any text (circuit open, upstream
        # down, rate limited) is a normal HTTP error, not a broken event stream.
        first = next(items, None)
        include_usage = isinstance(stream_options, dict) and stream_options.get("include_usage")
        release = _Once(_leave)
        events = _sse_events(
            first, items, completion_id, created, release, include_usage=bool(include_usage)
        )
        response = StreamingHttpResponse(events, content_type="text/event-stream")
        # If the client goes away before the stream starts, closing the response still releases.
        response._resource_closers.append(release)  # type: ignore[attr-defined]  # Django private
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response


def _chunk(completion_id: str, created: int, model: str, delta: dict, finish=None) -> bytes:
    payload = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def _sse_events(
    first: StreamDelta | Completion | None,
    items: Iterator[StreamDelta | Completion],
    completion_id: str,
    created: int,
    release: _Once,
    *,
    include_usage: bool,
) -> Iterator[bytes]:
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
            item = next(items, None)
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
        release()
        metrics.GATEWAY_REQUESTS.labels(mode="stream", status=status).inc()
        close = getattr(items, "close", None)
        if close is not None:
            close()


class ModelsApi(APIView):
    """Models (providers) this gateway can route to, in OpenAI's list format."""

    @extend_schema(
        responses={200: OpenApiResponse(description="An OpenAI model list.")},
        summary="OpenAI-compatible model list",
    )
    def get(self, request: Request) -> Response:
        return Response({"object": "list", "data": list_models()})
