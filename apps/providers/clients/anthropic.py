"""Anthropic Messages API: system prompt apart, tool_use / tool_result blocks <-> ToolCall."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Iterator

from apps.providers.clients.base import (
    ProviderClient,
    ProviderSpec,
    apost_json,
    apost_stream,
    message_text,
    post_json,
    post_stream,
)
from apps.providers.exceptions import LLMResponseError
from apps.providers.http import provider_api_key, raise_for_error_body
from apps.providers.types import Completion, CompletionRequest, StreamDelta, ToolCall, Usage

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024
_STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "tool_use": "tool_calls"}
_STOP_REASONS["max_tokens"] = "length"


def _arguments(raw: object) -> dict:
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        parsed = {}
    return parsed if isinstance(parsed, dict) else {"value": parsed}


def convert_messages(messages: list[dict]) -> tuple[str, list[dict]]:
    """OpenAI-shaped messages -> (system prompt, Anthropic messages).

    Consecutive messages of the same role are merged (the API wants alternating roles) and tool
    results become ``tool_result`` blocks of a user turn.
    """
    system: list[str] = []
    out: list[dict] = []

    def push(role: str, blocks: list[dict]) -> None:
        if not blocks:
            return
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": list(blocks)})

    for message in messages:
        role = message.get("role")
        text = message_text(message.get("content"))
        if role in {"system", "developer"}:
            if text:
                system.append(text)
        elif role == "assistant":
            blocks: list[dict] = [{"type": "text", "text": text}] if text else []
            for call in message.get("tool_calls") or ():
                function = call.get("function") or {}
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": call.get("id") or f"toolu_{len(out)}",
                        "name": function.get("name", ""),
                        "input": _arguments(function.get("arguments")),
                    }
                )
            push("assistant", blocks)
        elif role == "tool":
            push(
                "user",
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": message.get("tool_call_id", ""),
                        "content": text,
                    }
                ],
            )
        else:
            push("user", [{"type": "text", "text": text or " "}])
    return "\n\n".join(system), out


def build_body(spec: ProviderSpec, request: CompletionRequest) -> dict:
    system, messages = convert_messages(request.messages)
    if request.response_format and request.response_format.get("type") == "json_schema":
        schema = (request.response_format.get("json_schema") or {}).get("schema") or {}
        system = (system + "\n\n" if system else "") + (
            "Answer with one JSON object only, valid against this JSON schema: "
            + json.dumps(schema)
        )
    elif request.response_format and request.response_format.get("type") == "json_object":
        system = (system + "\n\n" if system else "") + "Answer with one JSON object only."
    body: dict = {
        "model": spec.model,
        "messages": messages,
        "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
    }
    if system:
        body["system"] = system
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.tools:
        body["tools"] = [
            {
                "name": tool.name,
                "description": tool.description,
                "input_schema": tool.parameters or {"type": "object", "properties": {}},
            }
            for tool in request.tools
        ]
    return body


def parse_message(data: dict, spec: ProviderSpec) -> Completion:
    content = data.get("content")
    if not isinstance(content, list):
        raise LLMResponseError(
            f"Provider '{spec.name}' answered without content blocks.", provider=spec.name
        )
    text: list[str] = []
    calls: list[ToolCall] = []
    for block in content:
        if not isinstance(block, dict):
            raise LLMResponseError(
                f"Provider '{spec.name}' answered a malformed content block.", provider=spec.name
            )
        if block.get("type") == "text":
            text.append(str(block.get("text", "")))
        elif block.get("type") == "tool_use":
            calls.append(
                ToolCall(
                    id=str(block.get("id", "")),
                    name=str(block.get("name", "")),
                    arguments=json.dumps(block.get("input") or {}),
                )
            )
    raw_usage = data.get("usage")
    usage: dict = raw_usage if isinstance(raw_usage, dict) else {}
    prompt = int(usage.get("input_tokens") or 0)
    completion = int(usage.get("output_tokens") or 0)
    stop = str(data.get("stop_reason") or "")
    return Completion(
        text="".join(text),
        tool_calls=tuple(calls),
        finish_reason=_STOP_REASONS.get(stop, stop or ("tool_calls" if calls else "stop")),
        provider=spec.name,
        model=str(data.get("model") or spec.model),
        usage=Usage(prompt, completion, prompt + completion),
        latency_ms=0.0,
    )


def _headers(spec: ProviderSpec) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "anthropic-version": ANTHROPIC_VERSION}
    key = provider_api_key(spec)
    if key:
        headers["x-api-key"] = key
    return headers


class AnthropicClient(ProviderClient):
    def complete(self, spec: ProviderSpec, request: CompletionRequest) -> Completion:
        headers = _headers(spec)
        data = post_json(spec, "messages", body=build_body(spec, request), headers=headers)
        return parse_message(data, spec)

    def stream(
        self, spec: ProviderSpec, request: CompletionRequest
    ) -> Iterator[StreamDelta | Completion]:
        """Messages API server-sent events: text deltas, then the assembled completion."""
        headers = _headers(spec)
        yield from post_stream(
            spec,
            "messages",
            body={**build_body(spec, request), "stream": True},
            headers=headers,
            parse=parse_message,
            reader=AnthropicStreamReader,
        )

    async def acomplete(self, spec: ProviderSpec, request: CompletionRequest) -> Completion:
        body = build_body(spec, request)
        data = await apost_json(spec, "messages", body=body, headers=_headers(spec))
        return parse_message(data, spec)

    def astream(
        self, spec: ProviderSpec, request: CompletionRequest
    ) -> AsyncGenerator[StreamDelta | Completion, None]:
        return apost_stream(
            spec,
            "messages",
            body={**build_body(spec, request), "stream": True},
            headers=_headers(spec),
            parse=parse_message,
            reader=AnthropicStreamReader,
        )


class AnthropicStreamReader:
    """Messages API server-sent events, one line at a time (shared by sync and async calls)."""

    def __init__(self, spec: ProviderSpec) -> None:
        self.spec = spec
        self.done = False
        self._text: list[str] = []
        self._blocks: dict[int, dict] = {}
        self._model, self._stop = spec.model, ""
        self._prompt_tokens = self._completion_tokens = 0

    def feed(self, line: str) -> list[StreamDelta]:
        if not line.startswith("data:"):
            return []
        spec = self.spec
        try:
            event = json.loads(line[5:].strip())
        except ValueError:
            raise LLMResponseError(
                f"Provider '{spec.name}' streamed invalid JSON.", provider=spec.name
            ) from None
        if not isinstance(event, dict):
            raise LLMResponseError(
                f"Provider '{spec.name}' streamed a malformed event.", provider=spec.name
            )
        raise_for_error_body(event, provider=spec.name)
        kind = event.get("type")
        if kind == "message_start":
            message = event.get("message") or {}
            self._model = message.get("model") or self._model
            self._prompt_tokens = int((message.get("usage") or {}).get("input_tokens") or 0)
        elif kind == "content_block_start":
            block = event.get("content_block") or {}
            if block.get("type") == "tool_use":
                self._blocks[int(event.get("index", len(self._blocks)))] = {
                    "id": block.get("id", ""),
                    "name": block.get("name", ""),
                    "json": [],
                }
        elif kind == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta" and delta.get("text"):
                self._text.append(delta["text"])
                return [StreamDelta(text=delta["text"])]
            if delta.get("type") == "input_json_delta":
                slot = self._blocks.get(int(event.get("index", -1)))
                if slot is not None:
                    slot["json"].append(delta.get("partial_json", ""))
        elif kind == "message_delta":
            self._stop = (event.get("delta") or {}).get("stop_reason") or self._stop
            self._completion_tokens = int((event.get("usage") or {}).get("output_tokens") or 0)
        elif kind == "message_stop":
            self.done = True
        return []

    def finish(self) -> Completion:
        spec = self.spec
        if not self.done:
            raise LLMResponseError(
                f"Provider '{spec.name}' ended the stream before it was complete.",
                provider=spec.name,
            )
        calls = tuple(
            ToolCall(id=slot["id"], name=slot["name"], arguments="".join(slot["json"]) or "{}")
            for _index, slot in sorted(self._blocks.items())
        )
        stop = self._stop
        prompt, completion = self._prompt_tokens, self._completion_tokens
        return Completion(
            text="".join(self._text),
            tool_calls=calls,
            finish_reason=_STOP_REASONS.get(stop, stop or ("tool_calls" if calls else "stop")),
            provider=spec.name,
            model=str(self._model),
            usage=Usage(prompt, completion, prompt + completion),
            latency_ms=0.0,
        )
