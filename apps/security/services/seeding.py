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
    PiiPolicy,
    SanitizationPolicy,
    SecretPattern,
    SecretSource,
)
from apps.security.redaction import DEFAULT_SECRET_PATTERNS, SecretSpec
from apps.security.secret_rules import BUILTIN_SECRET_PATTERNS
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
        created["secret_patterns"], refreshed = _seed_secret_patterns()
        if not PiiPolicy.objects.filter(tenant__isnull=True, api_key__isnull=True).exists():
            PiiPolicy.objects.create(updated_by="seed")
            created["policies"] += 1
        if not SanitizationPolicy.objects.filter(tenant__isnull=True).exists():
            SanitizationPolicy.objects.create(tenant=None, updated_by="seed")
            created["policies"] += 1
        _, made = DetectionSettings.objects.get_or_create(pk=1, defaults={"updated_by": "seed"})
        created["policies"] += int(made)
        if any(created.values()) or refreshed:
            bump_version(POLICY_NAMESPACE)
    created["models"] += int(_seed_shipped_model())
    if stdout is not None:
        stdout.write(
            "security: seeded {patterns} patterns, {secret_patterns} secret patterns, "
            "{policies} policies, {models} model versions".format(**created)
        )
    return created


def _secret_pattern_fields(spec: SecretSpec) -> dict[str, Any]:
    builtin = {b.name for b in BUILTIN_SECRET_PATTERNS}
    return {
        "pattern": spec.pattern,
        "keywords": ",".join(spec.keywords),
        "entropy": spec.entropy,
        "secret_group": spec.secret_group,
        "validation": spec.check,
        "allowlists": [
            {
                "target": a.target,
                "regexes": list(a.regexes),
                "stopwords": list(a.stopwords),
                "condition": a.condition,
            }
            for a in spec.allowlists
        ],
        "source": SecretSource.BUILTIN if spec.name in builtin else SecretSource.GITLEAKS,
        "description": spec.description[:2000],
    }


def _seed_secret_patterns() -> tuple[int, int]:
    """Add the catalogue's rules that are missing. A row the seed wrote and no operator touched
    since (``updated_by == "seed"``) follows the catalogue when a release changes a rule; a row
    an operator edited or disabled is theirs and never overwritten."""
    rows = {row.name: row for row in SecretPattern.objects.all()}
    added = refreshed = 0
    for spec in DEFAULT_SECRET_PATTERNS:
        fields = _secret_pattern_fields(spec)
        row = rows.get(spec.name)
        if row is None:
            SecretPattern.objects.create(name=spec.name, updated_by="seed", **fields)
            added += 1
        elif row.updated_by == "seed" and any(getattr(row, k) != v for k, v in fields.items()):
            SecretPattern.objects.filter(pk=row.pk).update(**fields)
            refreshed += 1
    return added, refreshed


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
