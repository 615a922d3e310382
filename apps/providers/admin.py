"""Operators' view of providers: live breaker state, breaker actions, test connection, events."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from apps.core.admin import ServiceValidationAdminMixin
from apps.providers.breaker.config import State
from apps.providers.breaker.core import BreakerSnapshot
from apps.providers.models import (
    BreakerConfig,
    BreakerEvent,
    ModelAlias,
    Provider,
    ProviderFallback,
)
from apps.providers.services import (
    breaker_disable,
    breaker_force_open,
    breaker_reset,
    breaker_snapshot,
    model_alias_delete,
    model_alias_save,
    provider_api_key_source,
    provider_delete,
    provider_related_saved,
    provider_save,
    provider_test_connection,
)

_STATE_COLOURS = {
    State.CLOSED: "#2e7d32",
    State.OPEN: "#c62828",
    State.HALF_OPEN: "#ef6c00",
    State.FORCED_OPEN: "#6a1b9a",
    State.DISABLED: "#616161",
}


def _admin_actor(request: HttpRequest) -> str:
    return f"admin:{request.user.get_username()}"


def _when(value: float | None) -> str:
    if not value:
        return "-"
    return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class BreakerConfigInline(admin.StackedInline):
    model = BreakerConfig
    can_delete = False
    max_num = 1
    min_num = 1
    fieldsets = (
        (None, {"fields": ("mode",)}),
        (
            "What opens it",
            {
                "fields": (
                    ("failure_threshold", "failure_rate_threshold"),
                    ("window_size", "minimum_calls"),
                    ("slow_call_duration", "slow_call_rate_threshold"),
                )
            },
        ),
        ("Recovery", {"fields": (("open_duration", "half_open_max_calls"),)}),
        (
            "Failures that count",
            {
                "fields": (
                    (
                        "count_timeouts",
                        "count_5xx",
                        "count_429",
                        "count_connect",
                        "count_bad_response",
                    ),
                )
            },
        ),
    )


class ProviderFallbackInline(admin.TabularInline):
    model = ProviderFallback
    fk_name = "provider"
    extra = 0
    fields = ("position", "fallback")
    ordering = ("position",)
    verbose_name = "fallback"
    verbose_name_plural = "fallback chain (lowest position first)"


class ProviderAdminForm(forms.ModelForm):
    # Write-only: never rendered back (the page only says whether a key is set).
    api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        max_length=4096,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted; never shown again. Leave empty to keep the current key.",
    )
    clear_api_key = forms.BooleanField(
        label="Remove the stored key", required=False, help_text="Takes effect on save."
    )

    class Meta:
        model = Provider
        fields = "__all__"  # noqa: DJ007  (the admin's fieldsets choose what is shown)

    def _get_validation_exclusions(self) -> set[str]:
        # Taking over "default" is allowed: provider_save unsets the previous default (and
        # full_clean()s again with the constraint once it has).
        # Django's private hook, absent from django-stubs.
        return super()._get_validation_exclusions() | {"is_default"}  # type: ignore[misc]


@admin.register(Provider)
class ProviderAdmin(ServiceValidationAdminMixin, admin.ModelAdmin):
    form = ProviderAdminForm
    list_display = (
        "name",
        "kind",
        "model",
        "enabled",
        "is_default",
        "breaker_state",
        "breaker_failures",
        "last_transition",
    )
    list_filter = ("kind", "enabled")
    search_fields = ("name", "model", "base_url")
    inlines = [BreakerConfigInline, ProviderFallbackInline]
    readonly_fields = ("api_key_status", "breaker_live", "created_at", "updated_at")
    actions = ["reset_breakers", "force_open_breakers", "disable_breakers"]
    change_form_template = "admin/providers/provider/change_form.html"
    fieldsets = (
        (None, {"fields": ("name", "kind", "base_url", "model", "enabled", "is_default")}),
        (
            "Credentials",
            {"fields": ("api_key_status", "api_key", "clear_api_key", "api_key_env")},
        ),
        ("Timeouts", {"fields": (("connect_timeout", "read_timeout"),)}),
        (
            "Retries",
            {
                "fields": (
                    ("max_attempts", "backoff_initial", "backoff_max"),
                    ("jitter", "retry_after_cap"),
                )
            },
        ),
        ("Capabilities", {"fields": ("supports_tools",)}),
        ("Circuit breaker (live)", {"fields": ("breaker_live",)}),
        ("History", {"fields": ("created_at", "updated_at")}),
    )

    # --- live breaker columns -------------------------------------------------------------

    def _snapshot(self, obj: Provider) -> BreakerSnapshot:
        # Memoized on the row's object, not on this admin (one instance serves every request
        # thread): the columns of one row share one read of the store.
        snap = getattr(obj, "_breaker_snapshot", None)
        if snap is None:
            snap = breaker_snapshot(provider=obj)
            obj._breaker_snapshot = snap  # type: ignore[attr-defined]  # a per-row memo
        return snap

    @admin.display(description="breaker")
    def breaker_state(self, obj: Provider) -> str:
        state = self._snapshot(obj).state
        return format_html(
            '<strong style="color:{}">{}</strong>',
            _STATE_COLOURS.get(state, "#000"),
            state.value.replace("_", " ").upper(),
        )

    @admin.display(description="failures in window")
    def breaker_failures(self, obj: Provider) -> str:
        snap = self._snapshot(obj)
        return f"{snap.failures_in_window}/{snap.calls_in_window} ({snap.failure_rate:.0%})"

    @admin.display(description="last transition")
    def last_transition(self, obj: Provider) -> str:
        snap = self._snapshot(obj)
        if not snap.last_transition_at:
            return "-"
        return f"{_when(snap.last_transition_at)}: {snap.last_transition_reason}"

    @admin.display(description="API key")
    def api_key_status(self, obj: Provider) -> str:
        source = provider_api_key_source(provider=obj)
        if source == "stored":
            return "set (stored encrypted)"
        if source == "environment":
            return f"set (environment variable {obj.api_key_env})"
        if obj.api_key_env:
            return f"not set (environment variable {obj.api_key_env} is empty in this process)"
        return "not set"

    @admin.display(description="state")
    def breaker_live(self, obj: Provider) -> str:
        if obj.pk is None:
            return "-"
        snap = self._snapshot(obj)
        return format_html(
            "{} &middot; {} failures / {} calls in window "
            "&middot; {} slow &middot; half-open trials in flight: {} &middot; retry after {}s"
            "<br>last transition: {} {}",
            self.breaker_state(obj),
            snap.failures_in_window,
            snap.calls_in_window,
            snap.slow_in_window,
            snap.half_open_in_flight,
            f"{snap.retry_after:.1f}",
            _when(snap.last_transition_at),
            snap.last_transition_reason or "",
        )

    # --- saving through the services --------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Provider, form, change: bool) -> None:
        if form.cleaned_data.get("clear_api_key"):
            api_key: str | None = ""
        else:
            api_key = form.cleaned_data.get("api_key") or None  # empty: keep the stored key
        provider_save(provider=obj, api_key=api_key)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        provider_related_saved(provider=form.instance)  # breaker settings, fallbacks: inlines

    def delete_model(self, request: HttpRequest, obj: Provider) -> None:
        provider_delete(provider=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        for provider in queryset:
            provider_delete(provider=provider)

    # --- actions ------------------------------------------------------------------------------

    def _breaker_action(self, request, queryset, action, done: str) -> None:
        count = 0
        for provider in queryset:
            action(provider=provider, actor=_admin_actor(request))
            count += 1
        self.message_user(
            request,
            ngettext(f"{done} %d breaker.", f"{done} %d breakers.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description="Reset (close) selected breakers", permissions=["change"])
    def reset_breakers(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        self._breaker_action(request, queryset, breaker_reset, "Reset")

    @admin.action(description="Force open selected breakers", permissions=["change"])
    def force_open_breakers(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        self._breaker_action(request, queryset, breaker_force_open, "Forced open")

    @admin.action(description="Disable selected breakers (always pass)", permissions=["change"])
    def disable_breakers(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        self._breaker_action(request, queryset, breaker_disable, "Disabled")

    # --- test connection ------------------------------------------------------------------------

    def get_urls(self):
        custom = [
            path(
                "<path:object_id>/test-connection/",
                self.admin_site.admin_view(self.test_connection_view),
                name="providers_provider_test_connection",
            )
        ]
        return custom + super().get_urls()

    def test_connection_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        provider = get_object_or_404(Provider, pk=object_id)
        if not self.has_change_permission(request, provider):
            raise PermissionDenied
        result = None
        if request.method == "POST":
            result = provider_test_connection(provider=provider)
            if result.ok:
                self.message_user(
                    request,
                    f"{provider.name} answered in {result.latency_ms:.0f} ms.",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    f"{provider.name} failed: {result.error_message} ({result.error_code})",
                    messages.ERROR,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": provider,
            "title": f"Test connection: {provider.name}",
            "result": result,
            "snapshot": breaker_snapshot(provider=provider),
            "change_url": reverse("admin:providers_provider_change", args=[provider.pk]),
        }
        return TemplateResponse(request, "admin/providers/provider/test_connection.html", context)


@admin.register(BreakerEvent)
class BreakerEventAdmin(admin.ModelAdmin):
    """Every breaker transition, automatic (no actor) or by an operator. Read-only."""

    list_display = ("at", "circuit_name", "from_state", "to_state", "reason", "actor")
    list_filter = ("to_state", "circuit_name")
    search_fields = ("circuit_name", "reason", "actor")
    date_hierarchy = "at"
    list_select_related = ("provider",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ModelAlias)
class ModelAliasAdmin(ServiceValidationAdminMixin, admin.ModelAdmin):
    """Model names clients send (``gpt-4o``) and the provider each routes to; saved through the
    services, so a change is live in every process within a second."""

    list_display = ("name", "provider", "created_at")
    list_select_related = ("provider",)
    search_fields = ("name", "provider__name")
    autocomplete_fields = ("provider",)
    fields = ("name", "provider")

    def save_model(self, request: HttpRequest, obj: ModelAlias, form, change: bool) -> None:
        model_alias_save(alias=obj)

    def delete_model(self, request: HttpRequest, obj: ModelAlias) -> None:
        model_alias_delete(alias=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ModelAlias]) -> None:
        for alias in queryset:
            model_alias_delete(alias=alias)
