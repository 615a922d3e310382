"""Agents, their conversations and the record of every run and tool call.

``Agent`` is live configuration (read through ``apps.agents.selectors.agent_spec_for``, a
``LiveCache``); conversations, runs and steps are the tenant's data and are written once.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.tenants.models import Tenant


class Agent(models.Model):
    """An agent: a system prompt, the tools it may call and the providers it runs on.

    ``tenant`` empty means a global agent every tenant can use; a tenant's own agent with the
    same name takes precedence for that tenant.
    """

    class Protocol(models.TextChoices):
        AUTO = "auto", "Auto (native tool calling when the provider has it)"
        NATIVE = "native", "Native tool calling"
        TEXT = "text", "Text ReAct protocol"

    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agents",
        help_text="Empty: a global agent, available to every tenant.",
    )
    name = models.SlugField(max_length=64)
    description = models.CharField(max_length=300, blank=True)
    system_prompt = models.TextField()
    allowed_tools = models.JSONField(
        default=list, blank=True, help_text="Names of the registered tools this agent may call."
    )
    provider_chain = models.JSONField(
        default=list,
        blank=True,
        help_text="Provider names tried in order (first available); empty: the platform default.",
    )
    tool_protocol = models.CharField(max_length=8, choices=Protocol.choices, default=Protocol.AUTO)
    max_steps = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    timeout_seconds = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                condition=Q(tenant__isnull=False),
                name="agents_agent_unique_tenant_name",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(tenant__isnull=True),
                name="agents_agent_unique_global_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.tenant_id is None else f"{self.name} ({self.tenant})"


class Document(models.Model):
    """A tenant's document, searchable by that tenant's agents (and never by another tenant's)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=300)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class Conversation(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="conversations")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="conversations")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["tenant", "-updated_at"])]

    def __str__(self) -> str:
        return f"conversation {self.pk} ({self.agent.name})"


class Message(models.Model):
    """One message of a conversation, in the OpenAI chat shape (the canonical transcript)."""

    class Role(models.TextChoices):
        USER = "user", "User"
        ASSISTANT = "assistant", "Assistant"
        TOOL = "tool", "Tool"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField(blank=True)
    tool_calls = models.JSONField(default=list, blank=True)
    tool_call_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "seq"], name="agents_message_unique_seq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} #{self.seq}"


class AgentRun(models.Model):
    """One ``chat`` call: how it ended, on which provider, what it cost."""

    class Status(models.TextChoices):
        OK = "ok", "Answered"
        FALLBACK = "fallback", "Ended early (fallback)"
        ERROR = "error", "Failed"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="agent_runs")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="runs")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=16, choices=Status.choices)
    fallback_reason = models.CharField(max_length=32, blank=True)
    protocol = models.CharField(max_length=8, blank=True)
    provider = models.CharField(max_length=100, blank=True)
    model_calls = models.PositiveSmallIntegerField(default=0)
    usage = models.JSONField(default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class AgentStep(models.Model):
    """One tool call of a run. The output excerpt is redacted before it is stored."""

    class Status(models.TextChoices):
        OK = "ok", "OK"
        ERROR = "error", "Error"
        BLOCKED = "blocked", "Blocked by the guard"

    run = models.ForeignKey(AgentRun, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField(help_text="The model call that asked for this tool.")
    position = models.PositiveSmallIntegerField(default=0)
    tool = models.CharField(max_length=100)
    arguments = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    duration_ms = models.PositiveIntegerField(default=0)
    output_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["run", "step", "position"]

    def __str__(self) -> str:
        return f"{self.tool} ({self.status})"
