"""LLM calls on the event loop: the same chain -> breaker -> retries -> client path as
``services.complete`` / ``stream_complete``, awaited end to end.

The async front door (``apps.gateway``) calls :func:`acomplete` and :func:`astream_complete`.
Provider configuration comes from the same live snapshot (never a database read on the loop),
breakers are the process's breakers seen through :class:`AsyncCircuitBreaker` (state shared with
sync callers and, with Redis, every process), HTTP goes through one pooled aiohttp session per
provider (``async_http``). Closing a stream's iterator (client gone) closes the upstream
response at once and gives a half-open trial slot back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

from apps.providers.breaker.core import AsyncCircuitBreaker, Permit
from apps.providers.callstats import call_stats
from apps.providers.clients.base import ProviderSpec
from apps.providers.clients.openai_compat import OpenAICompatibleClient
from apps.providers.exceptions import CircuitOpenError, LLMError, UnsupportedForProvider
from apps.providers.metrics import LLM_ERRORS
from apps.providers.plumbing import (
    CLIENTS,
    completion_request,
    count_attempt,
    for_provider,
    observe,
)
from apps.providers.retry import backoff_seconds, counts_for_breaker, is_retryable
from apps.providers.runtime import breakers
from apps.providers.selectors import provider_chain
from apps.providers.types import (
    Completion,
    CompletionRequest,
    Embeddings,
    StreamDelta,
    ToolSpec,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


async def _acquire(spec: ProviderSpec, breaker: AsyncCircuitBreaker) -> Permit:
    try:
        return await breaker.acquire()
    except CircuitOpenError:
        LLM_ERRORS.labels(provider=spec.name, error_type=CircuitOpenError.error_type).inc()
        raise


async def _settle(
    spec: ProviderSpec,
    breaker: AsyncCircuitBreaker,
    permit: Permit,
    started: float,
    exc: Exception,
) -> None:
    duration = time.perf_counter() - started
    if isinstance(exc, LLMError):
        LLM_ERRORS.labels(provider=spec.name, error_type=exc.error_type).inc()
    count_attempt(spec, "error")
    if counts_for_breaker(spec, exc):
        await breaker.record_failure(permit, duration)
    else:
        await breaker.release(permit)


async def _with_retries(spec: ProviderSpec, attempt: Callable[[], Awaitable[T]]) -> T:
    """``attempt()`` until it succeeds, fails in a way not worth retrying, or the provider's
    ``max_attempts`` are spent, waiting the policy's backoff between tries (``retry.py``: what
    the sync path's tenacity loop asks too). Hand-written rather than tenacity's
    ``AsyncRetrying``: that one builds a retry state, a statistics dict and an attempt context
    on every call, 25-55 us of the event loop per request, although nearly every call succeeds
    at its first try; this loop costs nothing until a try fails."""
    attempts = max(1, spec.max_attempts)
    number = 1
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if number >= attempts or not is_retryable(spec, exc):
                raise
            delay = backoff_seconds(spec, number, exc)
        await asyncio.sleep(delay)
        number += 1


async def _attempt(spec: ProviderSpec, request: CompletionRequest) -> Completion:
    return await _guarded(spec, lambda: CLIENTS[spec.kind].acomplete(spec, request))


async def _guarded(spec: ProviderSpec, call: Callable[[], Awaitable[T]]) -> T:
    """One attempt of ``call`` through the provider's breaker."""
    breaker = breakers.async_get(spec.name)
    permit = await _acquire(spec, breaker)
    started = time.perf_counter()
    try:
        completion = await call()
    except Exception as exc:
        await _settle(spec, breaker, permit, started, exc)
        raise
    except BaseException:  # cancelled: the client went away
        await breaker.release(permit)
        count_attempt(spec, "cancelled")
        raise
    await breaker.record_success(permit, time.perf_counter() - started)
    count_attempt(spec, "ok")
    return completion


async def acall_provider(
    spec: ProviderSpec, request: CompletionRequest, *, flow: str = ""
) -> Completion:
    """One provider, with its breaker and retries (no fallback)."""
    request = for_provider(spec, request)
    started = time.perf_counter()
    try:
        completion = await _with_retries(spec, lambda: _attempt(spec, request))
    except CircuitOpenError:
        raise
    except Exception:
        observe(spec, flow, time.perf_counter() - started, ok=False)
        raise
    elapsed = time.perf_counter() - started
    observe(spec, flow, elapsed, ok=True)
    return replace(completion, latency_ms=round(elapsed * 1000, 3))


async def acomplete(
    *,
    messages: list[dict],
    provider: str | None = None,
    flow: str = "",
    tools: list[ToolSpec] | None = None,
    response_format: dict | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
) -> Completion:
    """:func:`apps.providers.services.complete`, awaited (same errors, same fallback chain)."""
    request = completion_request(messages, tools, response_format, max_tokens, temperature)
    chain = provider_chain(provider)
    failed: list[str] = []
    last_error: LLMError | None = None
    for spec in chain:
        try:
            completion = await acall_provider(spec, request, flow=flow)
        except LLMError as exc:
            failed.append(spec.name)
            last_error = exc
            if len(failed) < len(chain):
                logger.warning("Provider %s failed (%s); falling back", spec.name, exc.error_code)
            continue
        return replace(completion, fallbacks=tuple(failed))
    assert last_error is not None  # the chain is never empty
    raise last_error


