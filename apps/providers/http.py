"""Pooled HTTP clients (one ``httpx.Client`` per provider per process) and HTTP error mapping.

The event loop's client (aiohttp) is ``async_http``; the status and body checks here serve both.

A client is keyed by the process id too, so a pre-forking server never shares sockets between
workers. When a provider's URL or timeouts change, the next call builds a new client; the old one
is closed once no call can still be using it (after a grace period).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
from django.core.exceptions import ValidationError

from apps.providers import egress
from apps.providers.exceptions import (
    LLMError,
    LLMProviderError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
    ProviderConfigError,
)
from apps.providers.models import validate_key_env_name

# One pool per provider per process serves every thread of a gthread worker (256 by default):
# - max_connections above the thread count, so a call never queues for a pooled connection
#   (queued requests wait at most the pool timeout, then fail; and httpcore re-scans its queue
#   against every connection on each release, which costs CPU under load);
# - keep-alive for as many, so a burst does not close and reopen connections (httpcore closes
#   idle ones as soon as the pool holds more connections than max_keepalive_connections).
# Idle connections still expire after keepalive_expiry.
POOL_LIMITS = httpx.Limits(
    max_connections=1024, max_keepalive_connections=1024, keepalive_expiry=30
)
_RETIRE_GRACE_SECONDS = 600.0


class UpstreamConnectError(LLMProviderError):
    """The upstream could not be reached, or dropped the connection before answering."""

    error_type = "connect_error"


class UpstreamStatusError(LLMProviderError):
    """The upstream answered an HTTP error status (other than 429)."""

    def __init__(self, message: str | None = None, *, upstream_status: int, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.upstream_status = upstream_status
        self.error_type = "upstream_5xx" if upstream_status >= 500 else "upstream_4xx"


class UpstreamErrorBody(LLMProviderError):
    """The upstream answered 200 with an ``{"error": ...}`` body instead of a completion."""

    error_type = "error_body"


@dataclass(frozen=True)
class _ClientKey:
    pid: int
    provider: str
    base_url: str
    connect_timeout: float
    read_timeout: float


_clients: dict[str, tuple[_ClientKey, httpx.Client]] = {}
_retired: list[tuple[float, httpx.Client]] = []
_lock = threading.Lock()


def no_cookies() -> http.cookiejar.CookieJar:
    """A cookie jar that keeps nothing. One pooled client serves every tenant: a cookie an
    upstream sets on one tenant's call (a session, a load balancer's affinity) must not ride
    along on the next tenant's -- and an LLM API needs none."""
    return http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def get_client(
    *, provider: str, base_url: str, connect_timeout: float, read_timeout: float
) -> httpx.Client:
    """The process's pooled client for ``provider``; rebuilt only when its settings change.

    Every call passes the outbound URL policy first (raises ProviderConfigError)."""
    check_egress(provider=provider, base_url=base_url)
    key = _ClientKey(os.getpid(), provider, base_url, connect_timeout, read_timeout)
    entry = _clients.get(provider)
    if entry is not None and entry[0] == key:
        return entry[1]
    with _lock:
        entry = _clients.get(provider)
        if entry is not None and entry[0] == key:
            return entry[1]
        if entry is not None and entry[0].pid == key.pid:
            _retired.append((time.monotonic(), entry[1]))
        client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            limits=POOL_LIMITS,
            follow_redirects=False,
            headers={"User-Agent": "AgentHub/1.0"},
            cookies=no_cookies(),
        )
        _clients[provider] = (key, client)
        _close_retired()
        return client


def _close_retired() -> None:
    now = time.monotonic()
    keep = []
    for retired_at, client in _retired:
        if now - retired_at > _RETIRE_GRACE_SECONDS:
            client.close()
        else:
            keep.append((retired_at, client))
    _retired[:] = keep


def close_all() -> None:
    """Close every pooled client of this process (tests, shutdown)."""
    with _lock:
        for _key, client in _clients.values():
            client.close()
        for _at, client in _retired:
            client.close()
        _clients.clear()
        _retired.clear()


def pooled_client_count() -> int:
    return len(_clients)


def provider_api_key(spec) -> str | None:
    """The key sent upstream: the provider's stored (decrypted) key, else its variable's value."""
    if spec.api_key_broken:
        raise ProviderConfigError(
            f"Provider '{spec.name}': its stored API key cannot be decrypted "
            "(SECRETS_ENCRYPTION_KEYS lost the key it was encrypted with).",
            provider=spec.name,
        )
    if spec.api_key:
        return spec.api_key
    return api_key_from_env(env_name=spec.api_key_env, provider=spec.name)


