"""LLM calls (breaker -> retries -> httpx -> parse, with fallback) and operator use cases.

``complete`` / ``stream_complete`` are what flows and agents call. Provider configuration and
breaker settings are read from a per-process live snapshot (``selectors.provider_runtime``), so a
change saved through these services is in force in every process within one second.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.db import transaction
from tenacity import Retrying, stop_after_attempt

from apps.core import tracing
from apps.core.crypto import encrypt_secret, rotate_token
from apps.core.live_config import bump_version
from apps.core.logging import log_throttled
from apps.providers.breaker.core import BreakerSnapshot, CircuitBreaker, Permit
from apps.providers.clients.base import ProviderSpec
from apps.providers.clients.offline import OFFLINE_MODEL
from apps.providers.exceptions import CircuitOpenError, LLMError
from apps.providers.metrics import LLM_ERRORS
from apps.providers.models import (
    RESERVED_MODEL_NAMES,
    BreakerConfig,
    ModelAlias,
    Provider,
    ProviderFallback,
    ProviderKind,
)
from apps.providers.plumbing import (
    CLIENTS,
    completion_request,
    count_attempt,
    for_provider,
    observe,
)
from apps.providers.retry import RetryPolicy, counts_for_breaker
from apps.providers.runtime import breaker_for
from apps.providers.selectors import (
    BUILTIN_OFFLINE_NAME,
    LIVE_NAMESPACE,
    known_key_env_names,
    known_stored_keys,
    provider_chain,
    provider_runtime,
    remember_key_env,
)
from apps.providers.types import Completion, CompletionRequest, StreamDelta, ToolSpec

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

# --- calls ----------------------------------------------------------------------------------


def _acquire(spec: ProviderSpec, breaker: CircuitBreaker) -> Permit:
    try:
        return breaker.acquire()
    except CircuitOpenError:
        LLM_ERRORS.labels(provider=spec.name, error_type=CircuitOpenError.error_type).inc()
        raise


def _settle(
    spec: ProviderSpec, breaker: CircuitBreaker, permit: Permit, started: float, exc: Exception
) -> None:
    """Report a failed attempt to the breaker (as a failure only if that kind counts)."""
    duration = time.perf_counter() - started
    if isinstance(exc, LLMError):
        LLM_ERRORS.labels(provider=spec.name, error_type=exc.error_type).inc()
    count_attempt(spec, "error")
    if counts_for_breaker(spec, exc):
        breaker.record_failure(permit, duration)
    else:
        breaker.release(permit)


@tracing.annotated("llm.call", count="llm.attempts")
def _attempt(spec: ProviderSpec, request: CompletionRequest) -> Completion:
    """One attempt: a breaker permit before it, the outcome reported after it."""
    breaker = breaker_for(spec.name)
    permit = _acquire(spec, breaker)
    started = time.perf_counter()
    try:
        completion = CLIENTS[spec.kind].complete(spec, request)
    except Exception as exc:
        _settle(spec, breaker, permit, started, exc)
        raise
    except BaseException:
        breaker.release(permit)
        count_attempt(spec, "cancelled")
        raise
    breaker.record_success(permit, time.perf_counter() - started)
    count_attempt(spec, "ok")
    return completion


def _retrying(spec: ProviderSpec) -> Retrying:
    policy = RetryPolicy(spec)
    return Retrying(
        stop=stop_after_attempt(max(1, spec.max_attempts)),
        wait=policy.wait,
        retry=policy.should_retry,
        reraise=True,
    )


def _rejected_before_any_attempt(exc: BaseException, attempts: int) -> bool:
    # The breaker refused the first attempt: nothing reached the upstream (not a request).
    return isinstance(exc, CircuitOpenError) and attempts <= 1


def _retried(spec: ProviderSpec, flow: str, started: float, once: Callable[[], _T]) -> _T:
    """``once()`` under the provider's retry policy; a request that failed after reaching the
    upstream is observed as a failure (a fast breaker rejection has no latency to observe)."""
    attempts = 0
    try:
        for attempt in _retrying(spec):
            with attempt:
                attempts = attempt.retry_state.attempt_number
                result = once()
    except Exception as exc:
        if not _rejected_before_any_attempt(exc, attempts):
            observe(spec, flow, time.perf_counter() - started, ok=False)
        raise
    return result


@tracing.traced(
    "llm.call", arguments=tracing.llm_arguments, result=tracing.llm_result, error=tracing.llm_error
)
def call_provider(spec: ProviderSpec, request: CompletionRequest, *, flow: str = "") -> Completion:
    """One provider, with its breaker and retries (no fallback)."""
    request = for_provider(spec, request)
    started = time.perf_counter()
    completion = _retried(spec, flow, started, lambda: _attempt(spec, request))
    elapsed = time.perf_counter() - started
    observe(spec, flow, elapsed, ok=True)
    return replace(completion, latency_ms=round(elapsed * 1000, 3))


def run_chain(chain: list[ProviderSpec], request: CompletionRequest, flow: str) -> Completion:
    """``request`` through each provider of ``chain`` in turn (breaker and retries each) until
    one answers; the last typed error when none did."""
    failed: list[str] = []
    last_error: LLMError | None = None
    for spec in chain:
        try:
            completion = call_provider(spec, request, flow=flow)
        except LLMError as exc:
            failed.append(spec.name)
            last_error = exc
            if len(failed) < len(chain):
                log_throttled(
                    logger,
                    logging.WARNING,
                    "Provider %s failed (%s); falling back",
                    spec.name,
                    exc.error_code,
                    key=f"fallback:{spec.name}:{exc.error_code}",
                )
            continue
        return replace(completion, fallbacks=tuple(failed))
    assert last_error is not None  # the chain is never empty
    raise last_error


def complete(
    *,
    messages: list[dict],
    provider: str | Provider | None = None,
    flow: str = "",
    tools: list[ToolSpec] | None = None,
    response_format: dict | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
) -> Completion:
    """A completion from ``provider`` (default: the default provider) or its fallback chain.

    Raises the last provider's typed error (LLMTimeoutError, LLMProviderError, LLMRateLimitError,
    LLMResponseError, CircuitOpenError, ProviderConfigError) when the whole chain failed.
    """
    request = completion_request(messages, tools, response_format, max_tokens, temperature)
    return run_chain(provider_chain(provider), request, flow)


def _close(stream: Iterator[Any]) -> None:
    """Close a client's stream (a generator: closing releases its HTTP response)."""
    close = getattr(stream, "close", None)
    if close is not None:
        close()


