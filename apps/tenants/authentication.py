from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from apps.tenants.models import ApiKey, Tenant
from apps.tenants.selectors import api_key_from_raw
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
        return self.api_key.is_operator

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
        api_key = api_key_from_raw(raw.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if api_key.is_revoked:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if api_key.is_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        if not api_key.tenant.is_active:
            raise exceptions.AuthenticationFailed("This tenant is disabled.")
        api_key_touch(api_key=api_key, resolution_seconds=settings.API_KEY_LAST_USED_RESOLUTION)
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
