from __future__ import annotations

from django.db import models
from django.utils import timezone

# Live-config namespace bumped whenever a key or tenant changes (see selectors.api_key_from_raw).
API_KEYS_NAMESPACE = "api-keys"


class Tenant(models.Model):
    """A customer of the gateway. Every tenant-owned object points here and is scoped by it."""

    name = models.SlugField(max_length=64, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name or self.name


class ApiKey(models.Model):
    """A tenant's API key. Only a SHA-256 hash of the secret is stored; the prefix is public.

    The full key (``ah_<prefix>_<secret>``) is shown once, when it is created.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    is_operator = models.BooleanField(
        default=False, help_text="May use operator endpoints (policies, providers, audit)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix} ({self.tenant.name}{', operator' if self.is_operator else ''})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired and self.tenant.is_active
