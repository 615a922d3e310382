"""Who a request acts for: the principal that the guard, the audit trail and the flows carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.core.http import valid_client_ip
from apps.core.request_context import get_request_id


@dataclass(frozen=True)
class GuardContext:
    """Who and where a guarded text came from; recorded with a block.

    ``tenant`` is a ``tenants.Tenant`` (typed loosely: core sits below the tenants app)."""

    tenant: Any = None
    api_key_id: int | None = None
    request_id: str = ""
    client_ip: str = ""
    path: str = ""
    flow: str = ""
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: Any, *, flow: str = "") -> GuardContext:
        """From a DRF or Django request; tenant and key from an ``ApiKeyPrincipal`` user."""
        tenant = None
        api_key_id = None
        try:
            user = getattr(request, "user", None)
        except Exception:  # DRF authenticates lazily; a failure here is not ours to raise
            user = None
        if user is not None and hasattr(user, "api_key") and hasattr(user, "tenant"):
            tenant = user.tenant
            api_key_id = user.api_key.pk
        meta = getattr(request, "META", {}) or {}
        request_id = getattr(request, "request_id", "") or get_request_id()
        return cls(
            tenant=tenant,
            api_key_id=api_key_id,
            request_id="" if request_id == "-" else request_id,
            client_ip=(valid_client_ip(request) or "") if meta else "",
            path=getattr(request, "path", "") or "",
            flow=flow,
            user_agent=meta.get("HTTP_USER_AGENT", "") or "",
        )
