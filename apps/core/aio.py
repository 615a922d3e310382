"""Blocking work from the event loop: one bounded thread pool per process.

The async front door (``apps.gateway``) runs its request path on the event loop; anything that
may block -- a database query, sync-only code -- goes through :func:`run_blocking` (awaited, with
a deadline) or :func:`submit_blocking` (fire and forget: ``last_used_at`` touches, breaker events,
statistics flushes). The pool is bounded (``GATEWAY_BLOCKING_THREADS``), so a database outage
holds at most that many threads and connections, and a caller waits at most its deadline: a
request that truly needs the database then answers 503 ``service_unavailable`` with
``Retry-After``, never 500 and never a hang.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, close_old_connections

from apps.core.exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def on_event_loop() -> bool:
    """True when called from a thread that is running an asyncio event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def blocking_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        with _lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(
                    max_workers=settings.GATEWAY_BLOCKING_THREADS,
                    thread_name_prefix="blocking",
                )
    return _executor


def _closing(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    # A pool thread is like a request thread: its connection is checked before and after use
    # (CONN_MAX_AGE, health checks; with a pool it goes back to the pool).
    close_old_connections()
    try:
        return fn(*args, **kwargs)
    finally:
        close_old_connections()


async def run_blocking(
    fn: Callable[..., T], *args: Any, deadline: float | None = None, **kwargs: Any
) -> T:
    """``fn(*args, **kwargs)`` on the bounded pool. A database error, or no answer within
    ``deadline`` seconds (default ``GATEWAY_DB_DEADLINE``), is :class:`ServiceUnavailable`."""
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(
        blocking_executor(), functools.partial(_closing, fn, *args, **kwargs)
    )
    limit = settings.GATEWAY_DB_DEADLINE if deadline is None else deadline
    try:
        return await asyncio.wait_for(future, limit)
    except TimeoutError:
        logger.warning("blocking call %s gave no answer within %.2fs", _name(fn), limit)
        raise ServiceUnavailable() from None
    except DatabaseError as exc:
        logger.warning("database unavailable for %s: %s", _name(fn), type(exc).__name__)
        raise ServiceUnavailable() from None


def submit_blocking(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """Run ``fn`` on the bounded pool without waiting; a failure is logged, never raised."""
    future = blocking_executor().submit(_closing, fn, *args, **kwargs)
    future.add_done_callback(functools.partial(_log_failure, _name(fn)))
    return future


def _log_failure(name: str, future: Future) -> None:
    exc = future.exception()
    if exc is not None:
        logger.warning("background call %s failed: %s: %s", name, type(exc).__name__, exc)


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", repr(fn))
