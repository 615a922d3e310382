"""Operators' security console: policy tables (every save goes through a service and is live in
all processes within a second), the "try it" page, model versions and the read-only audit trail."""

from __future__ import annotations

import contextlib
import csv
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_ipv46_address
from django.db import connection
from django.db.models import Max, Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from apps.core.admin import ServiceValidationAdminMixin
from apps.security.blockstats import rule_hits_annotate
from apps.security.exceptions import EditConflict, InputTooLarge
from apps.security.guard.defaults import CATEGORIES
from apps.security.guard.normalize import normalize
from apps.security.models import (
    BlockedRequest,
    DetectionSettings,
    InjectionModelVersion,
    InjectionPattern,
    PiiPolicy,
    SanitizationPolicy,
    SecretPattern,
    TenantDetectionPolicy,
    TrainingExample,
    Verdict,
)
from apps.security.selectors import pattern_export, policy_snapshot
from apps.security.services import (
    PATTERN_FIELDS,
    blocked_requests_set_verdict,
    injection_model_version_activate,
    injection_pattern_create,
    injection_pattern_delete,
    injection_pattern_update,
    injection_patterns_import,
    injection_patterns_set_enabled,
    policy_object_delete,
    policy_object_save,
    redact_for_logging,
    sanitize_for,
    scan,
    secret_patterns_set_enabled,
    training_examples_import,
)
from apps.tenants.models import Tenant

HITS_WINDOW = timedelta(hours=24)
EXCERPT_LIST_CHARS = 80


def _who(request: HttpRequest) -> str:
    return f"admin:{request.user.get_username()}"


def _extra_urls(
    model_admin: admin.ModelAdmin, *views: tuple[str, Callable[..., HttpResponse]]
) -> list[URLPattern]:
    """Extra admin views of a model: ``(name, view)`` is served at ``<name>/`` and named
    ``<app>_<model>_<name>`` (``reverse("admin:security_trainingexample_import")``)."""
    opts = model_admin.model._meta
    return [
        path(
            f"{name}/",
            model_admin.admin_site.admin_view(view),
            name=f"{opts.app_label}_{opts.model_name}_{name}",
        )
        for name, view in views
    ]


def _form_page_context(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    title: str,
    submit_label: str,
    form: forms.Form,
    **extra: Any,
) -> dict[str, Any]:
    """What the ``_form_page.html`` based admin pages render with."""
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "submit_label": submit_label,
        "form": form,
        **extra,
        "opts": model_admin.model._meta,
    }


def _messages_of(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return "; ".join(exc.messages)


# --- injection patterns ------------------------------------------------------------------------


class ScopeFilter(admin.SimpleListFilter):
    title = "scope"
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return (("global", "Global"), ("tenant", "Tenant-specific"))

    def queryset(self, request, queryset):
        if self.value() == "global":
            return queryset.filter(tenant__isnull=True)
        if self.value() == "tenant":
            return queryset.filter(tenant__isnull=False)
        return queryset


class InjectionPatternForm(forms.ModelForm):
    # The revision the editor loaded; a mismatch on save means someone else changed it.
    expected_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = InjectionPattern
        fields = ("tenant", *PATTERN_FIELDS)
        widgets = {"pattern": forms.Textarea(attrs={"rows": 3, "cols": 100})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_revision"].initial = self.instance.revision

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        expected = data.get("expected_revision")
        if self.instance.pk and expected is not None:
            current = (
                InjectionPattern.objects.filter(pk=self.instance.pk)
                .values_list("revision", flat=True)
                .first()
            )
            if current is not None and current != expected:
                raise ValidationError(
                    "Someone else changed this pattern while you were editing it. "
                    "Reload the page to see their change, then apply yours again."
                )
        return data


class PatternImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A JSON file exported from this page.")
    json_text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 10, "cols": 100}), label="or JSON"
    )
    tenant = forms.ModelChoiceField(
        Tenant.objects.all(), required=False, help_text="Empty = import as global patterns."
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("file")
        raw = upload.read() if upload else data.get("json_text", "")
        if not raw:
            raise ValidationError("Upload a file or paste JSON.")
        try:
            data["items"] = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError(f"Not valid JSON: {exc}") from exc
        return data


class TryItForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "cols": 100}), strip=False, max_length=200_000
    )
    tenant = forms.ModelChoiceField(
        Tenant.objects.all(), required=False, help_text="Use this tenant's patterns too."
    )


