"""Celery application. Without CELERY_BROKER_URL tasks run in-process (see settings)."""

import os

from celery import Celery
from celery.signals import worker_init, worker_process_init, worker_process_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenthub.settings")

app = Celery("agenthub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _serve_worker_metrics(**kwargs) -> None:
    """With CELERY_METRICS_PORT set, the worker serves /metrics for what its tasks record
    (agent runs, LLM calls, blocks in async jobs), merged over its pool processes when
    PROMETHEUS_MULTIPROC_DIR is set (the pool's children inherit it). That directory must be
    emptied before the worker starts (docker/entrypoint.sh does), not here: metrics defined at
    import time already have their files in it."""
    port = os.environ.get("CELERY_METRICS_PORT")
    if not port:
        return
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    addr = os.environ.get("CELERY_METRICS_ADDR", "0.0.0.0")  # noqa: S104
    start_http_server(int(port), addr=addr, registry=registry)


@worker_process_shutdown.connect
def _mark_pool_process_dead(pid=None, **kwargs) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


@worker_process_init.connect
def _tracing_in_worker_process(**kwargs) -> None:
    # Each prefork child traces with its own provider and export thread (none when off).
    from apps.core import tracing

    tracing.configure()
