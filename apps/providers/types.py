"""The values that cross the providers app's boundary (what flows and agents code against)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict  # JSON schema of the arguments


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text as the model gave it (may be invalid: callers validate)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    text: str
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    provider: str
    model: str
    usage: Usage
    latency_ms: float
    fallbacks: tuple[str, ...] = ()  # providers tried first that failed


@dataclass(frozen=True)
class StreamDelta:
    """A piece of a streamed answer; the stream ends with the final :class:`Completion`."""

    text: str
    provider: str = ""  # set on the first delta: the provider whose stream this is


@dataclass(frozen=True)
class Embeddings:
    """One vector per input text, in input order."""

    vectors: tuple[tuple[float, ...], ...]
    provider: str
    model: str
    usage: Usage
    fallbacks: tuple[str, ...] = ()  # providers tried first that failed


@dataclass(frozen=True)
class CompletionRequest:
    """One call's input, as the clients see it (internal to the providers app)."""

    messages: list[dict]
    tools: tuple[ToolSpec, ...] = ()
    response_format: dict | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    extra: dict = field(default_factory=dict)