@admin.register(InjectionPattern)
class InjectionPatternAdmin(ServiceValidationAdminMixin, admin.ModelAdmin):
    form = InjectionPatternForm
    list_display = (
        "name",
        "category",
        "scope",
        "severity",
        "action",
        "enabled",
        "hits",
        "updated_at",
    )
    list_filter = ("category", ScopeFilter, "tenant", "enabled", "action")
    search_fields = ("name", "pattern", "description")
    readonly_fields = ("revision", "updated_by", "updated_at", "created_at")
    actions = ["enable_patterns", "disable_patterns", "export_json"]
    change_list_template = "admin/security/injectionpattern/change_list.html"

    @admin.display(description="scope", ordering="tenant__name")
    def scope(self, obj: InjectionPattern) -> str:
        return obj.tenant.name if obj.tenant else "global"

    def get_queryset(self, request: HttpRequest) -> QuerySet[InjectionPattern]:
        queryset = super().get_queryset(request).select_related("tenant")
        return rule_hits_annotate(queryset, since=timezone.now() - HITS_WINDOW)

    @admin.display(description="hits, 24 h", ordering="hits")
    def hits(self, obj: InjectionPattern) -> int:
        """Blocks in the last 24 h where this rule matched (the dashboard's hourly rollups)."""
        return getattr(obj, "hits", 0)

    def get_readonly_fields(self, request, obj=None):
        # Moving a pattern between tenants is a delete plus a create, not an edit.
        return (*self.readonly_fields, "tenant") if obj else self.readonly_fields

    def save_model(self, request, obj: InjectionPattern, form, change: bool) -> None:
        data = {
            name: form.cleaned_data[name] for name in PATTERN_FIELDS if name in form.cleaned_data
        }
        if change:
            try:
                saved = injection_pattern_update(
                    pattern=obj,
                    data=data,
                    expected_revision=form.cleaned_data.get("expected_revision"),
                    updated_by=_who(request),
                )
            except EditConflict as exc:
                raise ValidationError(
                    "Not saved: someone else changed this pattern meanwhile. Reload and retry."
                ) from exc
            obj.revision = saved.revision
        else:
            saved = injection_pattern_create(
                tenant=form.cleaned_data.get("tenant"), updated_by=_who(request), **data
            )
            obj.pk = saved.pk
            obj._state.adding = False

    def delete_model(self, request, obj: InjectionPattern) -> None:
        injection_pattern_delete(pattern=obj)

    def delete_queryset(self, request, queryset: QuerySet[InjectionPattern]) -> None:
        for obj in queryset:
            injection_pattern_delete(pattern=obj)

    def _set_enabled(self, request, queryset, *, enabled: bool) -> None:
        count = injection_patterns_set_enabled(
            queryset=queryset, enabled=enabled, updated_by=_who(request)
        )
        verb = "Enabled" if enabled else "Disabled"
        self.message_user(
            request, ngettext(f"{verb} %d pattern.", f"{verb} %d patterns.", count) % count
        )

    @admin.action(description="Enable selected patterns", permissions=["change"])
    def enable_patterns(self, request, queryset):
        self._set_enabled(request, queryset, enabled=True)

    @admin.action(description="Disable selected patterns", permissions=["change"])
    def disable_patterns(self, request, queryset):
        self._set_enabled(request, queryset, enabled=False)

    @admin.action(description="Export selected patterns as JSON", permissions=["view"])
    def export_json(self, request, queryset):
        response = JsonResponse(
            pattern_export(queryset), safe=False, json_dumps_params={"indent": 2}
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="patterns-{stamp}.json"'
        return response

    def get_urls(self):
        urls = _extra_urls(self, ("import", self.import_view), ("try", self.try_view))
        return urls + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = PatternImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = injection_patterns_import(
                    items=form.cleaned_data["items"],
                    tenant=form.cleaned_data.get("tenant"),
                    updated_by=_who(request),
                )
            except ValidationError as exc:
                for message in exc.messages[:50]:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    f"Imported: {result.created} created, {result.updated} updated.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:security_injectionpattern_changelist"))
        context = _form_page_context(
            self, request, title="Import injection patterns", submit_label="Import", form=form
        )
        return TemplateResponse(request, "admin/security/injectionpattern/import.html", context)

    def try_view(self, request: HttpRequest) -> HttpResponse:
        form = TryItForm(request.POST or None)
        result: dict[str, Any] | None = None
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"]
            tenant = form.cleaned_data.get("tenant")
            decision = scan(text, tenant=tenant)
            normalized = normalize(text)
            snapshot = policy_snapshot()
            try:
                sanitized, truncated = sanitize_for(text, tenant=tenant)
                sanitized_note = "truncated to the limit" if truncated else ""
            except InputTooLarge as exc:
                sanitized, sanitized_note = "", f"rejected: {exc.detail}"
            windows = getattr(decision, "windows", None) or ()
            result = {
                # a blocked input is passed on to nothing: no "what is passed on" for it
                "sanitized_text": "" if decision.blocked else redact_for_logging(sanitized),
                "sanitized_note": sanitized_note,
                "decision": decision,
                "normalized_text": redact_for_logging(decision.normalized_text),
                "views": [(name, redact_for_logging(value)) for name, value in normalized.views],
                "signals": sorted(decision.signals),
                "thresholds": snapshot.thresholds,
                "model_enabled": snapshot.model_for(tenant.pk if tenant else None) is not None,
                "windows": _window_rows(text, windows),
                "model_version": snapshot.model_version,
            }
        context = _form_page_context(
            self,
            request,
            title="Try the injection guard",
            submit_label="Scan (dry run, nothing stored)",
            form=form,
            result=result,
        )
        return TemplateResponse(request, "admin/security/injectionpattern/try.html", context)


