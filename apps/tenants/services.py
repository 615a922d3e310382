from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.core.live_config import bump_version
from apps.tenants.keys import generate_key
from apps.tenants.models import (
    API_KEYS_NAMESPACE,
    RATE_LIMITS_NAMESPACE,
    ApiKey,
    RateLimit,
    Tenant,
)


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKey
    plaintext: str  # shown once, never stored


def tenant_get_or_create(*, name: str, display_name: str = "") -> Tenant:
    tenant, created = Tenant.objects.get_or_create(
        name=name, defaults={"display_name": display_name}
    )
    if created:
        tenant.full_clean()
    return tenant


@transaction.atomic
def api_key_create(
    *,
    tenant: Tenant,
    name: str = "",
    is_operator: bool = False,
    is_auditor: bool = False,
    expires_at: datetime | None = None,
    is_platform_admin: bool = False,
) -> CreatedApiKey:
    generated = generate_key()
    api_key = ApiKey(
        tenant=tenant,
        name=name,
        prefix=generated.prefix,
        secret_hash=generated.secret_hash,
        is_operator=is_operator,
        is_auditor=is_auditor,
        is_platform_admin=is_platform_admin,
        expires_at=expires_at,
    )
    api_key.full_clean()
    api_key.save()
    return CreatedApiKey(api_key=api_key, plaintext=generated.plaintext)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        bump_version(API_KEYS_NAMESPACE)
    return api_key


@transaction.atomic
def api_key_save(*, api_key: ApiKey) -> ApiKey:
    """Save an edited key (name, operator flag, expiry); cached copies are dropped everywhere."""
    api_key.full_clean()
    api_key.save()
    bump_version(API_KEYS_NAMESPACE)
    return api_key


@transaction.atomic
def tenant_save(*, tenant: Tenant) -> Tenant:
    """Save an edited tenant; disabling it takes its keys out of service in every process."""
    tenant.full_clean()
    tenant.save()
    bump_version(API_KEYS_NAMESPACE)
    return tenant


@transaction.atomic
def tenant_delete(*, tenant: Tenant) -> None:
    """Delete a tenant with its keys and rate limits; cached copies are dropped everywhere.

    Without the bumps, its deleted keys would keep authenticating from the per-process caches.
    """
    tenant.delete()
    bump_version(API_KEYS_NAMESPACE)
    bump_version(RATE_LIMITS_NAMESPACE)


def api_key_touch(*, api_key: ApiKey, resolution_seconds: int) -> None:
    """Record use, at most once per ``resolution_seconds``, to keep writes off the hot path."""
    now = timezone.now()
    last = api_key.last_used_at
    if last is None or (now - last).total_seconds() >= resolution_seconds:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


@transaction.atomic
def rate_limit_save(*, rule: RateLimit) -> RateLimit:
    rule.full_clean()
    rule.save()
    bump_version(RATE_LIMITS_NAMESPACE)
    return rule


@transaction.atomic
def rate_limit_delete(*, rule: RateLimit) -> None:
    rule.delete()
    bump_version(RATE_LIMITS_NAMESPACE)
