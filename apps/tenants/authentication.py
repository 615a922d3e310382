from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from apps.core.aio import run_blocking, submit_blocking
from apps.tenants.models import ApiKey, Tenant
from apps.tenants.selectors import NOT_CACHED, api_key_from_raw, api_key_from_raw_cached
from apps.tenants.services import api_key_touch


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """``request.user`` for API-key requests: the tenant and key, no Django user."""

    api_key: ApiKey

    is_authenticated = True
    is_anonymous = False

    @property
    def tenant(self) -> Tenant:
        return self.api_key.tenant

    @property
    def is_operator(self) -> bool:
        """A tenant operator (a platform administrator is one for its own tenant too)."""
        return self.api_key.is_operator or self.api_key.is_platform_admin

    @property
    def is_platform_admin(self) -> bool:
        return self.api_key.is_platform_admin

    @property
    def is_auditor(self) -> bool:
        return self.api_key.is_auditor

    def __str__(self) -> str:
        return f"api-key:{self.api_key.prefix}"


def principal_of(request: Request) -> ApiKeyPrincipal:
    """``request.user`` of a request ApiKeyAuthentication let in, typed as what it is (DRF's
    stubs can only say "a Django user or anonymous")."""
    user = request.user
    if not isinstance(user, ApiKeyPrincipal):
        raise exceptions.NotAuthenticated()
    return user


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer ah_<prefix>_<secret>``."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiKeyPrincipal, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not raw.strip():
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <api key>'.")
        principal = principal_for(api_key_from_raw(raw.strip()))
        api_key = principal.api_key
        api_key_touch(api_key=api_key, resolution_seconds=settings.API_KEY_LAST_USED_RESOLUTION)
        return principal, api_key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def principal_for(api_key: ApiKey | None) -> ApiKeyPrincipal:
    """The principal of a key that exists and may be used, else AuthenticationFailed."""
    if api_key is None:
        raise exceptions.AuthenticationFailed("Invalid API key.")
    if api_key.is_revoked:
        raise exceptions.AuthenticationFailed("This API key has been revoked.")
    if api_key.is_expired:
        raise exceptions.AuthenticationFailed("This API key has expired.")
    if not api_key.tenant.is_active:
        raise exceptions.AuthenticationFailed("This tenant is disabled.")
    return ApiKeyPrincipal(api_key)


def _touch_due(api_key: ApiKey) -> bool:
    last = api_key.last_used_at
    resolution = settings.API_KEY_LAST_USED_RESOLUTION
    return last is None or (timezone.now() - last).total_seconds() >= resolution


def _challenge(exc: exceptions.APIException) -> exceptions.APIException:
    """``exc`` with the ``WWW-Authenticate`` challenge the error response sends; the attribute
    is DRF's own convention (``APIView.handle_exception`` sets it the same way)."""
    setattr(exc, "auth_header", ApiKeyAuthentication.keyword)  # noqa: B010 (not in DRF's stubs)
    return exc


# Database lookups of keys this process has not seen yet, in flight, by raw token.
_lookups: dict[str, asyncio.Future[ApiKey | None]] = {}


async def _shared_lookup(raw: str) -> ApiKey | None:
    """One database lookup at a time per unknown key: the requests of a burst that carry a key
    this process has not seen yet (every request of a cold start's first turns) wait for the
    first one's answer -- or its 503 -- instead of each sending a query and taking a connection
    and a thread of the bounded pool. A waiter that is cancelled (its client left) leaves the
    lookup running for the others."""
    lookup = _lookups.get(raw)
    if lookup is None or lookup.get_loop() is not asyncio.get_running_loop():
        lookup = asyncio.ensure_future(run_blocking(api_key_from_raw, raw))
        _lookups[raw] = lookup
        lookup.add_done_callback(functools.partial(_forget_lookup, raw))
    return await asyncio.shield(lookup)


def _forget_lookup(raw: str, lookup: asyncio.Future[ApiKey | None]) -> None:
    if _lookups.get(raw) is lookup:
        del _lookups[raw]
    if not lookup.cancelled():
        lookup.exception()  # retrieved: a 503 nobody waited for any more is not "never retrieved"


async def aauthenticate(authorization: str) -> ApiKeyPrincipal:
    """``Authorization: Bearer <key>`` on the event loop. A key this process has seen costs no
    database read; an unknown one is looked up on the bounded pool (503 when the database does
    not answer in time). The ``last_used_at`` touch is written in the background."""
    if not authorization:
        raise _challenge(exceptions.NotAuthenticated())
    scheme, _, raw = authorization.partition(" ")
    raw = raw.strip()
    try:
        if scheme.lower() != ApiKeyAuthentication.keyword.lower() or not raw:
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <api key>'.")
        cached = api_key_from_raw_cached(raw)
        if cached is NOT_CACHED:
            cached = await _shared_lookup(raw)
        principal = principal_for(cached)
    except exceptions.AuthenticationFailed as exc:
        raise _challenge(exc) from None
    if _touch_due(principal.api_key):
        principal.api_key.last_used_at = timezone.now()  # one touch per resolution, not per call
        submit_blocking(
            api_key_touch,
            api_key=principal.api_key,
            resolution_seconds=0,
        )
    return principal
