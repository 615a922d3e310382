from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.agents.models import Agent, AgentRun, AgentStep, Conversation, Document, Message
from apps.agents.services import agent_delete, agent_save, validate_provider_chain
from apps.agents.tools import get_tool, tool_names
from apps.core.admin import ServiceValidationAdminMixin
from apps.security.services import redact_for_logging, redact_json_for_logging


class AgentForm(forms.ModelForm):
    allowed_tools = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The registered tools this agent may call.",
    )
    provider_chain = forms.CharField(
        required=False,
        help_text="Provider names tried in order, comma-separated; empty: the default provider.",
    )

    class Meta:
        model = Agent
        fields = (
            "tenant",
            "name",
            "description",
            "system_prompt",
            "allowed_tools",
            "provider_chain",
            "tool_protocol",
            "max_steps",
            "timeout_seconds",
            "enabled",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        tools = self.fields["allowed_tools"]
        assert isinstance(tools, forms.MultipleChoiceField)
        tools.choices = [
            (name, f"{name}: {tool.description}")
            for name in tool_names()
            if (tool := get_tool(name)) is not None
        ]
        if self.instance.pk:
            self.initial["provider_chain"] = ", ".join(self.instance.provider_chain or [])

    def clean_provider_chain(self) -> list[str]:
        raw = self.cleaned_data.get("provider_chain") or ""
        names = [name.strip() for name in raw.split(",") if name.strip()]
        try:
            validate_provider_chain(names)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return names


@admin.register(Agent)
class AgentAdmin(ServiceValidationAdminMixin, admin.ModelAdmin):
    form = AgentForm
    list_display = ("name", "tenant", "enabled", "tool_protocol", "max_steps", "timeout_seconds")
    list_filter = ("enabled", "tool_protocol", ("tenant", admin.EmptyFieldListFilter))
    search_fields = ("name", "description")

    def save_model(self, request: HttpRequest, obj: Agent, form, change: bool) -> None:
        agent_save(agent=obj)  # a ValidationError is shown on the form (the mixin)

    def delete_model(self, request: HttpRequest, obj: Agent) -> None:
        agent_delete(agent=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        for agent in queryset:
            agent_delete(agent=agent)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class MessageInline(_ReadOnlyInline):
    """A conversation is the tenant's own data and keeps the values (a later turn needs them);
    an operator's page shows it as a log line would: secrets and personal data redacted."""

    model = Message
    fields = ("seq", "role", "shown_content", "shown_tool_calls", "tool_call_id", "created_at")
    readonly_fields = fields
    ordering = ("seq",)

    @admin.display(description="content")
    def shown_content(self, obj: Message) -> str:
        return redact_for_logging(obj.content)

    @admin.display(description="tool calls")
    def shown_tool_calls(self, obj: Message) -> Any:
        return redact_json_for_logging(obj.tool_calls)


@admin.register(Conversation)
class ConversationAdmin(_ReadOnlyAdmin):
    list_display = ("id", "tenant", "agent", "created_at", "updated_at")
    list_filter = ("agent", "tenant")
    date_hierarchy = "created_at"
    inlines = [MessageInline]


class AgentStepInline(_ReadOnlyInline):
    model = AgentStep
    fields = ("step", "position", "tool", "arguments", "status", "duration_ms", "error")
    readonly_fields = (*fields, "output_excerpt")


@admin.register(AgentRun)
class AgentRunAdmin(_ReadOnlyAdmin):
    list_display = (
        "id",
        "tenant",
        "agent",
        "status",
        "fallback_reason",
        "provider",
        "model_calls",
        "duration_ms",
        "created_at",
    )
    list_filter = ("status", "fallback_reason", "protocol", "agent")
    search_fields = ("request_id", "provider")
    date_hierarchy = "created_at"
    inlines = [AgentStepInline]


@admin.register(AgentStep)
class AgentStepAdmin(_ReadOnlyAdmin):
    list_display = ("run", "step", "tool", "status", "duration_ms")
    list_filter = ("status", "tool")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "tenant", "created_at", "updated_at")
    list_filter = ("tenant",)
    search_fields = ("title", "content")
