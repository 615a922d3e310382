"""HTTP helpers every app may use."""

from __future__ import annotations

import functools
import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request


def client_ip(request: HttpRequest | Request) -> str:
    """The platform's client address: REMOTE_ADDR, unless ``TRUSTED_PROXY_COUNT`` (N) is set.

    Behind N trusted proxies, each appends the address it received the request from to
    X-Forwarded-For, so the N-th entry from the right is what the outermost trusted proxy saw:
    the client. Entries further left are client-supplied and ignored. With fewer than N entries
    (or no header) it is REMOTE_ADDR, and "unknown" when that is empty too. Not validated.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if len(addresses) >= hops:
            return addresses[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def valid_client_ip(request: HttpRequest | Request) -> str | None:
    """:func:`client_ip` normalised, or None when it is not a valid IP address."""
    return _normalized_ip(client_ip(request))


@functools.lru_cache(maxsize=4096)
def _normalized_ip(address: str) -> str | None:
    # Cached: parsing and printing an address costs more than the rest of a request's context,
    # and a server sees the same few addresses again and again (its proxies, its clients).
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def wants_async(request: Request, payload: object) -> bool:
    """The client asks for a queued job: ``"async": true`` in the body or ``Prefer:
    respond-async`` (RFC 7240)."""
    if isinstance(payload, dict) and payload.get("async") is True:
        return True
    prefer = request.headers.get("Prefer", "")
    return any(part.strip().lower() == "respond-async" for part in prefer.split(","))
