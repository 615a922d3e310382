"""Reads for flows. Templates and label sets come from per-process live caches, not the DB."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.core.live_config import LiveCache
from apps.flows.exceptions import TemplateMissing, UnknownLabelSet
from apps.flows.models import Job, LabelSet, NotaryRecord, PromptTemplate, PromptTemplateVersion
from apps.tenants.models import Tenant
from apps.tenants.selectors import scoped_get

TEMPLATES_NAMESPACE = "prompt-templates"
LABEL_SETS_NAMESPACE = "label-sets"


def _build_active_templates() -> dict[str, PromptTemplateVersion]:
    templates = PromptTemplate.objects.filter(active_version__isnull=False).select_related(
        "active_version"
    )
    active: dict[str, PromptTemplateVersion] = {}
    for template in templates:
        version = template.active_version
        if version is None:  # excluded by the filter; narrows the type
            continue
        version.template = template  # so callers can read .template.name without a query
        active[template.name] = version
    return active


_active_templates: LiveCache[dict[str, PromptTemplateVersion]] = LiveCache(
    TEMPLATES_NAMESPACE, _build_active_templates
)


def active_template(name: str) -> PromptTemplateVersion:
    """The version in force for template ``name`` (a change is live everywhere within 1 s)."""
    version = _active_templates.get().get(name)
    if version is None:
        # The defaults are seeded by ``migrate`` (post_migrate) and ``bootstrap``; a read
        # never writes them.
        raise TemplateMissing(
            f"No active prompt template named {name!r} "
            "(an operator restores the defaults with: python manage.py bootstrap)."
        )
    return version


def _build_label_sets() -> dict[tuple[int | None, str], tuple[str, ...]]:
    return {
        (row.tenant_id, row.name): tuple(row.labels)
        for row in LabelSet.objects.only("tenant_id", "name", "labels")
    }


_label_sets: LiveCache[dict[tuple[int | None, str], tuple[str, ...]]] = LiveCache(
    LABEL_SETS_NAMESPACE, _build_label_sets
)


def label_set_labels(*, tenant: Tenant, name: str) -> tuple[str, ...]:
    """Labels of the tenant's own set ``name``, else of the shared set of that name."""
    sets = _label_sets.get()
    labels = sets.get((tenant.pk, name))
    if labels is None:
        labels = sets.get((None, name))
    if labels is None:
        raise UnknownLabelSet(f"No label set named {name!r}.")
    return labels


def notary_record_get(*, tenant: Tenant, record_id: str) -> NotaryRecord:
    return scoped_get(
        NotaryRecord.objects.select_related("template_version__template"),
        tenant=tenant,
        pk=record_id,
    )


def job_get(*, tenant: Tenant, job_id: str) -> Job:
    return scoped_get(Job.objects.all(), tenant=tenant, pk=job_id)


def template_versions(*, template: PromptTemplate) -> QuerySet[PromptTemplateVersion]:
    return template.versions.order_by("-version")
