"""What the sync (``services``) and async (``async_calls``) call paths share: the client for
each provider kind, the request they send, and how an attempt and a request are counted.

Kept out of ``services`` so that the async path and the security judge import public names
rather than a module's private helpers, and so that neither path owns what both use.
"""

from __future__ import annotations

from dataclasses import replace

from apps.providers.callstats import call_stats
from apps.providers.clients.anthropic import AnthropicClient
from apps.providers.clients.base import ProviderClient, ProviderSpec
from apps.providers.clients.offline import OfflineClient
from apps.providers.clients.openai_compat import OpenAICompatibleClient
from apps.providers.metrics import LLM_DURATION, PROVIDER_ATTEMPTS, PROVIDER_REQUESTS
from apps.providers.models import ProviderKind
from apps.providers.types import CompletionRequest, ToolSpec

CLIENTS: dict[str, ProviderClient] = {
    ProviderKind.OPENAI_COMPATIBLE: OpenAICompatibleClient(),
    ProviderKind.ANTHROPIC: AnthropicClient(),
    ProviderKind.OFFLINE: OfflineClient(),
}


def completion_request(
    messages: list[dict],
    tools: list[ToolSpec] | None = None,
    response_format: dict | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
) -> CompletionRequest:
    """The provider-neutral request; ValueError for messages that are not role/content dicts."""
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list of {'role', 'content'} dicts")
    for message in messages:
        if not isinstance(message, dict) or "role" not in message:
            raise ValueError("every message needs a 'role'")
    return CompletionRequest(
        messages=list(messages),
        tools=tuple(tools or ()),
        response_format=response_format,
        max_tokens=max_tokens,
        temperature=temperature,
    )


def for_provider(spec: ProviderSpec, request: CompletionRequest) -> CompletionRequest:
    """The request as ``spec`` takes it: a provider without tool support gets the conversation
    without the tool list."""
    if request.tools and not spec.supports_tools:
        return replace(request, tools=())
    return request


def count_attempt(spec: ProviderSpec, outcome: str) -> None:
    """One upstream attempt (ok, error or cancelled), in the metrics and the per-minute stats."""
    PROVIDER_ATTEMPTS.labels(provider=spec.name, outcome=outcome).inc()
    call_stats.record_attempt(spec.name, ok=outcome == "ok")


def observe(spec: ProviderSpec, flow: str, elapsed: float, *, ok: bool) -> None:
    """One provider request (retries inside): its outcome and latency, in the metrics and the
    per-minute stats. Every request that made at least one attempt is observed exactly once."""
    PROVIDER_REQUESTS.labels(provider=spec.name, outcome="ok" if ok else "error").inc()
    LLM_DURATION.labels(provider=spec.name, flow=flow or "-").observe(elapsed)
    call_stats.record(spec.name, elapsed, ok=ok)
