"""BlockStat gains the ``primary`` dimension (one per block); existing blocks are counted."""

from collections import Counter

from django.db import migrations, models


def count_primaries(apps, schema_editor):
    from apps.security.blockstats import primary_category

    BlockedRequest = apps.get_model("security", "BlockedRequest")
    BlockStat = apps.get_model("security", "BlockStat")
    counts: Counter = Counter()
    rows = BlockedRequest.objects.values_list("created_at", "tenant_id", "categories", "matches")
    for created_at, tenant_id, categories, matches in rows.iterator(chunk_size=5000):
        hour = created_at.replace(minute=0, second=0, microsecond=0)
        counts[(hour, tenant_id, primary_category(categories or [], matches or []))] += 1
    BlockStat.objects.bulk_create(
        [
            BlockStat(hour=h, tenant_id=t, dimension="primary", value=v, count=n)
            for (h, t, v), n in counts.items()
        ],
        batch_size=2000,
    )


def forget_primaries(apps, schema_editor):
    apps.get_model("security", "BlockStat").objects.filter(dimension="primary").delete()


class Migration(migrations.Migration):
    dependencies = [("security", "0004_audit_search_indexes")]

    operations = [
        migrations.AlterField(
            model_name="blockstat",
            name="dimension",
            field=models.CharField(
                choices=[
                    ("total", "Total"),
                    ("primary", "Primary"),
                    ("category", "Category"),
                    ("rule", "Rule"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(count_primaries, forget_primaries),
    ]
