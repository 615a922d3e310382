"""Periodic tasks of the security app, in django-celery-beat's DatabaseScheduler (editable in
admin): flush the audit spool every minute, purge old audit rows daily at 03:30 UTC."""

from django.db import migrations

FLUSH = "security: flush audit spool"
PURGE = "security: purge old audit records"


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")

    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    # get_or_create: an operator's later edits (interval, enabled) survive re-running.
    PeriodicTask.objects.get_or_create(
        name=FLUSH,
        defaults={"task": "security.flush_audit_spool", "interval": every_minute},
    )
    PeriodicTask.objects.get_or_create(
        name=PURGE,
        defaults={"task": "security.purge_audit", "crontab": daily},
    )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[FLUSH, PURGE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