class _OpenStream:
    __slots__ = ("breaker", "first", "permit", "rest", "spec", "started")

    def __init__(self, spec, breaker, permit, started, first, rest) -> None:
        self.spec: ProviderSpec = spec
        self.breaker: AsyncCircuitBreaker = breaker
        self.permit: Permit = permit
        self.started: float = started
        self.first: StreamDelta | Completion = first
        self.rest: AsyncGenerator[StreamDelta | Completion, None] = rest


async def _open_stream_once(spec: ProviderSpec, request: CompletionRequest) -> _OpenStream:
    breaker = breakers.async_get(spec.name)
    permit = await _acquire(spec, breaker)
    started = time.perf_counter()
    iterator = CLIENTS[spec.kind].astream(spec, request)
    try:
        first = await anext(iterator)
    except Exception as exc:
        await iterator.aclose()
        await _settle(spec, breaker, permit, started, exc)
        raise
    except BaseException:
        await iterator.aclose()
        await breaker.release(permit)
        raise
    return _OpenStream(spec, breaker, permit, started, first, iterator)


async def _open_stream(spec: ProviderSpec, request: CompletionRequest) -> _OpenStream:
    """Retries cover opening the stream up to its first item, never after it."""
    request = for_provider(spec, request)
    return await _with_retries(spec, lambda: _open_stream_once(spec, request))


async def _drain(
    opened: _OpenStream, flow: str, failed: tuple[str, ...]
) -> AsyncGenerator[StreamDelta | Completion, None]:
    spec, breaker, permit = opened.spec, opened.breaker, opened.permit
    settled = False

    async def finish(item: Completion) -> Completion:
        nonlocal settled
        elapsed = time.perf_counter() - opened.started
        settled = True
        await breaker.record_success(permit, elapsed)
        count_attempt(spec, "ok")
        observe(spec, flow, elapsed, ok=True)
        return replace(item, latency_ms=round(elapsed * 1000, 3), fallbacks=failed)

    try:
        if isinstance(opened.first, Completion):
            yield await finish(opened.first)
            return
        yield replace(opened.first, provider=spec.name)  # the answer's provider, known early
        async for item in opened.rest:
            if isinstance(item, Completion):
                yield await finish(item)
                return
            yield item
    except Exception as exc:
        if not settled:
            settled = True
            await _settle(spec, breaker, permit, opened.started, exc)
            call_stats.record(spec.name, time.perf_counter() - opened.started, ok=False)
        raise
    finally:
        await opened.rest.aclose()
        if not settled:  # the consumer stopped early (client gone)
            await breaker.release(permit)


async def astream_complete(
    *,
    messages: list[dict],
    provider: str | None = None,
    flow: str = "",
    tools: list[ToolSpec] | None = None,
    response_format: dict | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
) -> AsyncGenerator[StreamDelta | Completion, None]:
    """:func:`apps.providers.services.stream_complete`, awaited: text deltas, then the final
    :class:`Completion`; fallback only before the first delta. Close it (``aclose``) when the
    consumer stops early."""
    request = completion_request(messages, tools, response_format, max_tokens, temperature)
    failed: list[str] = []
    last_error: LLMError | None = None
    for spec in provider_chain(provider):
        try:
            opened = await _open_stream(spec, request)
        except LLMError as exc:
            failed.append(spec.name)
            last_error = exc
            continue
        drained = _drain(opened, flow, tuple(failed))
        try:
            async for item in drained:
                yield item
        finally:
            await drained.aclose()
        return
    assert last_error is not None
    raise last_error


async def _embed_with(
    spec: ProviderSpec, inputs: list[str], dimensions: int | None, flow: str
) -> Embeddings:
    client = CLIENTS[spec.kind]
    assert isinstance(client, OpenAICompatibleClient)
    started = time.perf_counter()
    try:
        embeddings = await _with_retries(
            spec,
            lambda: _guarded(spec, lambda: client.aembed(spec, inputs, dimensions=dimensions)),
        )
    except CircuitOpenError:
        raise
    except Exception:
        observe(spec, flow, time.perf_counter() - started, ok=False)
        raise
    observe(spec, flow, time.perf_counter() - started, ok=True)
    return embeddings


def _embeds(spec: ProviderSpec) -> bool:
    return isinstance(CLIENTS.get(spec.kind), OpenAICompatibleClient)


async def aembed(
    *,
    inputs: list[str],
    provider: str | None = None,
    dimensions: int | None = None,
    flow: str = "embeddings",
) -> Embeddings:
    """Embeddings of ``inputs`` with breakers, retries and the fallback chain of chat (only the
    fallbacks that can embed). A provider that cannot embed (not OpenAI-compatible) is a 400
    :class:`UnsupportedForProvider`."""
    chain = provider_chain(provider)
    if not _embeds(chain[0]):
        raise UnsupportedForProvider(
            f"Provider '{chain[0].name}' ({chain[0].kind}) has no embeddings endpoint; "
            "embeddings need an OpenAI-compatible provider.",
            details={"provider": chain[0].name},
        )
    chain = [spec for spec in chain if _embeds(spec)]
    failed: list[str] = []
    last_error: LLMError | None = None
    for spec in chain:
        try:
            embeddings = await _embed_with(spec, inputs, dimensions, flow)
        except LLMError as exc:
            failed.append(spec.name)
            last_error = exc
            continue
        return replace(embeddings, fallbacks=tuple(failed))
    assert last_error is not None  # the chain is never empty
    raise last_error
