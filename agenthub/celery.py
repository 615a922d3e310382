"""Celery application. Without CELERY_BROKER_URL tasks run in-process (see settings)."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenthub.settings")

app = Celery("agenthub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _tracing_in_worker_process(**kwargs) -> None:
    # Each prefork child traces with its own provider and export thread (none when off).
    from apps.core import tracing

    tracing.configure()