def _window_rows(text: str, windows) -> list[dict[str, Any]]:
    """Per-window model scores (start, end, score) as table rows with a redacted preview."""
    rows = []
    for window in windows:
        try:
            start, end, score = window
            start, end, score = int(start), int(end), float(score)
        except (TypeError, ValueError):
            continue
        preview = redact_for_logging(text[start:end])
        rows.append(
            {
                "start": start,
                "end": end,
                "score": score,
                "preview": preview if len(preview) <= 160 else preview[:160] + "…",
            }
        )
    return rows


# --- other policy tables -----------------------------------------------------------------------


class PolicyAdminMixin(ServiceValidationAdminMixin):
    """Saves and deletes go through the service (validation + live-config bump)."""

    def save_model(self, request, obj, form, change) -> None:
        policy_object_save(obj=obj, updated_by=_who(request))

    def delete_model(self, request, obj) -> None:
        policy_object_delete(obj=obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            policy_object_delete(obj=obj)


@admin.register(SanitizationPolicy)
class SanitizationPolicyAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "max_input_chars",
        "over_limit_action",
        "unicode_normalization",
        "strip_control_chars",
        "strip_zero_width",
        "updated_at",
    )
    readonly_fields = ("updated_by", "updated_at")


class SecretPatternForm(forms.ModelForm):
    """Entropy and secret group may be left empty (no check, the whole match)."""

    entropy = forms.FloatField(required=False, min_value=0.0, max_value=8.0, initial=0.0)
    secret_group = forms.IntegerField(required=False, min_value=-1, max_value=20, initial=0)

    class Meta:
        model = SecretPattern
        fields = (
            "name", "pattern", "enabled", "description", "keywords", "entropy", "secret_group",
            "validation", "allowlists",
        )  # fmt: skip

    def clean_entropy(self) -> float:
        return self.cleaned_data.get("entropy") or 0.0

    def clean_secret_group(self) -> int:
        return self.cleaned_data.get("secret_group") or 0


