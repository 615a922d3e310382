"""gunicorn configuration, shared by `make run` and the production image.

LLM calls spend seconds waiting on the upstream, so each worker process runs many threads
(gthread): WEB_CONCURRENCY processes x GUNICORN_THREADS threads is how many slow upstream calls
the server holds at once (default 2 x 256 = 512).
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "256"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"

# prometheus_client multiprocess mode: every worker writes its samples to this directory and
# /metrics merges them. It must be empty at start and dead workers must be marked.
_multiproc_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    str(Path(os.environ.get("TMPDIR", "/tmp")) / f"agenthub-metrics-{os.getpid()}"),  # noqa: S108
)


def on_starting(server) -> None:
    shutil.rmtree(_multiproc_dir, ignore_errors=True)
    Path(_multiproc_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