@dataclass
class _OpenStream:
    spec: ProviderSpec
    breaker: CircuitBreaker
    permit: Permit
    started: float
    first: StreamDelta | Completion
    rest: Iterator[StreamDelta | Completion]


@tracing.annotated("llm.call", count="llm.attempts")
def _open_stream_once(spec: ProviderSpec, request: CompletionRequest) -> _OpenStream:
    breaker = breaker_for(spec.name)
    permit = _acquire(spec, breaker)
    started = time.perf_counter()
    iterator = CLIENTS[spec.kind].stream(spec, request)
    try:
        first = next(iterator)
    except Exception as exc:
        _close(iterator)
        _settle(spec, breaker, permit, started, exc)
        raise
    except BaseException:
        _close(iterator)
        breaker.release(permit)
        count_attempt(spec, "cancelled")
        raise
    return _OpenStream(spec, breaker, permit, started, first, iterator)


@tracing.traced("llm.call", arguments=tracing.llm_stream_arguments, error=tracing.llm_error)
def _open_stream(spec: ProviderSpec, request: CompletionRequest, *, flow: str = "") -> _OpenStream:
    """Retries cover opening the stream up to its first item, never after it."""
    request = for_provider(spec, request)
    started = time.perf_counter()
    return _retried(spec, flow, started, lambda: _open_stream_once(spec, request))


