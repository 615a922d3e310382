from __future__ import annotations

import enum
from typing import TypeVar

from django.db.models import Model, QuerySet
from rest_framework.exceptions import NotFound

from apps.core.live_config import LiveCache
from apps.tenants.keys import secret_matches, split_key
from apps.tenants.models import API_KEYS_NAMESPACE, ApiKey, Tenant

M = TypeVar("M", bound=Model)


# Keys seen by this process, by prefix. Emptied whenever any key or tenant changes anywhere
# (``API_KEYS_NAMESPACE`` is bumped by the services), so a revocation is in force in every
# process within LIVE_CONFIG_CHECK_INTERVAL, and the hot path does no database read.
_known_keys: LiveCache[dict[str, ApiKey]] = LiveCache(API_KEYS_NAMESPACE, dict)
_MAX_CACHED_KEYS = 10_000


def api_key_from_raw(raw: str) -> ApiKey | None:
    """The key a raw bearer token names, if its secret matches (usable or not)."""
    parts = split_key(raw)
    if parts is None:
        return None
    prefix, secret = parts
    known = _known_keys.get()
    api_key = known.get(prefix)
    if api_key is None:
        api_key = ApiKey.objects.select_related("tenant").filter(prefix=prefix).first()
        if api_key is None:
            return None
        if len(known) < _MAX_CACHED_KEYS:
            known[prefix] = api_key
    if not secret_matches(secret, api_key.secret_hash):
        return None
    return api_key


class _NotCached(enum.Enum):
    NOT_CACHED = "not cached"


NOT_CACHED = _NotCached.NOT_CACHED  # a sentinel its own type, so callers narrow it away


def api_key_from_raw_cached(raw: str) -> ApiKey | None | _NotCached:
    """:func:`api_key_from_raw` without the database: the key when this process knows it,
    None when the token is malformed or its secret does not match, ``NOT_CACHED`` when only
    the database can tell (call :func:`api_key_from_raw` off the event loop then)."""
    parts = split_key(raw)
    if parts is None:
        return None
    prefix, secret = parts
    api_key = _known_keys.get().get(prefix)
    if api_key is None:
        return NOT_CACHED
    return api_key if secret_matches(secret, api_key.secret_hash) else None


def scoped_get(queryset: QuerySet[M], *, tenant: Tenant, **lookup) -> M:
    """One object of ``tenant``; another tenant's object is a 404, never a leak."""
    obj = queryset.filter(tenant=tenant, **lookup).first()
    if obj is None:
        raise NotFound("No such object.")
    return obj


def api_keys_of_tenant(*, tenant: Tenant) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(tenant=tenant).order_by("-created_at")
