"""Provider registry, its breaker configuration and the breaker event trail.

Providers are global platform configuration (not tenant-owned): only platform administrators
change them (tenant operators and auditors may read them). A provider's API key is either stored
encrypted (``api_key_ciphertext``, Fernet, see apps/core/crypto.py; write-only everywhere) or
named by ``api_key_env``, an environment variable matching PROVIDER_KEY_ENV_PATTERN.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from apps.providers.breaker.config import BreakerSettings, BreakerSettingsError, Mode
from apps.providers.egress import EgressDenied, check_url


def _non_finite(instance: models.Model) -> dict[str, str]:
    """NaN and infinity slip past min/max validators (every comparison is False)."""
    return {
        field.name: "Must be a finite number."
        for field in instance._meta.concrete_fields
        if isinstance(field, models.FloatField)
        and isinstance(getattr(instance, field.attname), float)
        and not math.isfinite(getattr(instance, field.attname))
    }


# Variables of the platform itself: naming one as a provider key would send its value (the
# Django secret key, database credentials...) to whatever base URL the provider points at.
_PLATFORM_ENV_NAMES = frozenset(
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "PATH",
        "HOME",
        "PWD",
        "USER",
        "SHELL",
    ]
)
_PLATFORM_ENV_PREFIXES = ("DJANGO_", "AGENTHUB_", "POSTGRES", "PG", "AWS_", "GOOGLE_APPLICATION")


def validate_key_env_name(value: str) -> None:
    """Only variables made for provider keys (PROVIDER_KEY_ENV_PATTERN, by default ``*_API_KEY``)
    and never one of the platform's own, whatever the pattern admits."""
    upper = value.upper()
    if upper in _PLATFORM_ENV_NAMES or upper.startswith(_PLATFORM_ENV_PREFIXES):
        raise ValidationError(
            "This variable belongs to the platform, not to a provider; use a dedicated one "
            "such as OPENAI_API_KEY.",
            code="platform_variable",
        )
    if not re.fullmatch(settings.PROVIDER_KEY_ENV_PATTERN, value):
        raise ValidationError(
            "Only variables made for provider keys may be named (they must match %(pattern)s, "
            "e.g. OPENAI_API_KEY); or store the key itself, encrypted.",
            code="not_a_key_variable",
            params={"pattern": settings.PROVIDER_KEY_ENV_PATTERN},
        )


def validate_egress(value: str) -> None:
    """The outbound URL policy (allow-list, no link-local/metadata); checked again per call."""
    if not value:
        return
    try:
        check_url(value)
    except EgressDenied as exc:
        raise ValidationError(str(exc), code="egress_denied") from None


class ProviderKind(models.TextChoices):
    OPENAI_COMPATIBLE = "openai_compatible", "OpenAI-compatible"
    ANTHROPIC = "anthropic", "Anthropic Messages API"
    OFFLINE = "offline", "Built-in offline (no network)"


class BreakerMode(models.TextChoices):
    AUTO = "auto", "Automatic"
    FORCED_OPEN = "forced_open", "Forced open"
    DISABLED = "disabled", "Disabled (always pass, still measured)"


_HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


def validate_base_url(value: str) -> None:
    """An http(s) URL with a host and no credentials, query or fragment.

    Django's URLValidator rejects single-label hosts (``http://vllm:8000/v1``) that are normal in
    container networks, so the check is explicit. Credentials in the URL are refused because the
    key belongs in an environment variable, never in the database.
    """
    if not value:
        return
    if any(ch.isspace() for ch in value) or len(value) > 500:
        raise ValidationError("Enter a valid http(s) URL.", code="invalid_url")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise ValidationError("Enter a valid http(s) URL.", code="invalid_url") from exc
    if parts.scheme not in {"http", "https"}:
        raise ValidationError("The base URL must start with http:// or https://.", code="scheme")
    if parts.username or parts.password:
        raise ValidationError(
            "Do not put credentials in the URL; store the key (it is encrypted) instead.",
            code="credentials",
        )
    host = parts.netloc.rsplit("@", 1)[-1]
    if port is not None or host.endswith(":"):
        host = host.rsplit(":", 1)[0]
    if not host or not _HOST_RE.match(host):
        raise ValidationError("Enter a valid http(s) URL with a host name.", code="invalid_url")
    if parts.query or parts.fragment:
        raise ValidationError("The base URL must not have a query or fragment.", code="query")


