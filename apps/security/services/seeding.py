"""Seeding the defaults of a fresh install; never overwrites what operators changed."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.db import transaction

from apps.core.live_config import bump_version
from apps.security.guard.defaults import DEFAULT_RULES
from apps.security.guard.model import load_model
from apps.security.models import (
    DetectionSettings,
    InjectionModelVersion,
    InjectionPattern,
    SanitizationPolicy,
    SecretPattern,
)
from apps.security.redaction import DEFAULT_SECRET_PATTERNS
from apps.security.selectors import (
    POLICY_NAMESPACE,
)
from apps.security.services.training import injection_model_version_create

logger = logging.getLogger(__name__)


def security_seed(*, stdout: Any = None) -> dict[str, int]:
    """Create missing defaults; never overwrite what operators changed (upsert = create only)."""
    created = {"patterns": 0, "secret_patterns": 0, "policies": 0, "models": 0}
    with transaction.atomic():
        have = set(
            InjectionPattern.objects.filter(tenant__isnull=True).values_list("name", flat=True)
        )
        for rule in DEFAULT_RULES:
            if rule["name"] in have:
                continue
            obj = InjectionPattern(
                tenant=None,
                name=rule["name"],
                category=rule["category"],
                pattern=rule["pattern"],
                severity=rule["severity"],
                action=rule["action"],
                description=rule.get("description", ""),
                updated_by="seed",
            )
            obj.full_clean()
            obj.save()
            created["patterns"] += 1
        have_secrets = set(SecretPattern.objects.values_list("name", flat=True))
        for spec in DEFAULT_SECRET_PATTERNS:
            if spec.name not in have_secrets:
                SecretPattern.objects.create(
                    name=spec.name, pattern=spec.pattern, updated_by="seed"
                )
                created["secret_patterns"] += 1
        if not SanitizationPolicy.objects.filter(tenant__isnull=True).exists():
            SanitizationPolicy.objects.create(tenant=None, updated_by="seed")
            created["policies"] += 1
        _, made = DetectionSettings.objects.get_or_create(pk=1, defaults={"updated_by": "seed"})
        created["policies"] += int(made)
        if any(created.values()):
            bump_version(POLICY_NAMESPACE)
    created["models"] += int(_seed_shipped_model())
    if stdout is not None:
        stdout.write(
            "security: seeded {patterns} patterns, {secret_patterns} secret patterns, "
            "{policies} policies, {models} model versions".format(**created)
        )
    return created


def _seed_shipped_model() -> bool:
    """Import the model shipped with this release once. It becomes active only when no
    operator-trained model is active (a seeded one is replaced by a newer seeded one)."""
    from apps.security.guard.model import DEFAULT_MODEL_PATH

    path = Path(DEFAULT_MODEL_PATH)
    if not (path / "model.json").is_file():
        return False
    model = load_model(path)
    metadata = dict(model.metadata or {})
    shipped_id = f"{model.version}@{metadata.get('trained_at', '')}"
    if InjectionModelVersion.objects.filter(data_summary__shipped_id=shipped_id).exists():
        return False
    active = InjectionModelVersion.objects.filter(is_active=True).first()
    injection_model_version_create(
        model=model,
        data_summary={
            "shipped_id": shipped_id,
            "total": metadata.get("n_samples"),
            "label_counts": metadata.get("label_counts", {}),
            "sources": metadata.get("sources", {}),
        },
        metrics_summary=metadata.get("cv_metrics")
        or {"calibration_split": metadata.get("calibration_split", {})},
        activate=active is None or active.created_by == "seed",
        created_by="seed",
    )
    return True
