"""Reads of the provider registry. The hot path reads :func:`provider_runtime` (a per-process
snapshot rebuilt when the "providers" live-config namespace moves), never the tables."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings as django_settings
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from apps.core.crypto import SecretDecryptionError, decrypt_secret
from apps.core.live_config import LiveCache
from apps.providers.breaker.config import BreakerSettings
from apps.providers.clients.base import ProviderSpec
from apps.providers.clients.offline import OFFLINE_MODEL
from apps.providers.exceptions import ProviderConfigError
from apps.providers.models import (
    BreakerConfig,
    ModelAlias,
    Provider,
    ProviderFallback,
    ProviderKind,
)

logger = logging.getLogger(__name__)

LIVE_NAMESPACE = "providers"
BUILTIN_OFFLINE_NAME = "offline"

# Used when the registry is empty (before ``bootstrap``): the embedded default still answers.
BUILTIN_OFFLINE = ProviderSpec(
    id=0,
    name=BUILTIN_OFFLINE_NAME,
    kind=ProviderKind.OFFLINE,
    base_url="",
    model=OFFLINE_MODEL,
    api_key_env="",
    connect_timeout=1.0,
    read_timeout=1.0,
    max_attempts=1,
    backoff_initial=0.0,
    backoff_max=0.0,
    jitter=0.0,
    retry_after_cap=0.0,
    enabled=True,
    is_default=True,
    supports_tools=True,
)
DEFAULT_BREAKER_SETTINGS = BreakerSettings()

# Names (never values) of the key variables this process has seen in the registry; the secret
# source registered for redaction reads their values from the environment.
_key_env_names: set[str] = set()


# Decrypted stored keys this process has loaded (for redaction, which must not read the database).
_stored_key_values: set[str] = set()


def remember_key_env(name: str) -> None:
    if name:
        _key_env_names.add(name)


def known_key_env_names() -> frozenset[str]:
    return frozenset(_key_env_names)


def known_stored_keys() -> frozenset[str]:
    return frozenset(_stored_key_values)


def stored_api_key(provider: Provider) -> tuple[str, bool]:
    """The provider's decrypted stored key ("" when none) and whether decryption failed."""
    if not provider.api_key_ciphertext:
        return "", False
    try:
        value = decrypt_secret(provider.api_key_ciphertext)
    except SecretDecryptionError:
        logger.error(
            "Provider %s: its stored API key cannot be decrypted with SECRETS_ENCRYPTION_KEYS",
            provider.name,
        )
        return "", True
    _stored_key_values.add(value)
    return value, False


@dataclass(frozen=True)
class ProvidersRuntime:
    by_name: dict[str, ProviderSpec]
    breaker_settings: dict[str, BreakerSettings]
    default: str  # name of the provider used when a call names none
    aliases: dict[str, str] = field(default_factory=dict)  # model alias -> provider name

    def spec(self, name: str) -> ProviderSpec | None:
        spec = self.by_name.get(name)
        if spec is None and name == BUILTIN_OFFLINE_NAME:
            return BUILTIN_OFFLINE
        return spec

    def settings_for(self, name: str) -> BreakerSettings:
        return self.breaker_settings.get(name, DEFAULT_BREAKER_SETTINGS)


def spec_from_provider(provider: Provider, fallbacks: tuple[str, ...] = ()) -> ProviderSpec:
    config = breaker_config_of(provider)
    counts = {}
    if config is not None:
        counts = {
            "count_timeouts": config.count_timeouts,
            "count_5xx": config.count_5xx,
            "count_429": config.count_429,
            "count_connect": config.count_connect,
            "count_bad_response": config.count_bad_response,
        }
    api_key, api_key_broken = stored_api_key(provider)
    return ProviderSpec(
        id=provider.pk,
        name=provider.name,
        kind=provider.kind,
        base_url=provider.base_url,
        model=provider.model or (OFFLINE_MODEL if provider.kind == ProviderKind.OFFLINE else ""),
        api_key_env=provider.api_key_env,
        connect_timeout=provider.connect_timeout,
        read_timeout=provider.read_timeout,
        max_attempts=provider.max_attempts,
        backoff_initial=provider.backoff_initial,
        backoff_max=provider.backoff_max,
        jitter=provider.jitter,
        retry_after_cap=provider.retry_after_cap,
        enabled=provider.enabled,
        is_default=provider.is_default,
        supports_tools=provider.supports_tools,
        fallbacks=fallbacks,
        created=int(provider.created_at.timestamp()) if provider.created_at else 0,
        api_key=api_key,
        api_key_broken=api_key_broken,
        **counts,
    )


def _build_runtime() -> ProvidersRuntime:
    by_name: dict[str, ProviderSpec] = {}
    settings: dict[str, BreakerSettings] = {}
    for provider in provider_list():
        chain = tuple(link.fallback.name for link in provider.fallback_links.all())
        by_name[provider.name] = spec_from_provider(provider, chain)
        remember_key_env(provider.api_key_env)
        config = breaker_config_of(provider)
        if config is not None:
            settings[provider.name] = config.to_settings()
    default = next((s.name for s in by_name.values() if s.is_default and s.enabled), None)
    if default is None:
        default = _implicit_default(by_name)
    aliases = dict(ModelAlias.objects.values_list("name", "provider__name"))
    return ProvidersRuntime(
        by_name=by_name,
        breaker_settings=settings,
        default=default,
        aliases=aliases,
    )


