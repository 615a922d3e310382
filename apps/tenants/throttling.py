"""DRF throttle: per API key, per tenant and per client IP, with live limits from the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from apps.core.http import client_ip
from apps.core.live_config import LiveCache
from apps.core.ratelimit import RateDecision, limiter
from apps.tenants.authentication import ApiKeyPrincipal
from apps.tenants.metrics import rate_limited_total
from apps.tenants.models import RATE_LIMITS_NAMESPACE, RateLimit

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request
    from rest_framework.views import APIView


@dataclass(frozen=True)
class RateTable:
    defaults: dict[str, int]  # scope -> limit for everyone
    by_tenant: dict[tuple[str, int], int]  # (scope, tenant id) -> limit
    by_key: dict[int, int]  # api key id -> limit

    def limit_for(self, scope: str, *, tenant_id: int | None, key_id: int | None) -> int | None:
        if key_id is not None and scope == RateLimit.Scope.API_KEY and key_id in self.by_key:
            return self.by_key[key_id]
        if tenant_id is not None and (scope, tenant_id) in self.by_tenant:
            return self.by_tenant[(scope, tenant_id)]
        return self.defaults.get(scope)


def _build_table() -> RateTable:
    defaults = dict(settings.RATE_LIMIT_DEFAULTS)
    by_tenant: dict[tuple[str, int], int] = {}
    by_key: dict[int, int] = {}
    for rule in RateLimit.objects.filter(enabled=True):
        if rule.api_key_id:
            by_key[rule.api_key_id] = rule.requests_per_minute
        elif rule.tenant_id:
            by_tenant[(rule.scope, rule.tenant_id)] = rule.requests_per_minute
        else:
            defaults[rule.scope] = rule.requests_per_minute
    return RateTable(defaults, by_tenant, by_key)


rate_table: LiveCache[RateTable] = LiveCache(RATE_LIMITS_NAMESPACE, _build_table)


class ApiRateThrottle(BaseThrottle):
    """Checks the key's, the tenant's and the client IP's limits; the first exhausted one wins."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        if not settings.RATE_LIMITS_ENABLED:
            return True
        scopes, buckets = rate_checks(request, request.user)
        # All scopes in one atomic step (one Redis round trip); the first exhausted one answers.
        self._wait = _refusal(limiter.hit_many(buckets), scopes)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


def rate_checks(
    request: HttpRequest | Request, user: object
) -> tuple[list[RateLimit.Scope], list[tuple[str, int]]]:
    """The scopes that have a limit for this request, and their (bucket, limit) pairs."""
    table = rate_table.get()
    tenant_id = key_id = None
    if isinstance(user, ApiKeyPrincipal):
        tenant_id, key_id = user.api_key.tenant_id, user.api_key.pk
    checks = [(RateLimit.Scope.CLIENT_IP, f"ip:{client_ip(request)}")]
    if key_id is not None:
        checks.append((RateLimit.Scope.API_KEY, f"key:{key_id}"))
        checks.append((RateLimit.Scope.TENANT, f"tenant:{tenant_id}"))
    scopes: list[RateLimit.Scope] = []
    buckets: list[tuple[str, int]] = []
    for scope, bucket in checks:
        limit = table.limit_for(scope, tenant_id=tenant_id, key_id=key_id)
        if limit is not None:
            scopes.append(scope)
            buckets.append((bucket, limit))
    return scopes, buckets


def _refusal(decision: RateDecision, scopes: list[RateLimit.Scope]) -> float | None:
    if decision.allowed:
        return None
    scope = scopes[decision.denied_index or 0]
    rate_limited_total.labels(scope=scope.value).inc()
    return decision.retry_after


async def athrottle(request: HttpRequest, user: ApiKeyPrincipal) -> None:
    """The same limits on the event loop (``redis.asyncio``, same script and keys): raises
    DRF's Throttled (429 ``rate_limited`` with ``Retry-After``) when a scope is exhausted."""
    if not settings.RATE_LIMITS_ENABLED:
        return
    scopes, buckets = rate_checks(request, user)
    wait = _refusal(await limiter.ahit_many(buckets), scopes)
    if wait is not None:
        raise Throttled(wait=wait)
