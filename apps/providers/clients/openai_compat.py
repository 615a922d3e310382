"""OpenAI-compatible Chat Completions (OpenAI, vLLM, Ollama, LM Studio, many hosted APIs)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Iterator

from apps.providers.clients.base import (
    ProviderClient,
    ProviderSpec,
    apost_json,
    apost_stream,
    post_json,
    post_stream,
)
from apps.providers.exceptions import LLMResponseError
from apps.providers.http import provider_api_key, raise_for_error_body
from apps.providers.types import (
    Completion,
    CompletionRequest,
    Embeddings,
    StreamDelta,
    ToolCall,
    Usage,
)


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


def parse_embeddings(data: dict, spec: ProviderSpec, count: int) -> Embeddings:
    """OpenAI's embeddings list, checked: one numeric vector per input, put in input order."""
    items = data.get("data")
    if not isinstance(items, list) or len(items) != count:
        raise LLMResponseError(
            f"Provider '{spec.name}' answered a wrong number of embeddings.", provider=spec.name
        )
    vectors: list[tuple[float, ...] | None] = [None] * count
    for position, item in enumerate(items):
        vector = item.get("embedding") if isinstance(item, dict) else None
        index = item.get("index", position) if isinstance(item, dict) else position
        if (
            not isinstance(vector, list)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in vector)
            or not isinstance(index, int)
            or not 0 <= index < count
        ):
            raise LLMResponseError(
                f"Provider '{spec.name}' answered a malformed embedding.", provider=spec.name
            )
        vectors[index] = tuple(float(v) for v in vector)
    if any(vector is None for vector in vectors):
        raise LLMResponseError(
            f"Provider '{spec.name}' answered duplicate embedding indexes.", provider=spec.name
        )
    return Embeddings(
        vectors=tuple(v for v in vectors if v is not None),
        provider=spec.name,
        model=str(data.get("model") or spec.model),
        usage=_usage(data.get("usage")),
    )


class OpenAICompatibleClient(ProviderClient):
    async def aembed(
        self, spec: ProviderSpec, inputs: list[str], *, dimensions: int | None = None
    ) -> Embeddings:
        """``POST {base_url}/embeddings`` with the provider's model."""
        body: dict = {"model": spec.model, "input": inputs}
        if dimensions is not None:
            body["dimensions"] = dimensions
        data = await apost_json(spec, "embeddings", body=body, headers=_headers(spec))
        return parse_embeddings(data, spec, len(inputs))

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
            reader=OpenAIStreamReader,
        )

    async def acomplete(self, spec: ProviderSpec, request: CompletionRequest) -> Completion:
        body = build_body(spec, request)
        data = await apost_json(spec, "chat/completions", body=body, headers=_headers(spec))
        return parse_completion(data, spec)

    def astream(
        self, spec: ProviderSpec, request: CompletionRequest
    ) -> AsyncGenerator[StreamDelta | Completion, None]:
        headers = _headers(spec) | {"Accept": "text/event-stream"}
        return apost_stream(
            spec,
            "chat/completions",
            body=build_body(spec, request, stream=True),
            headers=headers,
            parse=parse_completion,
            reader=OpenAIStreamReader,
        )


class OpenAIStreamReader:
    """Chat Completions server-sent events, one line at a time: text deltas as they come, the
    assembled completion at the end (shared by the sync and the async client)."""

    def __init__(self, spec: ProviderSpec) -> None:
        self.spec = spec
        self.done = False
        self._text: list[str] = []
        self._tools: dict[int, dict] = {}
        self._finish = ""
        self._model = spec.model
        self._usage = Usage()

    def feed(self, line: str) -> list[StreamDelta]:
        if not line.startswith("data:"):
            return []
        spec = self.spec
        payload = line[5:].strip()
        if payload == "[DONE]":
            self.done = True
            return []
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
        self._model = chunk.get("model") or self._model
        if chunk.get("usage"):
            self._usage = _usage(chunk["usage"])
        deltas = []
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            piece = delta.get("content")
            if piece:
                self._text.append(piece)
                deltas.append(StreamDelta(text=piece))
            for call in delta.get("tool_calls") or ():
                slot = self._tools.setdefault(
                    int(call.get("index", len(self._tools))), {"args": []}
                )
                if call.get("id"):
                    slot["id"] = call["id"]
                function = call.get("function") or {}
                if function.get("name"):
                    slot["name"] = function["name"]
                if function.get("arguments"):
                    slot["args"].append(function["arguments"])
            if choice.get("finish_reason"):
                self._finish = choice["finish_reason"]
        return deltas

    def finish(self) -> Completion:
        spec = self.spec
        if not self.done and not self._finish:
            raise LLMResponseError(
                f"Provider '{spec.name}' ended the stream before it was complete.",
                provider=spec.name,
            )
        tool_calls = tuple(
            ToolCall(
                id=slot.get("id", ""), name=slot.get("name", ""), arguments="".join(slot["args"])
            )
            for _index, slot in sorted(self._tools.items())
        )
        return Completion(
            text="".join(self._text),
            tool_calls=tool_calls,
            finish_reason=self._finish or ("tool_calls" if tool_calls else "stop"),
            provider=spec.name,
            model=str(self._model),
            usage=self._usage,
            latency_ms=0.0,
        )
