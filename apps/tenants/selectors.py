from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from rest_framework.exceptions import NotFound

from apps.tenants.keys import secret_matches, split_key
from apps.tenants.models import ApiKey, Tenant

M = TypeVar("M", bound=Model)


def api_key_from_raw(raw: str) -> ApiKey | None:
    """The key a raw bearer token names, if its secret matches (usable or not)."""
    parts = split_key(raw)
    if parts is None:
        return None
    prefix, secret = parts
    api_key = ApiKey.objects.select_related("tenant").filter(prefix=prefix).first()
    if api_key is None or not secret_matches(secret, api_key.secret_hash):
        return None
    return api_key


def scoped_get(queryset: QuerySet[M], *, tenant: Tenant, **lookup) -> M:
    """One object of ``tenant``; another tenant's object is a 404, never a leak."""
    obj = queryset.filter(tenant=tenant, **lookup).first()
    if obj is None:
        raise NotFound("No such object.")
    return obj


def api_keys_of_tenant(*, tenant: Tenant) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(tenant=tenant).order_by("-created_at")
