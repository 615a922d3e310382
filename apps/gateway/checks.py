"""Whether this deployment's process model is coherent."""

from __future__ import annotations

import math
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
    """``WEB_CONCURRENCY`` when set; otherwise one process per core this server may use when
    Redis shares the state between processes, and one process without Redis (the embedded
    default). A production server left at one process used one core of the machine: on two
    cores, a burst of 2,000 streams started ~1.4x slower than with two."""
    configured = os.environ.get("WEB_CONCURRENCY", "").strip()
    if configured:
        return int(configured)
    return usable_cores() if settings.REDIS_URL else 1


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), capped by a cgroup v2 CPU quota
    (``docker run --cpus=2`` on a larger host: ``cpu.max`` "200000 100000")."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cores = min(cores, quota)
    return max(1, cores)


CGROUP_CPU_MAX = "/sys/fs/cgroup/cpu.max"


def _cgroup_cpu_quota(path: str = CGROUP_CPU_MAX) -> int | None:
    """Whole cores of the cgroup v2 CPU quota (rounded up), None when there is none."""
    try:
        with open(path, encoding="ascii") as handle:
            quota, period = handle.read().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return max(1, math.ceil(int(quota) / int(period)))
    except (ValueError, ZeroDivisionError):
        return None


def check_process_model(workers: int | None = None) -> None:
    """Refuse to serve from more than one process without Redis (state would split)."""
    workers = server_processes() if workers is None else workers
    if workers > 1 and not settings.REDIS_URL:
        raise ImproperlyConfigured(NO_REDIS_MULTIPROCESS.format(workers=workers))
