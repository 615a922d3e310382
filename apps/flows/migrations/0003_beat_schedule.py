"""Periodic task of the flows app in django-celery-beat's DatabaseScheduler (editable in admin):
delete expired Idempotency-Key records every hour."""

from django.db import migrations

PURGE = "flows: purge expired idempotency keys"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=3600, period="seconds")
    # get_or_create: an operator's later edits (interval, enabled) survive re-running.
    PeriodicTask.objects.get_or_create(
        name=PURGE, defaults={"task": "flows.purge_idempotency_records", "interval": hourly}
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=PURGE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0002_seed_default_templates"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
