from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

from apps.tenants.authentication import ApiKeyPrincipal


class IsTenantKey(BasePermission):
    """Any valid tenant API key."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, ApiKeyPrincipal)


class IsOperatorKey(BasePermission):
    """An API key created with ``--operator``: may change policies, providers, read the audit."""

    message = "This endpoint needs an operator API key."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, ApiKeyPrincipal) and request.user.is_operator