def check_egress(*, provider: str, base_url: str) -> None:
    """Refuse a call to a URL the outbound policy forbids (see ``egress``) before any byte of
    the request, or its key, leaves the process."""
    try:
        egress.check_url(base_url, resolve=True)
    except egress.EgressDenied as exc:
        raise ProviderConfigError(
            f"Provider '{provider}' may not be called: {exc}", provider=provider
        ) from None


def api_key_from_env(*, env_name: str, provider: str) -> str | None:
    """The key's value, read at call time. A named but missing variable is a config error whose
    message names the variable (never a value)."""
    if not env_name:
        return None
    try:  # again at call time: a provider saved before the rules were tightened stays harmless
        validate_key_env_name(env_name)
    except ValidationError:
        raise ProviderConfigError(
            f"Provider '{provider}' names {env_name}, which may not hold a provider key.",
            provider=provider,
        ) from None
    value = os.environ.get(env_name, "")
    if not value:
        raise ProviderConfigError(
            f"Provider '{provider}' needs its API key in the environment variable {env_name}, "
            "which is not set.",
            provider=provider,
        )
    return value


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def translate_transport_error(exc: httpx.HTTPError, *, provider: str) -> LLMError:
    """An httpx transport failure as a typed error (the message never includes request data)."""
    if isinstance(exc, httpx.TimeoutException):
        phase = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the answer",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a pooled connection",
        }.get(type(exc), "calling")
        return LLMTimeoutError(f"Provider '{provider}' timed out {phase}.", provider=provider)
    if isinstance(exc, httpx.ConnectError):
        return UpstreamConnectError(f"Provider '{provider}' is unreachable.", provider=provider)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return UpstreamConnectError(
            f"Provider '{provider}' dropped the connection.", provider=provider
        )
    return LLMProviderError(
        f"Provider '{provider}' call failed ({type(exc).__name__}).", provider=provider
    )


def raise_for_status(response: httpx.Response, *, provider: str) -> None:
    """Typed error for a non-2xx answer. The upstream's body is not echoed: it may quote the key."""
    check_status(response.status_code, response.headers.get("Retry-After"), provider=provider)


def check_status(status: int, retry_after: str | None, *, provider: str) -> None:
    """:func:`raise_for_status` from the status and the Retry-After header (any client)."""
    if status < 400:
        if status >= 300:
            raise UpstreamStatusError(
                f"Provider '{provider}' answered a redirect ({status}); check the base URL.",
                upstream_status=status,
                provider=provider,
            )
        return
    if status == 429:
        raise LLMRateLimitError(
            f"Provider '{provider}' is rate limiting requests (429).",
            retry_after=parse_retry_after(retry_after),
            provider=provider,
        )
    raise UpstreamStatusError(
        f"Provider '{provider}' answered HTTP {status}.", upstream_status=status, provider=provider
    )


def json_body(response: httpx.Response, *, provider: str) -> dict:
    """The answer's JSON object; HTML, invalid JSON or an error body become typed errors."""
    content_type = response.headers.get("Content-Type", "")
    return parse_json_body(response.content, content_type, provider=provider)


def parse_json_body(content: bytes, content_type: str, *, provider: str) -> dict:
    """:func:`json_body` from the raw body and its Content-Type (any client)."""
    if content_type.split(";")[0].strip().lower() in {"text/html", "application/xhtml+xml"}:
        raise LLMResponseError(
            f"Provider '{provider}' answered an HTML page instead of JSON; check the base URL.",
            provider=provider,
        )
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LLMResponseError(
            f"Provider '{provider}' answered invalid JSON.", provider=provider
        ) from exc
    if not isinstance(data, dict):
        raise LLMResponseError(
            f"Provider '{provider}' answered JSON that is not an object.", provider=provider
        )
    raise_for_error_body(data, provider=provider)
    return data


def raise_for_error_body(data: dict, *, provider: str) -> None:
    error = data.get("error")
    if error:
        kind = ""
        if isinstance(error, dict):
            kind = str(error.get("type") or error.get("code") or "")[:60]
        suffix = f" ({kind})" if kind.replace("_", "").isalnum() else ""
        raise UpstreamErrorBody(
            f"Provider '{provider}' answered with an error body{suffix}.", provider=provider
        )
