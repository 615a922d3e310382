"""Validation of the OpenAI-compatible request bodies (``POST /v1/chat/completions``,
``POST /v1/embeddings``).

The serializer is the request's contract: it validates the JSON body and turns it into the
arguments of :func:`apps.gateway.services.chat_complete` / ``chat_stream``. Errors keep the codes
the front door always had (``invalid_messages``, ``invalid_tools``, ``validation_error``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from apps.gateway.exceptions import InvalidRequest
from apps.providers.types import ToolSpec

ROLES = {"system", "developer", "user", "assistant", "tool"}
MAX_MESSAGES = 256
# OpenAI's chat completion request fields. Those the serializer reads are used; the others are
# accepted (clients send them by default) and not forwarded. Anything else is a 400 naming it:
# a typo ("temprature") must not pass silently.
OPENAI_FIELDS = frozenset(
    {
        "model",
        "messages",
        "stream",
        "stream_options",
        "temperature",
        "max_tokens",
        "max_completion_tokens",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "top_p",
        "n",
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "user",
        "seed",
        "metadata",
        "store",
        "service_tier",
        "reasoning_effort",
        "modalities",
        "prediction",
        "audio",
        "web_search_options",
        "functions",
        "function_call",
        "verbosity",
        "prompt_cache_key",
        "safety_identifier",
    }
)


@dataclass(frozen=True)
class ChatRequest:
    messages: list[dict]
    model: Any
    stream: bool
    include_usage: bool
    tools: list[ToolSpec] | None
    response_format: dict | None
    max_tokens: int | None
    temperature: float | None


def text_of(content: Any) -> str | None:
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


def _messages(raw: Any) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise InvalidRequest("'messages' must be a non-empty list.", code="invalid_messages")
    if len(raw) > MAX_MESSAGES:
        raise InvalidRequest(f"At most {MAX_MESSAGES} messages.", code="invalid_messages")
    for index, message in enumerate(raw):
        role = message.get("role") if isinstance(message, dict) else None
        if not isinstance(role, str) or role not in ROLES:  # {} or [] as a role: not hashable
            raise InvalidRequest(
                f"messages[{index}] needs a role among {sorted(ROLES)}.", code="invalid_messages"
            )
        if text_of(message.get("content")) is None:
            raise InvalidRequest(
                f"messages[{index}].content must be a string or a list of parts.",
                code="invalid_messages",
            )
    return raw


def _tools(raw: Any) -> list[ToolSpec] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise InvalidRequest("'tools' must be a list.", code="invalid_tools")
    specs = []
    for index, tool in enumerate(raw):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise InvalidRequest(
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
        raise InvalidRequest("'response_format' must be an object with a 'type'.")
    return raw


# Documented ranges of the generation parameters: anything else is a 400 before any upstream call.
MAX_TOKENS_RANGE = (1, 1_000_000)
TEMPERATURE_RANGE = (0.0, 2.0)


def _number(body: dict, *names: str, bounds: tuple[float, float], kind: type = float) -> Any:
    for name in names:
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidRequest(f"'{name}' must be a number.")
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise InvalidRequest(f"'{name}' must be a whole number.")
        low, high = bounds
        if not low <= value <= high:  # False for NaN too
            raise InvalidRequest(f"'{name}' must be between {low} and {high}.")
        return kind(value)
    return None


class ChatCompletionInputSerializer(serializers.Serializer):
    """OpenAI's chat completion request, validated as a whole into a :class:`ChatRequest`
    (its OpenAPI description: ``apps.gateway.schema``)."""

    def to_internal_value(self, data: Any) -> ChatRequest:
        # The body is checked as a whole, by hand: an OpenAI client expects these exact errors,
        # and this runs on every request (DRF's per-field machinery costs more than the guard).
        if not isinstance(data, dict):
            raise InvalidRequest("The request body must be a JSON object.")
        unknown = sorted(str(name) for name in data if name not in OPENAI_FIELDS)
        if unknown:
            raise InvalidRequest(
                f"Unknown field(s): {', '.join(unknown)}.", details={"unknown_fields": unknown}
            )
        options = data.get("stream_options")
        return ChatRequest(
            messages=_messages(data.get("messages")),
            model=data.get("model"),
            stream=data.get("stream") is True,
            include_usage=bool(isinstance(options, dict) and options.get("include_usage")),
            tools=_tools(data.get("tools")),
            response_format=_response_format(data.get("response_format")),
            max_tokens=_number(
                data, "max_completion_tokens", "max_tokens", bounds=MAX_TOKENS_RANGE, kind=int
            ),
            temperature=_number(data, "temperature", bounds=TEMPERATURE_RANGE),
        )


# Stateless (its validation reads only the body): one instance for every request. DRF's
# ``is_valid`` around ``to_internal_value`` (a new serializer, its field set-up, run_validation,
# validators) cost more per request than the validation itself, and added nothing: every fault
# is an InvalidRequest raised by ``to_internal_value``, which ``is_valid`` does not catch.
_CHAT_SERIALIZER = ChatCompletionInputSerializer()


def chat_request_from(body: Any) -> ChatRequest:
    """The validated request, or an :class:`InvalidRequest` (400) naming what is wrong."""
    return _CHAT_SERIALIZER.to_internal_value(body)


# OpenAI's embeddings request. Token arrays as input are refused (the guard reads text).
EMBEDDING_FIELDS = frozenset({"input", "model", "encoding_format", "dimensions", "user"})
MAX_EMBEDDING_INPUTS = 2048
MAX_EMBEDDING_INPUT_CHARS = 100_000
DIMENSIONS_RANGE = (1, 65_536)


@dataclass(frozen=True)
class EmbeddingsRequest:
    inputs: list[str]
    model: Any
    encoding_format: str  # "float" or "base64"
    dimensions: int | None


def _embedding_inputs(raw: Any) -> list[str]:
    inputs = [raw] if isinstance(raw, str) else raw
    if not isinstance(inputs, list) or not inputs:
        raise InvalidRequest("'input' must be a string or a non-empty list of strings.")
    if len(inputs) > MAX_EMBEDDING_INPUTS:
        raise InvalidRequest(f"At most {MAX_EMBEDDING_INPUTS} inputs.")
    for index, text in enumerate(inputs):
        if not isinstance(text, str):
            raise InvalidRequest(
                f"input[{index}] must be a string (token arrays are not accepted)."
            )
        if not text:
            raise InvalidRequest(f"input[{index}] is empty.")
        if len(text) > MAX_EMBEDDING_INPUT_CHARS:
            raise InvalidRequest(f"input[{index}] is over {MAX_EMBEDDING_INPUT_CHARS} characters.")
    return inputs


def embeddings_request_from(body: Any) -> EmbeddingsRequest:
    """The validated embeddings request, or an :class:`InvalidRequest` (400) naming the fault."""
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    unknown = sorted(str(name) for name in body if name not in EMBEDDING_FIELDS)
    if unknown:
        raise InvalidRequest(
            f"Unknown field(s): {', '.join(unknown)}.", details={"unknown_fields": unknown}
        )
    encoding = body.get("encoding_format") or "float"
    if encoding not in ("float", "base64"):
        raise InvalidRequest("'encoding_format' must be 'float' or 'base64'.")
    return EmbeddingsRequest(
        inputs=_embedding_inputs(body.get("input")),
        model=body.get("model"),
        encoding_format=encoding,
        dimensions=_number(body, "dimensions", bounds=DIMENSIONS_RANGE, kind=int),
    )


# OpenAI's Responses request, mapped onto the chat path. Fields read: input, instructions,
# model, max_output_tokens, temperature. Accepted and not forwarded: the listed bookkeeping
# fields. Refused (400 naming them): what needs state or tools this mapping does not keep.
RESPONSES_FIELDS = frozenset(
    {
        "model",
        "input",
        "instructions",
        "max_output_tokens",
        "temperature",
        "stream",
        "metadata",
        "user",
        "store",
        "top_p",
        "truncation",
        "include",
        "service_tier",
        "prompt_cache_key",
        "safety_identifier",
        "parallel_tool_calls",
        "tool_choice",
        "reasoning",
        "text",
        "tools",
        "previous_response_id",
    }
)
_RESPONSES_ROLES = {"user", "system", "developer", "assistant"}
_RESPONSES_TEXT_PARTS = {"input_text", "output_text"}


def _response_item_text(content: Any, index: int) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") not in _RESPONSES_TEXT_PARTS:
                raise InvalidRequest(
                    f"input[{index}].content: only input_text and output_text parts are accepted.",
                    code="invalid_messages",
                )
            if not isinstance(part.get("text"), str):
                raise InvalidRequest(
                    f"input[{index}].content: a text part needs 'text'.", code="invalid_messages"
                )
            texts.append(part["text"])
        return "\n".join(texts)
    raise InvalidRequest(
        f"input[{index}].content must be a string or a list of parts.", code="invalid_messages"
    )


def _responses_messages(body: dict) -> list[dict]:
    messages: list[dict] = []
    instructions = body.get("instructions")
    if instructions is not None:
        if not isinstance(instructions, str):
            raise InvalidRequest("'instructions' must be a string.")
        messages.append({"role": "system", "content": instructions})
    raw = body.get("input")
    if isinstance(raw, str):
        raw = [{"role": "user", "content": raw}]
    if not isinstance(raw, list) or not raw:
        raise InvalidRequest(
            "'input' must be a string or a non-empty list of messages.", code="invalid_messages"
        )
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or item.get("type", "message") != "message":
            raise InvalidRequest(
                f"input[{index}]: only message items are accepted.", code="invalid_messages"
            )
        role = item.get("role")
        if not isinstance(role, str) or role not in _RESPONSES_ROLES:
            raise InvalidRequest(
                f"input[{index}] needs a role among {sorted(_RESPONSES_ROLES)}.",
                code="invalid_messages",
            )
        messages.append({"role": role, "content": _response_item_text(item.get("content"), index)})
    return _messages(messages)


def responses_request_from(body: Any) -> ChatRequest:
    """``POST /v1/responses`` as the chat request it maps to, or a 400 naming the fault."""
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    unknown = sorted(str(name) for name in body if name not in RESPONSES_FIELDS)
    if unknown:
        raise InvalidRequest(
            f"Unknown field(s): {', '.join(unknown)}.", details={"unknown_fields": unknown}
        )
    unsupported = [name for name in ("tools", "previous_response_id") if body.get(name)]
    if unsupported:
        raise InvalidRequest(
            f"Not supported on /v1/responses: {', '.join(unsupported)} (use "
            "/v1/chat/completions for tools; send the whole conversation as input).",
            details={"unsupported_fields": unsupported},
        )
    return ChatRequest(
        messages=_responses_messages(body),
        model=body.get("model"),
        stream=body.get("stream") is True,
        include_usage=True,
        tools=None,
        response_format=None,
        max_tokens=_number(body, "max_output_tokens", bounds=MAX_TOKENS_RANGE, kind=int),
        temperature=_number(body, "temperature", bounds=TEMPERATURE_RANGE),
    )
