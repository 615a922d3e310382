"""Providers for tests, created through the services (as operators would)."""

from __future__ import annotations

from typing import Any

from apps.providers.models import Provider, ProviderKind
from apps.providers.selectors import live_providers
from apps.providers.services import provider_create

FAST_RETRIES = {"backoff_initial": 0.01, "backoff_max": 0.05, "jitter": 0.0}


def make_provider(
    name: str,
    *,
    base_url: str = "",
    kind: str = ProviderKind.OPENAI_COMPATIBLE,
    breaker: dict[str, Any] | None = None,
    fallbacks: list[str] | None = None,
    **fields: Any,
) -> Provider:
    values = {"model": "fakellm-1", **FAST_RETRIES, **fields}
    if kind == ProviderKind.OFFLINE:
        values.setdefault("max_attempts", 1)
    provider = provider_create(
        name=name, kind=kind, base_url=base_url, breaker=breaker, fallbacks=fallbacks, **values
    )
    # Test transactions never commit, so the on-commit version bump never runs: drop the
    # snapshot by hand (what the bump does in every process).
    live_providers.invalidate()
    return provider