def _drain(opened: _OpenStream, flow: str, failed: tuple[str, ...]):
    spec, breaker, permit = opened.spec, opened.breaker, opened.permit
    settled = False

    def finish(item: Completion) -> Completion:
        nonlocal settled
        elapsed = time.perf_counter() - opened.started
        breaker.record_success(permit, elapsed)
        settled = True
        count_attempt(spec, "ok")
        observe(spec, flow, elapsed, ok=True)  # after the breaker: a stats flush may write
        return replace(item, latency_ms=round(elapsed * 1000, 3), fallbacks=failed)

    try:
        if isinstance(opened.first, Completion):
            yield finish(opened.first)
            return
        yield opened.first
        for item in opened.rest:
            if isinstance(item, Completion):
                yield finish(item)
                return
            yield item
    except Exception as exc:
        if not settled:
            settled = True
            _settle(spec, breaker, permit, opened.started, exc)
            observe(spec, flow, time.perf_counter() - opened.started, ok=False)
        raise
    finally:
        _close(opened.rest)
        if not settled:  # the consumer stopped early
            breaker.release(permit)
            count_attempt(spec, "cancelled")


def stream_complete(
    *,
    messages: list[dict],
    provider: str | Provider | None = None,
    flow: str = "",
    tools: list[ToolSpec] | None = None,
    response_format: dict | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
) -> Iterator[StreamDelta | Completion]:
    """Streamed completion: text deltas, then the final :class:`Completion`.

    OpenAI-compatible and Anthropic upstreams stream server-sent events; the offline provider
    answers in one delta.
    Fallback happens only before the first delta: once text reached the caller, a failure
    raises instead of splicing another provider's answer onto it.
    """
    request = completion_request(messages, tools, response_format, max_tokens, temperature)
    chain = provider_chain(provider)
    return _stream_chain(chain, request, flow)


def _stream_chain(
    chain: list[ProviderSpec], request: CompletionRequest, flow: str
) -> Iterator[StreamDelta | Completion]:
    failed: list[str] = []
    last_error: LLMError | None = None
    for spec in chain:
        try:
            opened = _open_stream(spec, request, flow=flow)
        except LLMError as exc:
            failed.append(spec.name)
            last_error = exc
            continue
        yield from _drain(opened, flow, tuple(failed))
        return
    assert last_error is not None
    raise last_error


def provider_supports_tools(provider: str | Provider | None = None) -> bool:
    runtime = provider_runtime()
    name = provider.name if isinstance(provider, Provider) else provider or runtime.default
    spec = runtime.spec(name) if name else None
    return bool(spec and spec.supports_tools)


def list_models() -> list[dict]:
    """Enabled providers and the aliases that route to them, as OpenAI ``/v1/models`` entries
    (a provider's id is its name; an alias also names the provider it routes to)."""
    runtime = provider_runtime()
    specs = [s for s in runtime.by_name.values() if s.enabled]
    if not runtime.by_name:
        default = runtime.spec(runtime.default) if runtime.default else None
        specs = [default] if default is not None else []
    entries = [
        {"id": s.name, "object": "model", "created": s.created, "owned_by": s.kind}
        for s in specs
        if s is not None
    ]
    for alias, target in runtime.aliases.items():
        spec = runtime.by_name.get(target)
        if spec is not None and spec.enabled:
            entries.append(
                {
                    "id": alias,
                    "object": "model",
                    "created": spec.created,
                    "owned_by": spec.kind,
                    "provider": spec.name,
                }
            )
    return sorted(entries, key=lambda entry: entry["id"])


