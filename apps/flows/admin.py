"""Operators' UI: prompt templates (a save makes a new version), label sets, and read-only
notary records and jobs. Writes go through ``services`` so live caches are bumped."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.admin import ServiceValidationAdminMixin
from apps.flows.models import (
    Job,
    JobDispatch,
    LabelSet,
    NotaryRecord,
    PromptTemplate,
    PromptTemplateVersion,
)
from apps.flows.selectors import template_versions
from apps.flows.services import (
    label_set_delete,
    label_set_save,
    notary_record_verified,
    prompt_template_create,
    prompt_template_update,
)
from apps.flows.templating import placeholder_problems


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class PromptTemplateForm(forms.ModelForm):
    system_prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 10, "cols": 100}))
    user_template = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "cols": 100}),
        help_text="Placeholders: notary {{ document }}; classify {{ text }} {{ labels }}; "
        "ask {{ question }} and optionally {{ context }}.",
    )
    note = forms.CharField(
        required=False, max_length=300, help_text="Why this change (kept with the version)."
    )

    class Meta:
        model = PromptTemplate
        fields = ("name", "flow", "description", "active_version")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if "active_version" in self.fields:
            if instance.pk:
                versions = self.fields["active_version"]
                assert isinstance(versions, forms.ModelChoiceField)
                versions.queryset = template_versions(template=instance)
                self.fields[
                    "active_version"
                ].help_text = (
                    "Pick an earlier version to roll back; edit the text below to add a new one."
                )
            else:
                self.fields.pop("active_version")
        active = instance.active_version if instance.pk else None
        if active is not None:
            self.initial.setdefault("system_prompt", active.system_prompt)
            self.initial.setdefault("user_template", active.user_template)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        flow = data.get("flow", self.instance.flow if self.instance.pk else "")
        template_text = data.get("user_template")
        if template_text is not None:
            for problem in placeholder_problems(flow or "", template_text):
                self.add_error("user_template", problem)
        return data


class PromptTemplateVersionInline(admin.TabularInline):
    model = PromptTemplateVersion
    fk_name = "template"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("version", "note", "created_by", "created_at")
    readonly_fields = fields
    ordering = ("-version",)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PromptTemplate)
class PromptTemplateAdmin(ServiceValidationAdminMixin, admin.ModelAdmin):
    form = PromptTemplateForm
    list_display = ("name", "flow", "active_version_number", "updated_at")
    list_filter = ("flow",)
    search_fields = ("name", "description")
    inlines = [PromptTemplateVersionInline]

    @admin.display(description="active version")
    def active_version_number(self, obj: PromptTemplate):
        return obj.active_version.version if obj.active_version else None

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ("name", "flow") if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj=None):
        base = ["name", "flow", "description"]
        if obj is not None:
            base.append("active_version")
        return [*base, "system_prompt", "user_template", "note"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # notary records point at versions; history stays

    def save_model(self, request: HttpRequest, obj: PromptTemplate, form, change: bool) -> None:
        data = form.cleaned_data
        user = request.user.get_username()
        if not change:
            created = prompt_template_create(
                name=obj.name,
                flow=obj.flow,
                description=obj.description,
                system_prompt=data["system_prompt"],
                user_template=data["user_template"],
                created_by=user,
            )
            obj.pk = created.pk
            obj.active_version = created.active_version
            obj._state.adding = False
            return
        update = prompt_template_update(
            template=obj,
            description=obj.description,
            system_prompt=data["system_prompt"],
            user_template=data["user_template"],
            active_version=data.get("active_version"),
            note=data.get("note", ""),
            created_by=user,
        )
        if update.activated is not None:
            self.message_user(request, f"Version {update.activated.version} is now active.")
        elif update.created is not None:
            self.message_user(request, f"Saved as version {update.created.version}, now active.")


@admin.register(PromptTemplateVersion)
class PromptTemplateVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("template", "version", "note", "created_by", "created_at")
    list_filter = ("template",)
    fields = ("template", "version", "system_prompt", "user_template", "note", "created_by")
    readonly_fields = fields


class LabelSetForm(forms.ModelForm):
    class Meta:
        model = LabelSet
        fields = ("name", "tenant", "description", "labels")


@admin.register(LabelSet)
class LabelSetAdmin(ServiceValidationAdminMixin, admin.ModelAdmin):
    form = LabelSetForm
    list_display = ("name", "tenant", "label_count", "updated_at")
    list_filter = (("tenant", admin.EmptyFieldListFilter),)
    search_fields = ("name", "description")

    @admin.display(description="labels")
    def label_count(self, obj: LabelSet) -> int:
        return len(obj.labels or [])

    def save_model(self, request: HttpRequest, obj: LabelSet, form, change: bool) -> None:
        saved = label_set_save(
            name=obj.name,
            labels=obj.labels,
            tenant=obj.tenant,
            description=obj.description,
            instance=obj,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: LabelSet) -> None:
        label_set_delete(label_set=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[LabelSet]) -> None:
        for label_set in queryset:
            label_set_delete(label_set=label_set)


@admin.register(NotaryRecord)
class NotaryRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: records are viewed, never changed or deleted here."""

    list_display = ("id", "tenant", "provider", "model", "template_version", "created_at")
    list_filter = ("tenant", "provider")
    search_fields = ("id", "input_sha256", "output_sha256", "request_id")
    date_hierarchy = "created_at"
    fields = (
        "id",
        "tenant",
        "created_at",
        "provider",
        "model",
        "template_version",
        "request_id",
        "input_sha256",
        "output_sha256",
        "verified",
        "output",
    )
    readonly_fields = fields

    @admin.display(boolean=True, description="hash verified")
    def verified(self, obj: NotaryRecord) -> bool:
        return notary_record_verified(obj)


class JobDispatchInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The job's outbox records: when it was published, and why a publish had to wait."""

    model = JobDispatch
    verbose_name_plural = "dispatch records (outbox)"
    fields = ("created_at", "dispatched_at", "attempts", "next_attempt_at", "last_error")
    readonly_fields = fields
    extra = 0


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Stored steps (checkpoints) are not shown: they hold canaries meant never to be revealed.
    inlines = (JobDispatchInline,)
    list_display = ("id", "tenant", "kind", "status", "attempts", "created_at", "finished_at")
    list_filter = ("status", "kind", "tenant")
    search_fields = ("id", "request_id")
    date_hierarchy = "created_at"
    fields = (
        "id",
        "tenant",
        "kind",
        "status",
        "request_id",
        "created_at",
        "started_at",
        "heartbeat_at",
        "attempts",
        "finished_at",
        "payload",
        "result",
        "error",
        "error_status",
    )
    readonly_fields = fields