@admin.register(SecretPattern)
class SecretPatternAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Secret formats: AgentHub's, gitleaks' (imported at build time) and the operators' own.
    Seeding never overwrites a row an operator saved here."""

    form = SecretPatternForm
    list_display = ("name", "source", "enabled", "updated_by", "updated_at")
    list_filter = ("enabled", "source", "validation")
    search_fields = ("name", "pattern", "keywords", "description")
    readonly_fields = ("source", "updated_by", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "pattern", "enabled", "description")}),
        (
            "Precision and speed",
            {"fields": ("keywords", "entropy", "secret_group", "validation", "allowlists")},
        ),
        ("Provenance", {"fields": ("source", "updated_by", "updated_at")}),
    )
    actions = ("enable_selected", "disable_selected")

    @admin.action(description="Enable selected secret patterns")
    def enable_selected(self, request, queryset) -> None:
        secret_patterns_set_enabled(queryset=queryset, enabled=True, updated_by=_who(request))

    @admin.action(description="Disable selected secret patterns")
    def disable_selected(self, request, queryset) -> None:
        secret_patterns_set_enabled(queryset=queryset, enabled=False, updated_by=_who(request))


@admin.register(PiiPolicy)
class PiiPolicyAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """What happens to personal data in prompts: global default, per tenant, per API key."""

    list_display = (
        "__str__", "email", "phone", "card", "iban", "ssn", "ip", "secret", "updated_at",
    )  # fmt: skip
    list_filter = ("tenant",)
    raw_id_fields = ("api_key",)
    readonly_fields = ("updated_by", "updated_at")


@admin.register(DetectionSettings)
class DetectionSettingsAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "model_enabled",
        "model_block",
        "model_flag",
        "rule_block_severity",
        "updated_at",
    )
    readonly_fields = ("updated_by", "updated_at")
    fieldsets = (
        (
            "Rules and model",
            {"fields": ("model_enabled", "model_block", "model_flag", "rule_block_severity")},
        ),
        (
            "LLM judge (uncertain band)",
            {
                "description": "Inputs the engine flags (not blocked) can be put to a language "
                "model with a fixed yes/no question: yes blocks, no lets them through. When it "
                "cannot answer in time, fails or its budget is spent, the fail mode decides. "
                "Tenants can override the switch and the fail mode in their detection policy.",
                "fields": (
                    "judge_enabled",
                    "judge_provider",
                    "judge_timeout_ms",
                    "judge_max_calls_per_minute",
                    "judge_max_calls_per_minute_per_tenant",
                    "judge_fail_mode",
                ),
            },
        ),
        (None, {"fields": ("updated_by", "updated_at")}),
    )

    def has_add_permission(self, request) -> bool:
        return not DetectionSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        obj.pk = 1  # a single row
        super().save_model(request, obj, form, change)


@admin.register(TenantDetectionPolicy)
class TenantDetectionPolicyAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ("tenant", "model_enabled", "judge_enabled", "judge_fail_mode", "updated_at")
    list_filter = ("model_enabled", "judge_enabled")
    search_fields = ("tenant__name",)
    readonly_fields = ("updated_by", "updated_at")


# --- the learned model -------------------------------------------------------------------------


@admin.register(InjectionModelVersion)
class InjectionModelVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "is_active", "trained_at", "rows", "precision", "recall", "fpr")
    list_filter = ("is_active",)
    readonly_fields = (
        "version",
        "is_active",
        "trained_at",
        "data_summary",
        "metrics",
        "artifact_sha256",
        "created_by",
        "created_at",
    )
    exclude = ("artifact",)
    actions = ["activate"]
    change_list_template = "admin/security/injectionmodelversion/change_list.html"

    @admin.display(description="training rows")
    def rows(self, obj) -> Any:
        return (obj.data_summary or {}).get("total", "—")

    @staticmethod
    def _cv(obj, name: str) -> Any:
        # Out-of-fold (stratified 5-fold) figures recorded at training time.
        value = ((obj.metrics or {}).get("stratified_5fold") or {}).get(name)
        return "—" if value is None else value

    @admin.display(description="precision (5-fold)")
    def precision(self, obj) -> Any:
        return self._cv(obj, "precision")

    @admin.display(description="recall (5-fold)")
    def recall(self, obj) -> Any:
        return self._cv(obj, "recall")

    @admin.display(description="FPR (5-fold)")
    def fpr(self, obj) -> Any:
        return self._cv(obj, "fpr")

    def has_add_permission(self, request) -> bool:
        return False  # versions come from training

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_activate_permission(self, request) -> bool:
        return request.user.has_perm("security.change_injectionmodelversion")

    @admin.action(description="Activate the selected version", permissions=["activate"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to activate.", messages.WARNING)
            return
        version = queryset.get()
        injection_model_version_activate(version=version)
        self.message_user(request, f"Model {version.version} is now active.", messages.SUCCESS)

    def get_urls(self):
        return _extra_urls(self, ("retrain", self.retrain_view)) + super().get_urls()

    def retrain_view(self, request: HttpRequest) -> HttpResponse:
        changelist = reverse("admin:security_injectionmodelversion_changelist")
        if request.method != "POST" or not self.has_activate_permission(request):
            return HttpResponseRedirect(changelist)
        from django.conf import settings

        from apps.security.tasks import retrain_model

        try:
            retrain_model.delay(activate=True, requested_by=_who(request))
        except ValidationError as exc:  # eager mode: the task ran here and refused
            self.message_user(request, _messages_of(exc), messages.ERROR)
            return HttpResponseRedirect(changelist)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self.message_user(request, "Retrained and activated a new model.", messages.SUCCESS)
        else:
            self.message_user(
                request, "Retraining queued; the new version appears here when done.", messages.INFO
            )
        return HttpResponseRedirect(changelist)


class ExampleImportForm(forms.Form):
    file = forms.FileField(help_text='JSONL: one {"text", "label": "injection"|"benign"} a line.')
    source = forms.CharField(required=False, max_length=100, help_text="Default source name.")


@admin.register(TrainingExample)
class TrainingExampleAdmin(admin.ModelAdmin):
    list_display = ("short_text", "label", "source", "created_at")
    list_filter = ("label", "source")
    search_fields = ("text", "source")
    readonly_fields = ("text_sha256", "created_at")
    change_list_template = "admin/security/trainingexample/change_list.html"

    @admin.display(description="text")
    def short_text(self, obj) -> str:
        return obj.text[:100]

    def get_urls(self):
        return _extra_urls(self, ("import", self.import_view)) + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = ExampleImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and self.has_add_permission(request) and form.is_valid():
            raw = form.cleaned_data["file"].read().decode("utf-8", "replace")
            result = training_examples_import(
                lines=raw.splitlines(), source=form.cleaned_data["source"]
            )
            level = messages.WARNING if result.errors else messages.SUCCESS
            summary = f"{result.created} imported, {result.duplicates} duplicates skipped"
            if result.errors:
                summary += f", {len(result.errors)} bad lines ({'; '.join(result.errors[:5])})"
            self.message_user(request, summary + ".", level)
            return HttpResponseRedirect(reverse("admin:security_trainingexample_changelist"))
        context = _form_page_context(
            self, request, title="Import training examples", submit_label="Import", form=form
        )
        return TemplateResponse(request, "admin/security/trainingexample/import.html", context)


# --- audit trail -------------------------------------------------------------------------------


# Past this many matches the changelist stops counting: "more than 10,000" is all an operator
# needs, and an exact COUNT(*) over a million rows on every page load is not free.
AUDIT_COUNT_CAP = 10_000


class AuditPaginator(Paginator):
    """Counts without scanning the whole audit table: the planner's estimate for the unfiltered
    list on PostgreSQL, otherwise an exact count that stops at ``AUDIT_COUNT_CAP`` + 1."""

    count_is_estimate = False
    count_is_capped = False

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet, self.object_list)  # the admin pages querysets
        if not queryset.query.where and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            # -1 = never analyzed; small tables are counted exactly (cheap, and tests see truth).
            if row and row[0] > AUDIT_COUNT_CAP:
                self.count_is_estimate = True
                return int(row[0])
        n = queryset.order_by()[: AUDIT_COUNT_CAP + 1].count()
        self.count_is_capped = n > AUDIT_COUNT_CAP
        return n


class AuditQuerySet(QuerySet):
    """The audit changelist's queryset. The date hierarchy lists the months of a year or the
    days of a month that have rows; Django does that with a DISTINCT over every row in the
    period (hundreds of thousands). Here each candidate period is one EXISTS probe on the
    ``created_at`` index instead: at most 31 cheap queries."""

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        if field_name != "created_at" or kind not in ("month", "day") or order != "ASC":
            return super().datetimes(field_name, kind, order=order, tzinfo=tzinfo)
        bounds = self.aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is None:
            return []
        zone = tzinfo or timezone.get_current_timezone()
        first = timezone.localtime(bounds["first"], zone)
        last = timezone.localtime(bounds["last"], zone)
        start = first.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        if kind == "month":
            start = start.replace(day=1)
        periods = []
        while start <= last.replace(tzinfo=None):
            if kind == "day":
                end = start + timedelta(days=1)
            else:
                end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
            lower, upper = timezone.make_aware(start, zone), timezone.make_aware(end, zone)
            if self.filter(created_at__gte=lower, created_at__lt=upper).exists():
                periods.append(lower)
            start = end
        return periods


REASONS = (
    ("rule", "rule"),
    ("model", "model"),
    ("rule+model", "rule+model"),
    ("canary_leak", "canary_leak"),
)


class ReasonFilter(admin.SimpleListFilter):
    """Fixed choices: listing the distinct values would scan the whole audit table."""

    title = "reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return REASONS

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(reason=self.value())
        return queryset


class FlowFilter(admin.SimpleListFilter):
    """The distinct flows: on PostgreSQL by a skip scan of the flow index (one index probe per
    distinct value), not a DISTINCT over every audit row."""

    title = "flow"
    parameter_name = "flow"

    _SKIP_SCAN = """
        WITH RECURSIVE f(flow) AS (
            (SELECT flow FROM security_blockedrequest ORDER BY flow LIMIT 1)
            UNION ALL
            SELECT (SELECT b.flow FROM security_blockedrequest b WHERE b.flow > f.flow
                    ORDER BY b.flow LIMIT 1)
            FROM f WHERE f.flow IS NOT NULL
        )
        SELECT flow FROM f WHERE flow IS NOT NULL AND flow <> '' LIMIT 200
    """

    def lookups(self, request, model_admin):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(self._SKIP_SCAN)
                flows = [row[0] for row in cursor.fetchall()]
        else:
            flows = list(
                BlockedRequest.objects.exclude(flow="")
                .order_by("flow")
                .values_list("flow", flat=True)
                .distinct()[:200]
            )
        return [(flow, flow) for flow in flows]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(flow=self.value())
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return CATEGORIES

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(categories_text__contains=f"|{self.value()}|")
        return queryset


CSV_FIELDS = (
    "created_at",
    "event_id",
    "tenant",
    "api_key_id",
    "client_ip",
    "path",
    "flow",
    "source",
    "request_id",
    "reason",
    "categories",
    "rules",
    "score",
    "model_score",
    "input_chars",
    "input_sha256",
    "user_agent",
    "verdict",
    "excerpt",
)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_safe(value: Any) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ would run as a formula.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(BlockedRequest)
class BlockedRequestAdmin(admin.ModelAdmin):
    """Read-only evidence. The review verdict is the only thing operators change (actions)."""

    list_display = (
        "created_at",
        "tenant",
        "reason",  # the deciding layer (rule, model, judge) is on the detail page
        "category_list",
        "short_excerpt",
        "rounded_score",
        "client_ip",
        "verdict",
    )
    # The flow is a filter (and on the record), not a column: at 1,400 px the list has no room.
    list_filter = ("source", ReasonFilter, "verdict", CategoryFilter, "tenant", FlowFilter)
    # Identifiers match exactly (indexed); path and excerpt by substring (trigram-indexed on
    # PostgreSQL). See get_search_results.
    search_fields = ("request_id", "input_sha256", "client_ip", "event_id", "path", "excerpt")
    search_help_text = (
        "Request id, input SHA-256, client IP or event id (exact), or text in the path or excerpt."
    )
    date_hierarchy = "created_at"
    list_select_related = ("tenant",)
    paginator = AuditPaginator
    show_full_result_count = False  # no second COUNT(*) over the whole table per page
    actions = ["mark_confirmed_attack", "mark_false_positive", "mark_unreviewed", "export_csv"]
    fields = (
        "created_at",
        "event_id",
        "tenant",
        "api_key_id",
        "client_ip",
        "path",
        "flow",
        "source",
        "request_id",
        "reason",
        "deciding_layer",
        "judge_verdict",
        "category_list",
        "matched_rules",
        "score",
        "model_score",
        "excerpt",
        "input_chars",
        "input_sha256",
        "user_agent",
        "verdict",
        "verdict_by",
        "verdict_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return AuditQuerySet(model=queryset.model, query=queryset.query.chain(), using=queryset.db)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if changelist.query:
            # The date bar starts from MIN/MAX(created_at) of the results; with a search term
            # PostgreSQL answers that by walking the created_at index until a rare match turns
            # up (seconds on a million rows). Search results go without the bar; date
            # parameters already in the URL still filter.
            changelist.date_hierarchy = None
        return changelist

    def get_search_results(self, request, queryset, search_term):
        # Django's default ORs icontains over every field: a scan of the whole audit table.
        # Identifiers are compared exactly (indexes), only path and excerpt by substring.
        for term in search_term.split()[:5]:
            match = Q(request_id=term) | Q(path__icontains=term) | Q(excerpt__icontains=term)
            if len(term) == 64:
                match |= Q(input_sha256=term.lower())
            with contextlib.suppress(ValidationError):
                validate_ipv46_address(term)
                match |= Q(client_ip=term)
            with contextlib.suppress(ValueError):
                match |= Q(event_id=uuid.UUID(term))
            queryset = queryset.filter(match)
        return queryset, False

    change_form_template = "admin/security/blockedrequest/change_form.html"

    @admin.display(description="categories")
    def category_list(self, obj: BlockedRequest) -> str:
        return ", ".join(obj.categories or [])

    @admin.display(description="score", ordering="score")
    def rounded_score(self, obj: BlockedRequest) -> str:
        return f"{obj.score:.3f}"

    @admin.display(description="excerpt (redacted)")
    def short_excerpt(self, obj: BlockedRequest) -> str:
        text = " ".join((obj.excerpt or "").split())
        return text if len(text) <= EXCERPT_LIST_CHARS else text[: EXCERPT_LIST_CHARS - 1] + "…"

    @admin.display(description="matched rules")
    def matched_rules(self, obj: BlockedRequest) -> str:
        """The matches as a table; a rule that still exists links to its pattern's page."""
        matches = [m for m in obj.matches or [] if isinstance(m, dict)]
        if not matches:
            return "none (the learned model alone)" if obj.reason == "model" else "none"
        keys = {str(m.get("key", "")) for m in matches}
        existing = set(
            InjectionPattern.objects.filter(
                pk__in=[int(k) for k in keys if k.isdigit()]
            ).values_list("pk", flat=True)
        )
        rows = []
        for match in matches:
            name = str(match.get("name") or match.get("key") or "?")
            key = str(match.get("key", ""))
            if key.isdigit() and int(key) in existing:
                url = reverse("admin:security_injectionpattern_change", args=[int(key)])
                rule = format_html('<a href="{}">{}</a>', url, name)
            else:
                rule = format_html("{}", name)
            rows.append(
                format_html(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    rule,
                    match.get("category", ""),
                    match.get("severity", ""),
                    match.get("view", ""),
                )
            )
        return format_html(
            '<table class="matched-rules"><thead><tr><th>Rule</th><th>Category</th>'
            "<th>Severity</th><th>Seen in view</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "{}", ((row,) for row in rows)),
        )

    def get_urls(self):
        opts = self.model._meta
        verdict = path(
            "<path:object_id>/verdict/",
            self.admin_site.admin_view(self.verdict_view),
            name=f"{opts.app_label}_{opts.model_name}_verdict",
        )
        return [verdict, *super().get_urls()]

    def verdict_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The verdict buttons of the detail page (POST), through the same service as the
        list's actions."""
        if request.method != "POST" or not self.has_review_permission(request):
            raise PermissionDenied
        verdict = request.POST.get("verdict", "")
        if verdict not in Verdict.values:
            raise PermissionDenied
        queryset = BlockedRequest.objects.filter(pk=object_id)
        if not queryset.exists():
            raise Http404
        self._verdict(request, queryset, verdict)
        return HttpResponseRedirect(
            reverse("admin:security_blockedrequest_change", args=[object_id])
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["verdicts"] = [
            (Verdict.FALSE_POSITIVE, "False positive"),
            (Verdict.CONFIRMED_ATTACK, "Confirmed attack"),
            (Verdict.UNREVIEWED, "Back to unreviewed"),
        ]
        context["can_review"] = self.has_review_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("security.change_blockedrequest")

    def _verdict(self, request, queryset, verdict: str) -> None:
        count = blocked_requests_set_verdict(queryset=queryset, verdict=verdict, user=request.user)
        label = Verdict(verdict).label.lower()
        self.message_user(
            request,
            ngettext("Marked %d request as %s.", "Marked %d requests as %s.", count)
            % (count, label),
            messages.SUCCESS,
        )

    @admin.action(description="Verdict: confirmed attack", permissions=["review"])
    def mark_confirmed_attack(self, request, queryset):
        self._verdict(request, queryset, Verdict.CONFIRMED_ATTACK)

    @admin.action(description="Verdict: false positive", permissions=["review"])
    def mark_false_positive(self, request, queryset):
        self._verdict(request, queryset, Verdict.FALSE_POSITIVE)

    @admin.action(description="Verdict: back to unreviewed", permissions=["review"])
    def mark_unreviewed(self, request, queryset):
        self._verdict(request, queryset, Verdict.UNREVIEWED)

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        from django.http import StreamingHttpResponse

        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(CSV_FIELDS)
            for obj in queryset.select_related("tenant").iterator(chunk_size=500):
                yield writer.writerow(
                    [
                        _csv_safe(value)
                        for value in (
                            obj.created_at.isoformat(),
                            obj.event_id,
                            obj.tenant.name if obj.tenant_id else "",
                            obj.api_key_id,
                            obj.client_ip,
                            obj.path,
                            obj.flow,
                            obj.source,
                            obj.request_id,
                            obj.reason,
                            " ".join(obj.categories or []),
                            " ".join(str(m.get("name", "")) for m in obj.matches or []),
                            obj.score,
                            obj.model_score,
                            obj.input_chars,
                            obj.input_sha256,
                            obj.user_agent,
                            obj.verdict,
                            obj.excerpt,
                        )
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="blocked-requests-{stamp}.csv"'
        return response
