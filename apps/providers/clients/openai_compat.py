"""OpenAI-compatible Chat Completions (OpenAI, vLLM, Ollama, LM Studio, many hosted APIs)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from apps.providers.clients.base import ProviderClient, ProviderSpec, post_json, post_stream
from apps.providers.exceptions import LLMResponseError
from apps.providers.http import provider_api_key, raise_for_error_body
from apps.providers.types import Completion, CompletionRequest, StreamDelta, ToolCall, Usage


def _headers(spec: ProviderSpec) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = provider_api_key(spec)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return headers


def build_body(spec: ProviderSpec, request: CompletionRequest, *, stream: bool = False) -> dict:
    body: dict = {"model": spec.model, "messages": request.messages}
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.parameters or {"type": "object", "properties": {}},
                },
            }
            for tool in request.tools
        ]
    if request.response_format:
        body["response_format"] = request.response_format
    if request.max_tokens is not None:
        body["max_tokens"] = request.max_tokens
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def _usage(data: object) -> Usage:
    if not isinstance(data, dict):
        return Usage()
    prompt = int(data.get("prompt_tokens") or 0)
    completion = int(data.get("completion_tokens") or 0)
    return Usage(prompt, completion, int(data.get("total_tokens") or prompt + completion))


def _tool_calls(raw: object, provider: str) -> tuple[ToolCall, ...]:
    if not raw:
        return ()
    if not isinstance(raw, list):
        raise LLMResponseError(
            f"Provider '{provider}' sent malformed tool calls.", provider=provider
        )
    calls = []
    for item in raw:
        function = item.get("function") if isinstance(item, dict) else None
        if not isinstance(function, dict) or not function.get("name"):
            raise LLMResponseError(
                f"Provider '{provider}' sent a malformed tool call.", provider=provider
            )
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments if arguments is not None else {})
        calls.append(
            ToolCall(id=str(item.get("id") or ""), name=function["name"], arguments=arguments)
        )
    return tuple(calls)


def parse_completion(data: dict, spec: ProviderSpec) -> Completion:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise LLMResponseError(
            f"Provider '{spec.name}' answered without choices.", provider=spec.name
        )
    message = choices[0].get("message")
    if not isinstance(message, dict):
        raise LLMResponseError(
            f"Provider '{spec.name}' answered without a message.", provider=spec.name
        )
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        raise LLMResponseError(
            f"Provider '{spec.name}' answered content that is not text.", provider=spec.name
        )
    tool_calls = _tool_calls(message.get("tool_calls"), spec.name)
    finish = choices[0].get("finish_reason") or ("tool_calls" if tool_calls else "stop")
    return Completion(
        text=content or "",
        tool_calls=tool_calls,
        finish_reason=str(finish),
        provider=spec.name,
        model=str(data.get("model") or spec.model),
        usage=_usage(data.get("usage")),
        latency_ms=0.0,
    )


class OpenAICompatibleClient(ProviderClient):
    def complete(self, spec: ProviderSpec, request: CompletionRequest) -> Completion:
        headers = _headers(spec)
        data = post_json(spec, "chat/completions", body=build_body(spec, request), headers=headers)
        return parse_completion(data, spec)

    def stream(
        self, spec: ProviderSpec, request: CompletionRequest
    ) -> Iterator[StreamDelta | Completion]:
        """Server-sent events; yields text deltas, then the assembled completion."""
        headers = _headers(spec) | {"Accept": "text/event-stream"}
        yield from post_stream(
            spec,
            "chat/completions",
            body=build_body(spec, request, stream=True),
            headers=headers,
            parse=parse_completion,
            read_events=_read_events,
        )


def _read_events(lines: Iterator[str], spec: ProviderSpec) -> Iterator[StreamDelta | Completion]:
    text: list[str] = []
    tools: dict[int, dict] = {}
    finish = ""
    model = spec.model
    usage = Usage()
    done = False
    for line in lines:
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            done = True
            break
        try:
            chunk = json.loads(payload)
        except ValueError:
            raise LLMResponseError(
                f"Provider '{spec.name}' streamed invalid JSON.", provider=spec.name
            ) from None
        if not isinstance(chunk, dict):
            raise LLMResponseError(
                f"Provider '{spec.name}' streamed a malformed event.", provider=spec.name
            )
        raise_for_error_body(chunk, provider=spec.name)
        model = chunk.get("model") or model
        if chunk.get("usage"):
            usage = _usage(chunk["usage"])
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            piece = delta.get("content")
            if piece:
                text.append(piece)
                yield StreamDelta(text=piece)
            for call in delta.get("tool_calls") or ():
                slot = tools.setdefault(int(call.get("index", len(tools))), {"args": []})
                if call.get("id"):
                    slot["id"] = call["id"]
                function = call.get("function") or {}
                if function.get("name"):
                    slot["name"] = function["name"]
                if function.get("arguments"):
                    slot["args"].append(function["arguments"])
            if choice.get("finish_reason"):
                finish = choice["finish_reason"]
    if not done and not finish:
        raise LLMResponseError(
            f"Provider '{spec.name}' ended the stream before it was complete.", provider=spec.name
        )
    tool_calls = tuple(
        ToolCall(id=slot.get("id", ""), name=slot.get("name", ""), arguments="".join(slot["args"]))
        for _index, slot in sorted(tools.items())
    )
    yield Completion(
        text="".join(text),
        tool_calls=tool_calls,
        finish_reason=finish or ("tool_calls" if tool_calls else "stop"),
        provider=spec.name,
        model=str(model),
        usage=usage,
        latency_ms=0.0,
    )