def _implicit_default(by_name: dict[str, ProviderSpec]) -> str:
    """The provider used when no enabled provider is the default: the built-in offline one
    stands in only where it cannot hide a real one (an empty registry, the embedded default,
    or DJANGO_ENV=development). Otherwise none: a call naming no model is a 503
    ``provider_misconfigured`` instead of a silent offline answer."""
    offline = by_name.get(BUILTIN_OFFLINE_NAME)
    if offline is not None and not offline.enabled:
        return ""
    real = any(s.enabled and s.kind != ProviderKind.OFFLINE for s in by_name.values())
    if real and django_settings.DJANGO_ENV != "development":
        return ""
    return BUILTIN_OFFLINE_NAME


live_providers: LiveCache[ProvidersRuntime] = LiveCache(LIVE_NAMESPACE, _build_runtime)


def provider_runtime() -> ProvidersRuntime:
    return live_providers.get()


def provider_chain(provider: str | Provider | None) -> list[ProviderSpec]:
    """The enabled providers to try, in order: the named (or default) one, then its fallbacks."""
    runtime = provider_runtime()
    if isinstance(provider, Provider):
        provider = provider.name
    name = provider or runtime.default
    if not name:
        raise ProviderConfigError("No default provider is configured and enabled.")
    primary = runtime.spec(name)
    if primary is None:
        raise ProviderConfigError(f"Unknown provider '{name}'.", provider=name)
    chain: list[ProviderSpec] = []
    seen: set[str] = set()
    for candidate in (primary.name, *primary.fallbacks):
        spec = runtime.spec(candidate)
        if spec is not None and spec.enabled and spec.name not in seen:
            seen.add(spec.name)
            chain.append(spec)
    if not chain:
        raise ProviderConfigError(
            f"Provider '{name}' is disabled and has no enabled fallback.", provider=name
        )
    return chain


def provider_list() -> QuerySet[Provider]:
    return Provider.objects.select_related("breaker_config").prefetch_related(
        Prefetch(
            "fallback_links",
            queryset=ProviderFallback.objects.select_related("fallback").order_by("position", "id"),
        )
    )


def model_alias_list() -> QuerySet[ModelAlias]:
    return ModelAlias.objects.select_related("provider").order_by("name")


def model_alias_get(*, alias_id: int) -> ModelAlias:
    return get_object_or_404(model_alias_list(), pk=alias_id)


def provider_get(*, provider_id: int) -> Provider:
    return get_object_or_404(provider_list(), pk=provider_id)


def breaker_config_of(provider: Provider) -> BreakerConfig | None:
    try:
        return provider.breaker_config
    except BreakerConfig.DoesNotExist:
        return None


def call_stats_since(since: datetime) -> list[dict]:
    """Requests, error rate (%), p95 latency, and upstream attempts (retries counted) per
    provider since ``since`` (dashboard)."""
    from apps.providers.models import ProviderCallStat

    totals: dict[str, dict] = {}
    rows = ProviderCallStat.objects.filter(minute__gte=since).values_list(
        "provider", "calls", "errors", "buckets", "attempts", "failed_attempts"
    )
    for provider, calls, errors, buckets, attempts, failed_attempts in rows:
        entry = totals.setdefault(
            provider,
            {"calls": 0, "errors": 0, "buckets": None, "attempts": 0, "failed_attempts": 0},
        )
        entry["calls"] += calls
        entry["errors"] += errors
        entry["attempts"] += attempts
        entry["failed_attempts"] += failed_attempts
        if entry["buckets"] is None:
            entry["buckets"] = list(buckets)
        elif len(buckets) == len(entry["buckets"]):
            entry["buckets"] = [a + b for a, b in zip(entry["buckets"], buckets, strict=True)]
    result = []
    for provider, entry in sorted(totals.items()):
        calls = entry["calls"]
        result.append(
            {
                "provider": provider,
                "calls": calls,
                "errors": entry["errors"],
                "error_rate": 100.0 * entry["errors"] / calls if calls else 0.0,
                "p95_seconds": _quantile_from_buckets(entry["buckets"] or [], 0.95),
                "attempts": entry["attempts"],
                "failed_attempts": entry["failed_attempts"],
            }
        )
    return result


def _quantile_from_buckets(buckets: list[int], q: float) -> float | None:
    """Upper bound of the bucket holding the q-quantile (as Prometheus' histogram_quantile
    would, without interpolation); None without calls, +inf past the last bound."""
    from apps.providers.metrics import LLM_DURATION_BUCKETS

    total = sum(buckets)
    if not total:
        return None
    rank = q * total
    seen = 0
    for index, count in enumerate(buckets):
        seen += count
        if seen >= rank:
            return (
                float(LLM_DURATION_BUCKETS[index])
                if index < len(LLM_DURATION_BUCKETS)
                else float("inf")
            )
    return float("inf")