def model_get(model_id: str) -> dict | None:
    """One ``/v1/models`` entry (a provider or an alias; ``default`` / ``agenthub``: the
    default provider, named in ``provider``), or None when there is none."""
    if model_id in RESERVED_MODEL_NAMES:
        runtime = provider_runtime()
        spec = runtime.spec(runtime.default) if runtime.default else None
        if spec is None or not spec.enabled:
            return None
        return {
            "id": model_id,
            "object": "model",
            "created": spec.created,
            "owned_by": spec.kind,
            "provider": spec.name,
        }
    return next((entry for entry in list_models() if entry["id"] == model_id), None)


def model_provider(model_id: str) -> str | None:
    """The provider a model id routes to (its own name, or an alias's target); None when the
    id names no enabled provider and no alias of one. Reads the live snapshot only."""
    entry = model_get(model_id)
    if entry is None:
        return None
    return str(entry.get("provider", entry["id"]))


# --- operators ------------------------------------------------------------------------------

PROVIDER_FIELDS = (
    "name",
    "kind",
    "base_url",
    "model",
    "api_key_env",
    "connect_timeout",
    "read_timeout",
    "max_attempts",
    "backoff_initial",
    "backoff_max",
    "jitter",
    "retry_after_cap",
    "enabled",
    "is_default",
    "supports_tools",
)
BREAKER_FIELDS = (
    "mode",
    "failure_threshold",
    "failure_rate_threshold",
    "window_size",
    "minimum_calls",
    "slow_call_duration",
    "slow_call_rate_threshold",
    "open_duration",
    "half_open_max_calls",
    "count_timeouts",
    "count_5xx",
    "count_429",
    "count_connect",
    "count_bad_response",
)


@transaction.atomic
def model_alias_create(*, name: str, provider: Provider) -> ModelAlias:
    """Route the model name ``name`` to ``provider`` (live in every process within
    LIVE_CONFIG_CHECK_INTERVAL)."""
    alias = ModelAlias(name=name, provider=provider)
    alias.full_clean()
    alias.save()
    providers_changed()
    return alias


