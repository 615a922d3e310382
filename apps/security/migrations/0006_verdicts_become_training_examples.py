"""Operators' verdicts are training examples now (they outlive the audit rows' retention):
copy the verdicts given so far."""

import hashlib

from django.db import migrations

LABELS = {"confirmed_attack": "injection", "false_positive": "benign"}


def copy_verdicts(apps, schema_editor):
    BlockedRequest = apps.get_model("security", "BlockedRequest")
    TrainingExample = apps.get_model("security", "TrainingExample")
    reviewed = BlockedRequest.objects.filter(verdict__in=list(LABELS)).exclude(excerpt="")
    examples = {}
    for excerpt, verdict in reviewed.order_by("verdict_at").values_list("excerpt", "verdict"):
        digest = hashlib.sha256(excerpt.encode("utf-8")).hexdigest()
        examples[digest] = TrainingExample(
            text=excerpt, label=LABELS[verdict], source="audit-verdict", text_sha256=digest
        )
    TrainingExample.objects.bulk_create(
        list(examples.values()), batch_size=500, ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("security", "0005_judge_stage_and_tenant_detection_policy")]

    operations = [migrations.RunPython(copy_verdicts, migrations.RunPython.noop)]
