"""Flows' data: versioned prompt templates, label sets, notary records, async jobs, idempotency.

Prompt template versions and notary records are append-only: a change is a new row, never an
in-place edit (``save()`` refuses updates so no code path can rewrite history by accident).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models

from apps.tenants.models import ApiKey, Tenant

FLOWS = ("notary", "classify", "ask")
FLOW_CHOICES = [(flow, flow) for flow in FLOWS]


class ImmutableRowError(ValidationError):
    pass


class AppendOnlyModel(models.Model):
    """A row that is written once. Updates raise; history is corrected by adding rows."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableRowError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)


class PromptTemplate(models.Model):
    """A named prompt; its text lives in versions, and ``active_version`` is the one in force."""

    name = models.SlugField(max_length=64, unique=True)
    flow = models.CharField(
        max_length=32,
        choices=FLOW_CHOICES,
        blank=True,
        help_text="The flow this template drives (blank: used by name from other code).",
    )
    description = models.CharField(max_length=300, blank=True)
    active_version = models.ForeignKey(
        "PromptTemplateVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["flow"],
                condition=~models.Q(flow=""),
                name="flows_one_template_per_flow",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PromptTemplateVersion(AppendOnlyModel):
    """One immutable version of a template's text."""

    template = models.ForeignKey(PromptTemplate, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    system_prompt = models.TextField()
    user_template = models.TextField(
        help_text="Placeholders: {{ name }}; each flow documents the ones it fills in."
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["template", "version"], name="flows_template_version")
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.version}"


class LabelSet(models.Model):
    """A named list of labels for ``classify``; shared (no tenant) or a tenant's own."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, null=True, blank=True, related_name="label_sets"
    )
    name = models.SlugField(max_length=64)
    labels = models.JSONField(help_text='A JSON list of distinct strings, e.g. ["a", "b"].')
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                name="flows_labelset_tenant_name",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(tenant__isnull=True),
                name="flows_labelset_shared_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.tenant_id is None else f"{self.name} ({self.tenant})"


class NotaryRecord(AppendOnlyModel):
    """What ``notary`` produced, sealed: hashes of the input and of the canonical output JSON."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="notary_records")
    input_sha256 = models.CharField(max_length=64)
    output = models.JSONField()
    output_sha256 = models.CharField(max_length=64)
    provider = models.CharField(max_length=100)
    model = models.CharField(max_length=200)
    template_version = models.ForeignKey(
        PromptTemplateVersion, on_delete=models.PROTECT, related_name="notary_records"
    )
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self) -> str:
        return str(self.id)


class Job(models.Model):
    """An async flow or agent run. Tenant-scoped; the result is read by the same tenant only."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="jobs")
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    payload = models.JSONField(default=dict)
    context = models.JSONField(default=dict, help_text="Request context for the guard and audit.")
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    error_status = models.PositiveSmallIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(
        default=0, help_text="How many times a worker claimed it (a re-claim after a lost worker)."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Written every few seconds by the worker running it."
    )
    checkpoints = models.JSONField(
        default=dict,
        blank=True,
        help_text="Results of upstream calls already made, reused if the job is run again.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "-created_at"]),
            models.Index(
                fields=["heartbeat_at"],
                condition=models.Q(status="running"),
                name="flows_job_running_heartbeat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"


class JobDispatch(models.Model):
    """The transactional outbox: a job's "publish me" record, written in the job's transaction.

    The relay (an on-commit fast path and a periodic task) publishes pending rows to the broker
    and marks them dispatched; a failed publish is retried with backoff, so a job whose broker
    was down when it was submitted still runs once the broker is back.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="dispatches")
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(dispatched_at__isnull=True),
                name="flows_jobdispatch_pending",
            )
        ]

    def __str__(self) -> str:
        state = "dispatched" if self.dispatched_at else "pending"
        return f"dispatch of {self.job_id} ({state})"


class JobReaperState(models.Model):
    """One row: when the reaper last looked at heartbeats, and since when without a gap.

    A heartbeat can only be written while the database answers. After a gap longer than the
    staleness window (the database or every reaper was down), every running job looks stale,
    live ones included; the reaper then waits one full window before re-queueing anything, so
    live workers have written fresh heartbeats by then.
    """

    last_run_at = models.DateTimeField()
    watching_since = models.DateTimeField()

    def __str__(self) -> str:
        return f"job reaper (watching since {self.watching_since:%Y-%m-%d %H:%M:%S})"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key``, replayed on retries."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        DONE = "done"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    body_sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "scope", "key"], name="flows_idempotency_key")
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
