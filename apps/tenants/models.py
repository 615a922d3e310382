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
        default=False,
        help_text="Tenant operator: may manage its tenant's keys, policies and rate limits and "
        "read its audit trail.",
    )
    is_platform_admin = models.BooleanField(
        default=False,
        help_text="Platform administrator: may change the global provider registry, its secrets "
        "and the breakers of shared providers. Only superusers grant it.",
    )
    is_auditor = models.BooleanField(
        default=False,
        help_text="May read operator endpoints (audit trail, policies, breakers); changes nothing.",
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


RATE_LIMITS_NAMESPACE = "rate-limits"


class RateLimit(models.Model):
    """Requests per minute allowed for one scope. The most specific enabled rule wins:
    a key's own rule, then its tenant's, then the global rule (no tenant, no key) for the scope.
    """

    class Scope(models.TextChoices):
        API_KEY = "api_key", "per API key"
        TENANT = "tenant", "per tenant"
        CLIENT_IP = "client_ip", "per client IP"

    scope = models.CharField(max_length=16, choices=Scope.choices)
    tenant = models.ForeignKey(
        Tenant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rate_limits",
        help_text="Empty: the default for every tenant.",
    )
    api_key = models.ForeignKey(
        ApiKey,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rate_limits",
        help_text="Only for the per-API-key scope: this key's own limit.",
    )
    requests_per_minute = models.PositiveIntegerField()
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scope", "tenant__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "tenant", "api_key"],
                name="unique_rate_limit_target",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(requests_per_minute__gte=1)
                & models.Q(requests_per_minute__lte=1_000_000),
                name="rate_limit_sane_rate",
            ),
        ]

    def __str__(self) -> str:
        target = self.api_key or self.tenant or "everyone"
        return f"{self.get_scope_display()}: {self.requests_per_minute}/min ({target})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.api_key_id and self.scope != self.Scope.API_KEY:
            raise ValidationError(
                {"api_key": "A key-specific rule must use the per-API-key scope."}
            )
        if self.api_key and self.tenant_id and self.api_key.tenant_id != self.tenant_id:
            raise ValidationError({"api_key": "This key belongs to another tenant."})
        if self.scope == self.Scope.CLIENT_IP and self.tenant_id:
            raise ValidationError({"tenant": "Per-IP limits apply to every tenant."})
