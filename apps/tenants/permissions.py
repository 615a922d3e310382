from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

from apps.tenants.authentication import ApiKeyPrincipal


class IsTenantKey(BasePermission):
    """Any valid tenant API key."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, ApiKeyPrincipal)


class IsOperatorKey(BasePermission):
    """A tenant operator key (``--operator``): its tenant's keys, policies, rate limits, audit."""

    message = "This endpoint needs an operator API key."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, ApiKeyPrincipal) and request.user.is_operator


class IsOperatorOrAuditorReadOnly(BasePermission):
    """Operators read and change; auditor keys only read (GET/HEAD/OPTIONS)."""

    message = "This endpoint needs an operator API key (auditor keys may only read)."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not isinstance(user, ApiKeyPrincipal):
            return False
        if user.is_operator:
            return True
        return user.is_auditor and request.method in SAFE_METHODS


class IsPlatformAdminKey(BasePermission):
    """A platform administrator key (``--platform-admin``): the shared provider registry, its
    secrets and breakers. Tenant operators never pass: what they change must stay inside their
    own tenant."""

    message = "This endpoint needs a platform administrator API key."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, ApiKeyPrincipal) and request.user.is_platform_admin


class IsPlatformAdminOrOperatorReadOnly(BasePermission):
    """Platform administrators read and change; tenant operators and auditors only read."""

    message = "Changing this needs a platform administrator API key (operators may only read)."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not isinstance(user, ApiKeyPrincipal):
            return False
        if user.is_platform_admin:
            return True
        return (user.is_operator or user.is_auditor) and request.method in SAFE_METHODS
