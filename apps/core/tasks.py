"""Platform tasks: a probe that shows a worker is alive and reaches the database and cache."""

from __future__ import annotations

import socket

from celery import shared_task

from apps.core.checks import check_cache, check_database


@shared_task(name="core.probe")
def probe(token: str) -> dict[str, str]:
    """Echo ``token`` with the worker's view of its dependencies (used by readiness tooling)."""
    return {
        "token": token,
        "hostname": socket.gethostname(),
        "database": check_database() or "ok",
        "cache": check_cache() or "ok",
    }
