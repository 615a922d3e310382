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
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from apps.core.exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None
_background: set[asyncio.Task] = set()
_lock = threading.Lock()


# Set by the ASGI front door for each request it serves: code below it runs on the server's
# one event loop and must not block. Elsewhere -- WSGI, the test client (which runs an async
# view on a throwaway loop inside the request thread), management commands, pool threads --
# blocking is fine and stays in the calling thread, next to the caller's database connection.
_serving: ContextVar[bool] = ContextVar("agenthub_serving_event_loop", default=False)


def mark_serving_event_loop() -> None:
    """Called by the ASGI front door at the start of each request it serves."""
    _serving.set(True)


def on_event_loop() -> bool:
    """True when running under the async server's event loop (see ``_serving``)."""
    return _serving.get()


def database_forbidden_here() -> bool:
    """Whether this thread runs an event loop, so Django forbids database access here (unless
    DJANGO_ALLOW_ASYNC_UNSAFE says otherwise, as Django's own check does): an async view
    served through WSGI (``runserver``, schemathesis, the test client) is on one."""
    if os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"):
        return False
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
    future: Awaitable[T]
    if on_event_loop():
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            blocking_executor(), functools.partial(_closing, fn, *args, **kwargs)
        )
    else:  # a request thread already waits on this loop: run it there (its connection)
        future = sync_to_async(fn, thread_sensitive=True)(*args, **kwargs)
    limit = settings.GATEWAY_DB_DEADLINE if deadline is None else deadline
    try:
        return await asyncio.wait_for(future, limit)
    except TimeoutError:
        logger.warning("blocking call %s gave no answer within %.2fs", _name(fn), limit)
        raise ServiceUnavailable() from None
    except DatabaseError as exc:
        logger.warning("database unavailable for %s: %s", _name(fn), type(exc).__name__)
        raise ServiceUnavailable() from None


def submit_blocking(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future | None:
    """Run ``fn`` on the bounded pool without waiting (inline when not under the async
    server); a failure is logged, never raised."""
    if not on_event_loop():
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # plain sync code: just run it
            try:
                fn(*args, **kwargs)
            except Exception as exc:
                logger.warning("call %s failed: %s: %s", _name(fn), type(exc).__name__, exc)
            return None
        # An async view under WSGI: the request thread runs it (its connection, its transaction).
        task = loop.create_task(sync_to_async(fn, thread_sensitive=True)(*args, **kwargs))
        _background.add(task)
        task.add_done_callback(_background.discard)
        return None
    future = blocking_executor().submit(_closing, fn, *args, **kwargs)
    future.add_done_callback(functools.partial(_log_failure, _name(fn)))
    return future


def _log_failure(name: str, future: Future) -> None:
    exc = future.exception()
    if exc is not None:
        logger.warning("background call %s failed: %s: %s", name, type(exc).__name__, exc)


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", repr(fn))