class Provider(models.Model):
    name = models.SlugField(max_length=64, unique=True, help_text="Routing name, e.g. openai.")
    kind = models.CharField(
        max_length=32, choices=ProviderKind.choices, default=ProviderKind.OPENAI_COMPATIBLE
    )
    base_url = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_base_url, validate_egress],
        help_text="e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (not for offline).",
    )
    model = models.CharField(max_length=200, blank=True)
    api_key_env = models.CharField(
        "API key environment variable",
        max_length=128,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z_][A-Za-z0-9_]*$",
                "Name of an environment variable (letters, digits, underscore), not the key.",
            ),
            validate_key_env_name,
        ],
        help_text="NAME of an environment variable that holds the key (e.g. OPENAI_API_KEY); "
        "a stored key wins over it.",
    )
    api_key_ciphertext = models.TextField(
        blank=True,
        editable=False,
        help_text="The provider's API key, Fernet-encrypted with SECRETS_ENCRYPTION_KEYS.",
    )
    connect_timeout = models.FloatField(
        default=5.0, validators=[MinValueValidator(0.05), MaxValueValidator(60.0)]
    )
    read_timeout = models.FloatField(
        default=60.0, validators=[MinValueValidator(0.1), MaxValueValidator(600.0)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Attempts per call including the first (1 = no retry).",
    )
    backoff_initial = models.FloatField(
        default=0.25, validators=[MinValueValidator(0.0), MaxValueValidator(30.0)]
    )
    backoff_max = models.FloatField(
        default=4.0, validators=[MinValueValidator(0.0), MaxValueValidator(120.0)]
    )
    jitter = models.FloatField(
        default=0.1,
        validators=[MinValueValidator(0.0), MaxValueValidator(10.0)],
        help_text="Up to this many seconds of random delay added to each backoff.",
    )
    retry_after_cap = models.FloatField(
        default=10.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(300.0)],
        help_text="A 429's Retry-After is honoured up to this many seconds; longer is not retried.",
    )
    enabled = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False, help_text="Used when a call names no provider.")
    supports_tools = models.BooleanField(default=True)
    fallbacks: models.ManyToManyField[Provider, ProviderFallback] = models.ManyToManyField(
        "self",
        through="ProviderFallback",
        through_fields=("provider", "fallback"),
        symmetrical=False,
        related_name="+",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="providers_one_default",
                violation_error_message="Another provider is already the default.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = _non_finite(self)
        if errors:
            raise ValidationError(errors)
        if self.kind != ProviderKind.OFFLINE:
            if not self.base_url:
                errors["base_url"] = "A base URL is required for this kind of provider."
            if not self.model:
                errors["model"] = "A model name is required for this kind of provider."
        if (
            self.backoff_initial is not None
            and self.backoff_max is not None
            and self.backoff_initial > self.backoff_max
        ):
            errors["backoff_max"] = "Must be at least backoff_initial."
        if self.is_default and not self.enabled:
            errors["is_default"] = "A disabled provider cannot be the default."
        if errors:
            raise ValidationError(errors)

    def ordered_fallbacks(self) -> list[Provider]:
        return [link.fallback for link in self.fallback_links.select_related("fallback")]


class ProviderFallback(models.Model):
    """One step of a provider's ordered fallback chain (lowest position first)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="fallback_links")
    fallback = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["provider", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "fallback"], name="providers_fallback_once"
            ),
            models.CheckConstraint(
                condition=~Q(provider=models.F("fallback")),
                name="providers_fallback_not_self",
                violation_error_message="A provider cannot fall back to itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} -> {self.fallback_id} (#{self.position})"

    def clean(self) -> None:
        if self.provider_id and self.provider_id == self.fallback_id:
            raise ValidationError({"fallback": "A provider cannot fall back to itself."})


class BreakerConfig(models.Model):
    """Circuit breaker settings of one provider (mirrors the breaker's BreakerSettings)."""

    provider = models.OneToOneField(
        Provider, on_delete=models.CASCADE, related_name="breaker_config"
    )
    mode = models.CharField(max_length=16, choices=BreakerMode.choices, default=BreakerMode.AUTO)
    failure_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text="Failures within the window that open the breaker (empty = off).",
    )
    failure_rate_threshold = models.FloatField(
        null=True,
        blank=True,
        default=0.5,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text="Failure share (0..1] over the window that opens it, once minimum_calls "
        "is reached (empty = off).",
    )
    window_size = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text="Number of most recent calls in the sliding window.",
    )
    minimum_calls = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text="Rates are only judged once the window holds this many calls.",
    )
    slow_call_duration = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01), MaxValueValidator(3600.0)],
        help_text="Seconds after which a call counts as slow (empty = slow calls not judged).",
    )
    slow_call_rate_threshold = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text="Slow-call share (0..1] that opens the breaker (set with slow_call_duration).",
    )
    open_duration = models.FloatField(
        default=30.0,
        validators=[MinValueValidator(0.1), MaxValueValidator(86_400.0)],
        help_text="Seconds the breaker stays open before letting trial calls through.",
    )
    half_open_max_calls = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Trial calls let through in half-open, across all processes together.",
    )
    count_timeouts = models.BooleanField(default=True)
    count_5xx = models.BooleanField("count 5xx", default=True)
    count_429 = models.BooleanField("count 429", default=False)
    count_connect = models.BooleanField("count connection errors", default=True)
    count_bad_response = models.BooleanField("count malformed answers", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "breaker configuration"

    def __str__(self) -> str:
        return f"breaker of {self.provider}"

    def to_settings(self) -> BreakerSettings:
        return BreakerSettings(
            failure_threshold=self.failure_threshold,
            failure_rate_threshold=self.failure_rate_threshold,
            window_size=self.window_size,
            minimum_calls=self.minimum_calls,
            slow_call_duration=self.slow_call_duration,
            slow_call_rate_threshold=self.slow_call_rate_threshold,
            open_duration=self.open_duration,
            half_open_max_calls=self.half_open_max_calls,
            mode=Mode(self.mode),
        )

    def clean(self) -> None:
        errors: dict[str, str] = _non_finite(self)
        if errors:
            raise ValidationError(errors)
        if (
            self.minimum_calls is not None
            and self.window_size is not None
            and self.minimum_calls > self.window_size
        ):
            errors["minimum_calls"] = "Cannot exceed the window size."
        if self.failure_threshold is None and self.failure_rate_threshold is None:
            errors["failure_threshold"] = (
                "Set a failure threshold or a failure-rate threshold (both are off)."
            )
        if errors:
            raise ValidationError(errors)
        # The engine's own rules are the last word (e.g. thresholds bounded by the window).
        try:
            self.to_settings().validate()
        except BreakerSettingsError as exc:
            raise ValidationError(dict(exc.errors)) from None


class BreakerEvent(models.Model):
    """One breaker transition, automatic (actor empty) or by an operator (actor says who)."""

    provider = models.ForeignKey(
        Provider, on_delete=models.SET_NULL, null=True, blank=True, related_name="breaker_events"
    )
    circuit_name = models.CharField(max_length=100, db_index=True)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["provider", "-at"])]

    def __str__(self) -> str:
        return f"{self.circuit_name}: {self.from_state} -> {self.to_state}"


