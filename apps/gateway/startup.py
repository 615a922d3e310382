"""What a server process does before it accepts its first request (no Django imports at module
level: agenthub/server.py reads its constants before Django is set up).

A burst that lands on a process right after start-up would otherwise pay, on its first requests
and all at once, for everything the request path builds lazily: the live caches (a database
read each), the redactor's few hundred RE2 patterns, the guard's embedding model, the PII
detector's phone metadata (``bench/gateway/scenarios.py cold`` fires 500 requests as the
server comes up, and again at the same server warm).

uvicorn's processes share one listening socket, and a process listens only once its lifespan
start-up is done; the first one ready would take a whole burst alone while its siblings still
warm up. So with more than one process each waits (bounded) until all are warm: the socket is
served from the first request on by every process. A process restarted later finds the others
already marked and does not wait.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
from pathlib import Path

logger = logging.getLogger(__name__)

# Where the server (agenthub/server.py) notes, in a request's scope, when its headers were
# parsed (time.monotonic()): how long it then waited for the event loop is its queue delay.
RECEIVED_AT = "agenthub.received_at"

# Set by agenthub/server.py for its processes: a directory each marks when warm, and how many.
BARRIER_DIR_ENV = "AGENTHUB_START_BARRIER"
BARRIER_PROCESSES_ENV = "AGENTHUB_START_PROCESSES"
BARRIER_TIMEOUT_SECONDS = 60.0

# Touches the guard (rules + model), the PII detector (an e-mail, a phone number) and the
# secret redactor (a key-like token) without being a secret, PII that matters, or an attack.
_SAMPLE = (
    "Hello! Summarise this note for the team: call +1 415 555 0100 or write to "
    "ops@example.com, the config key is AKIAEXAMPLEEXAMPLE00 and the meeting is at 10:30."
)


def warm_request_path() -> list[str]:
    """Build the request path's lazy state now (blocking; run it in a thread). Returns what was
    warmed. A step that fails (the database is down) is logged and skipped: requests build it
    later, or answer 503, as they would have without the warm-up."""
    from django.urls import get_resolver

    from apps.core.live_config import LiveCache
    from apps.security.services import current_redactor, scan, scrub_pii
    from apps.security.streaming import StreamRedactor

    _ = get_resolver().url_patterns  # import every view: their modules define live caches
    warmed: list[str] = []
    for cache in LiveCache.instances():
        try:
            cache.warm()
        except Exception as exc:  # the database is down: serve anyway (the caches retry)
            logger.warning("could not warm the live caches (%s); serving anyway", exc)
            break
        warmed.append(cache.namespace)
    steps = (
        ("guard", lambda: scan(_SAMPLE)),
        ("redactor", lambda: current_redactor().redact(_SAMPLE)),
        ("stream redactor", lambda: StreamRedactor(current_redactor()).feed(_SAMPLE)),
        ("pii", lambda: scrub_pii(_SAMPLE)),
    )
    for name, step in steps:
        try:
            step()
        except Exception as exc:
            logger.warning("could not warm the %s (%s); serving anyway", name, exc)
            continue
        warmed.append(name)
    return warmed


def settle_heap(young_threshold: int) -> int:
    """Take what start-up built out of the garbage collector's sight, and collect the young
    generation less often. Returns how many objects were frozen.

    Measured under a 2,000-stream burst (``bench/gateway/scenarios.py streams``): with
    CPython's defaults (700, 10, 10) each process ran two full collections of 130-480 ms at
    the start of the burst -- every open request and every module, class and model object
    start-up built traversed again, the event loop stalled for the whole pause -- and
    hundreds of young collections. Start-up's objects live as long as the process: frozen,
    no collection walks them again. A larger young threshold means fewer collections, each
    over more objects: the same work per object allocated, but far fewer walks of the older
    generations (a request's objects mostly die young either way)."""
    gc.collect()
    gc.freeze()
    if young_threshold > 0:
        _young, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)
    return gc.get_freeze_count()


async def wait_for_sibling_processes(
    *, timeout: float = BARRIER_TIMEOUT_SECONDS, poll: float = 0.05
) -> int:
    """Mark this process warm, then wait until every process of the server is (or ``timeout``
    passed). Returns how many processes are marked; a no-op (1) outside a multi-process server."""
    directory = os.environ.get(BARRIER_DIR_ENV, "")
    expected = int(os.environ.get(BARRIER_PROCESSES_ENV, "1") or "1")
    if not directory or expected <= 1:
        return 1
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    (path / str(os.getpid())).touch()
    deadline = time.monotonic() + timeout
    while True:
        ready = sum(1 for _ in path.iterdir())
        if ready >= expected:
            return ready
        if time.monotonic() > deadline:
            logger.warning(
                "%d of %d server processes warm after %.0f s; serving anyway",
                ready,
                expected,
                timeout,
            )
            return ready
        await asyncio.sleep(poll)
