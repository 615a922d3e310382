"""The learned model: versions, activation, labelled examples and retraining."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.live_config import bump_version
from apps.security.guard.model import InjectionModel, calibrated
from apps.security.guard.train import cross_validate, rows_features, train_from_rows
from apps.security.models import (
    DetectionSettings,
    InjectionModelVersion,
    TrainingExample,
)
from apps.security.selectors import (
    POLICY_NAMESPACE,
    model_to_bytes,
    training_rows,
)
from apps.security.services.redaction import redact
from apps.security.services.sanitization import STORED_CONTROL, scrub_surrogates

logger = logging.getLogger(__name__)


@transaction.atomic
def injection_model_version_create(
    *,
    model: InjectionModel,
    data_summary: dict[str, Any],
    metrics_summary: dict[str, Any],
    activate: bool,
    created_by: str = "",
) -> InjectionModelVersion:
    artifact = model_to_bytes(model)
    version = str(getattr(model, "version", "") or timezone.now().strftime("%Y%m%d%H%M%S"))
    if InjectionModelVersion.objects.filter(version=version).exists():
        version = f"{version}-{secrets.token_hex(3)}"
    row = InjectionModelVersion(
        version=version[:64],
        trained_at=timezone.now(),
        data_summary=data_summary,
        metrics=metrics_summary,
        artifact=artifact,
        artifact_sha256=hashlib.sha256(artifact).hexdigest(),
        created_by=created_by[:150],
    )
    row.full_clean(exclude=["artifact"])
    row.save()
    if activate:
        injection_model_version_activate(version=row)
    return row


@transaction.atomic
def injection_model_version_activate(*, version: InjectionModelVersion) -> None:
    InjectionModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(
        is_active=False
    )
    InjectionModelVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True
    bump_version(POLICY_NAMESPACE)


@dataclass(frozen=True)
class ExampleImportResult:
    created: int
    duplicates: int
    errors: list[str]


def training_examples_import(*, lines: Iterable[str], source: str = "") -> ExampleImportResult:
    """Import JSONL rows ``{"text", "label": "injection"|"benign", "source"?}``; stored redacted,
    deduplicated by content. Bad lines are reported and skipped."""
    errors: list[str] = []
    new: dict[str, TrainingExample] = {}
    duplicates = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            errors.append(f"line {number}: not JSON")
            continue
        if not isinstance(item, dict):
            errors.append(f"line {number}: expected an object")
            continue
        text, label = item.get("text"), item.get("label")
        if not isinstance(text, str) or not text.strip():
            errors.append(f"line {number}: missing text")
            continue
        if label not in ("injection", "benign"):
            errors.append(f"line {number}: label must be injection or benign")
            continue
        stored = STORED_CONTROL.sub("", redact(scrub_surrogates(text)))
        digest = hashlib.sha256(stored.encode("utf-8")).hexdigest()
        if digest in new:
            duplicates += 1
            continue
        new[digest] = TrainingExample(
            text=stored,
            label=label,
            source=str(item.get("source") or source)[:100],
            text_sha256=digest,
        )
    known = set(
        TrainingExample.objects.filter(text_sha256__in=list(new)).values_list(
            "text_sha256", flat=True
        )
    )
    duplicates += len(known)
    to_create = [obj for digest, obj in new.items() if digest not in known]
    TrainingExample.objects.bulk_create(to_create, batch_size=500, ignore_conflicts=True)
    return ExampleImportResult(created=len(to_create), duplicates=duplicates, errors=errors)


MIN_EXAMPLES_PER_CLASS = 10


def injection_model_retrain(
    *, activate: bool = True, created_by: str = ""
) -> InjectionModelVersion:
    """Train a new model from the stored examples and operators' verdicts; store (and activate)
    it with out-of-fold metrics (stratified 5-fold and leave-one-source-out) at the live block
    threshold. Raises ValidationError when there is too little data of either class."""
    rows, summary = training_rows()
    positives, negatives = summary["injection"], summary["benign"]
    if positives < MIN_EXAMPLES_PER_CLASS or negatives < MIN_EXAMPLES_PER_CLASS:
        raise ValidationError(
            f"Need at least {MIN_EXAMPLES_PER_CLASS} injection and {MIN_EXAMPLES_PER_CLASS} "
            f"benign examples (have {positives} and {negatives}): import a dataset first."
        )
    threshold = (DetectionSettings.objects.filter(pk=1).first() or DetectionSettings()).model_block
    # tokenize once for cross-validation and the final fit; the head is trained on top of the
    # committed embeddings, which stay as they are
    features = rows_features(rows)
    # the threshold at 1 % out-of-fold false positives is made to read as the live block
    # threshold, so the operators' settings keep their meaning for the new head
    metrics_summary = cross_validate(rows, features=features, max_fpr=0.01)
    model = train_from_rows(
        rows, features=features, extra_metadata={"data": summary, "cv_metrics": metrics_summary}
    )
    model = calibrated(model, chosen=metrics_summary["threshold"], target=threshold)
    metrics_summary = {**metrics_summary, "reads_as": threshold}
    return injection_model_version_create(
        model=model,
        data_summary=summary,
        metrics_summary=metrics_summary,
        activate=activate,
        created_by=created_by,
    )