@transaction.atomic
def model_alias_update(*, alias: ModelAlias, **fields: Any) -> ModelAlias:
    """Rename an alias or point it at another provider (``name``, ``provider``)."""
    unknown = set(fields) - {"name", "provider"}
    if unknown:
        raise ValueError(f"unknown alias fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(alias, name, value)
    return model_alias_save(alias=alias)


@transaction.atomic
def model_alias_save(*, alias: ModelAlias) -> ModelAlias:
    """Save an already-edited alias (the admin form)."""
    alias.full_clean()
    alias.save()
    providers_changed()
    return alias


@transaction.atomic
def model_alias_delete(*, alias: ModelAlias) -> None:
    alias.delete()
    providers_changed()


def providers_changed() -> None:
    """Every process rebuilds its provider snapshot within LIVE_CONFIG_CHECK_INTERVAL."""
    bump_version(LIVE_NAMESPACE)


def _set_api_key(provider: Provider, api_key: str | None) -> None:
    """``None`` keeps the stored key, ``""`` removes it, anything else replaces it (encrypted)."""
    if api_key is None:
        return
    provider.api_key_ciphertext = encrypt_secret(api_key) if api_key else ""


def _save_provider(provider: Provider) -> Provider:
    if provider.is_default:
        # One default at most: taking it over unsets the previous one.
        Provider.objects.filter(is_default=True).exclude(pk=provider.pk).update(is_default=False)
    provider.full_clean()
    provider.save()
    remember_key_env(provider.api_key_env)
    return provider


def _save_breaker(provider: Provider, values: dict[str, Any] | None) -> BreakerConfig:
    config = BreakerConfig.objects.filter(provider=provider).first() or BreakerConfig(
        provider=provider
    )
    for field, value in (values or {}).items():
        if field not in BREAKER_FIELDS:
            raise ValueError(f"unknown breaker field {field!r}")
        setattr(config, field, value)
    config.full_clean()
    config.save()
    return config


def _set_fallbacks(provider: Provider, names: list[str]) -> None:
    from django.core.exceptions import ValidationError

    ProviderFallback.objects.filter(provider=provider).delete()
    found = {p.name: p for p in Provider.objects.filter(name__in=names)}
    errors = []
    seen: set[str] = set()
    for position, name in enumerate(names):
        if name not in found:
            errors.append(f"Unknown provider '{name}'.")
        elif name == provider.name:
            errors.append("A provider cannot fall back to itself.")
        elif name in seen:
            errors.append(f"'{name}' is listed twice.")
        else:
            seen.add(name)
            link = ProviderFallback(provider=provider, fallback=found[name], position=position)
            link.full_clean()
            link.save()
    if errors:
        raise ValidationError({"fallbacks": errors})


@transaction.atomic
def provider_create(
    *,
    breaker: dict[str, Any] | None = None,
    fallbacks: list[str] | None = None,
    api_key: str | None = None,
    **fields: Any,
) -> Provider:
    """Register a provider. ``api_key`` is stored encrypted and never returned."""
    unknown = set(fields) - set(PROVIDER_FIELDS)
    if unknown:
        raise ValueError(f"unknown provider fields: {sorted(unknown)}")
    provider = Provider(**fields)
    _set_api_key(provider, api_key)
    provider = _save_provider(provider)
    _save_breaker(provider, breaker)
    _set_fallbacks(provider, list(fallbacks or ()))
    providers_changed()
    return provider


@transaction.atomic
def provider_update(
    *,
    provider: Provider,
    breaker: dict[str, Any] | None = None,
    fallbacks: list[str] | None = None,
    api_key: str | None = None,
    **fields: Any,
) -> Provider:
    """Change a provider; ``api_key``: None keeps the stored key, "" removes it. Live within
    LIVE_CONFIG_CHECK_INTERVAL in every process (no restart)."""
    unknown = set(fields) - set(PROVIDER_FIELDS)
    if unknown:
        raise ValueError(f"unknown provider fields: {sorted(unknown)}")
    for field, value in fields.items():
        setattr(provider, field, value)
    _set_api_key(provider, api_key)
    _save_provider(provider)
    if breaker is not None or not BreakerConfig.objects.filter(provider=provider).exists():
        _save_breaker(provider, breaker)
    if fallbacks is not None:
        _set_fallbacks(provider, list(fallbacks))
    providers_changed()
    return provider


@transaction.atomic
def provider_save(*, provider: Provider, api_key: str | None = None) -> Provider:
    """Save an already-edited provider (admin form), keeping one default at most.

    ``api_key`` as in :func:`provider_update`. The admin saves the breaker configuration and
    fallbacks (inlines) afterwards, then calls :func:`provider_related_saved`.
    """
    _set_api_key(provider, api_key)
    _save_provider(provider)
    providers_changed()
    return provider


@transaction.atomic
def provider_related_saved(*, provider: Provider) -> None:
    """After the admin's inlines: a breaker configuration always exists; changes go live."""
    if not BreakerConfig.objects.filter(provider=provider).exists():
        _save_breaker(provider, None)
    providers_changed()


def provider_seed_defaults() -> bool:
    """The built-in offline provider (the default when there is no other), idempotent: an
    existing one keeps the operator's edits and only gets a missing breaker configuration.
    Returns whether it was created."""
    provider = Provider.objects.filter(name=BUILTIN_OFFLINE_NAME).first()
    if provider is not None:
        if not BreakerConfig.objects.filter(provider=provider).exists():
            provider_related_saved(provider=provider)
        return False
    provider_create(
        name=BUILTIN_OFFLINE_NAME,
        kind=ProviderKind.OFFLINE,
        model=OFFLINE_MODEL,
        is_default=not Provider.objects.filter(is_default=True).exists(),
        max_attempts=1,
    )
    return True


@transaction.atomic
def provider_delete(*, provider: Provider) -> None:
    """Remove a provider (its fallback links go with it; its breaker events stay, unlinked)."""
    provider.delete()
    providers_changed()


def _actor_label(actor: str) -> str:
    return (actor or "operator")[:150]


def breaker_snapshot(*, provider: Provider | str) -> BreakerSnapshot:
    name = provider.name if isinstance(provider, Provider) else provider
    return breaker_for(name).snapshot()


def breaker_reset(*, provider: Provider, actor: str) -> BreakerSnapshot:
    """Close the breaker (empty window, automatic mode) across every process."""
    breaker = breaker_for(provider.name)
    breaker.reset(actor=_actor_label(actor))
    return breaker.snapshot()


def breaker_force_open(*, provider: Provider, actor: str) -> BreakerSnapshot:
    breaker = breaker_for(provider.name)
    breaker.force_open(actor=_actor_label(actor))
    return breaker.snapshot()


def breaker_disable(*, provider: Provider, actor: str) -> BreakerSnapshot:
    """Let every call through (still measured) until reset."""
    breaker = breaker_for(provider.name)
    breaker.disable(actor=_actor_label(actor))
    return breaker.snapshot()


@dataclass(frozen=True)
class ConnectionTestResult:
    ok: bool
    provider: str
    latency_ms: float
    model: str = ""
    reply: str = ""
    error: LLMError | None = None

    @property
    def error_code(self) -> str:
        return self.error.error_code if self.error is not None else ""

    @property
    def error_message(self) -> str:
        return str(self.error.detail) if self.error is not None else ""


TEST_PROMPT = [{"role": "user", "content": "Reply with the single word: pong"}]


def provider_test_connection(*, provider: Provider) -> ConnectionTestResult:
    """A tiny completion through the full resilient path of this provider (breaker, retries,
    pooled client, parsing) without falling back, so the answer is about this provider only."""
    runtime = provider_runtime()
    spec = runtime.spec(provider.name)
    if spec is None:  # saved in this very request: the snapshot is rebuilt on the next read
        from apps.providers.selectors import spec_from_provider

        spec = spec_from_provider(provider)
    request = CompletionRequest(messages=list(TEST_PROMPT), max_tokens=8)
    started = time.perf_counter()
    try:
        completion = call_provider(spec, request, flow="provider_test")
    except LLMError as exc:
        return ConnectionTestResult(
            ok=False,
            provider=provider.name,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            error=exc,
        )
    return ConnectionTestResult(
        ok=True,
        provider=provider.name,
        latency_ms=completion.latency_ms,
        model=completion.model,
        reply=completion.text[:200],
    )


def provider_api_key_source(*, provider: Provider) -> str:
    """Where the provider's key comes from: "stored" (encrypted in the database), "environment"
    (a set variable) or "none". Never the key itself."""
    if provider.api_key_ciphertext:
        return "stored"
    if provider.api_key_env and os.environ.get(provider.api_key_env):
        return "environment"
    return "none"


def provider_api_key_is_set(*, provider: Provider) -> bool:
    return provider_api_key_source(provider=provider) != "none"


def configured_key_values() -> list[str]:
    """Values of the key variables the registry names and the stored keys this process
    decrypted (a secret source for redaction).

    Reads only what this process already loaded, never the database: it runs inside logging.
    """
    from_env = [os.environ[n] for n in sorted(known_key_env_names()) if os.environ.get(n)]
    return [*from_env, *sorted(known_stored_keys())]


@transaction.atomic
def provider_secrets_rotate() -> int:
    """Re-encrypt every stored key with the newest encryption key (all or nothing: a key that no
    configured encryption key decrypts raises SecretDecryptionError and changes nothing)."""
    rotated = 0
    for provider in Provider.objects.select_for_update().exclude(api_key_ciphertext=""):
        provider.api_key_ciphertext = rotate_token(provider.api_key_ciphertext)
        provider.save(update_fields=["api_key_ciphertext", "updated_at"])
        rotated += 1
    if rotated:
        providers_changed()
    return rotated