class ProviderCallStat(models.Model):
    """Calls per provider and minute: the dashboard's source (Prometheus keeps the fine detail).

    Written by ``apps.providers.callstats`` from per-process tallies, so the hot path never
    writes to the database. ``calls``/``errors`` are provider requests (retries inside; as
    ``ai_platform_provider_requests_total``), ``attempts``/``failed_attempts`` upstream attempts
    (each retry is one; as ``ai_platform_provider_attempts_total``); ``buckets`` counts calls
    per ``LLM_DURATION_BUCKETS`` bound (the last entry counts calls slower than every bound).
    """

    minute = models.DateTimeField()
    provider = models.CharField(max_length=64)
    calls = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    duration_sum = models.FloatField(default=0.0)
    buckets = models.JSONField(default=list)
    attempts = models.PositiveIntegerField(default=0)
    failed_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["minute", "provider"], name="unique_call_stat_minute")
        ]
        indexes = [models.Index(fields=["minute"])]

    def __str__(self) -> str:
        return f"{self.provider} @ {self.minute:%Y-%m-%d %H:%M}: {self.calls} calls"


# Model names that mean "the default provider" at the front door.
RESERVED_MODEL_NAMES = frozenset({"default", "agenthub"})


class ModelAlias(models.Model):
    """An operator-chosen model name (e.g. ``gpt-4o``) that routes to a provider: OpenAI
    clients keep the model names they were written for, and nothing else is guessed."""

    name = models.CharField(
        max_length=100,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$",
                "Letters, digits and . _ : / - (starting with a letter or digit).",
            )
        ],
        help_text="The model name clients send, e.g. gpt-4o.",
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "model aliases"

    def __str__(self) -> str:
        return f"{self.name} -> {self.provider}"

    def clean(self) -> None:
        if self.name in RESERVED_MODEL_NAMES:
            raise ValidationError({"name": "This name means the default provider."})
        if self.provider_id and Provider.objects.filter(name=self.name).exists():
            raise ValidationError({"name": "A provider already has this name."})
