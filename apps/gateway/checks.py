"""Whether this deployment's process model is coherent."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NO_REDIS_MULTIPROCESS = (
    "WEB_CONCURRENCY={workers} asks for {workers} server processes, but REDIS_URL is not set: "
    "each process would keep its own circuit breakers and rate limits (an operator's breaker "
    "reset would apply to one process only). Set REDIS_URL to share that state, or run one "
    "process (WEB_CONCURRENCY=1, the embedded default)."
)


def server_processes() -> int:
    return int(os.environ.get("WEB_CONCURRENCY", "1") or "1")


def check_process_model(workers: int | None = None) -> None:
    """Refuse to serve from more than one process without Redis (state would split)."""
    workers = server_processes() if workers is None else workers
    if workers > 1 and not settings.REDIS_URL:
        raise ImproperlyConfigured(NO_REDIS_MULTIPROCESS.format(workers=workers))
