"""Steps of a running job that must not be repeated: upstream calls and the rows they create.

While a job runs, :func:`job_step` stores each step's result on the job row (``checkpoints``) as
soon as it has it. When the job is run again — its worker died and the reaper re-queued it, or
the broker delivered it twice — the stored results are reused in order instead of calling the
upstream again. Outside a job (a synchronous request) a step simply runs.

The state of the job being run lives in a context variable (a copied context, e.g. the agent
loop's model thread, shares it).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

from apps.core.logging import log_throttled
from apps.providers.types import Completion, ToolCall, Usage

logger = logging.getLogger(__name__)

T = TypeVar("T")


class JobClaimLost(Exception):
    """This worker no longer holds the job (it was re-queued and claimed elsewhere)."""


@dataclass
class JobRun:
    """The job this context is running, under the claim ``attempt``. Shared by the threads
    the run starts (copied contexts), hence the lock."""

    job_id: str
    attempt: int
    checkpoints: dict[str, Any]
    _seen: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_key(self, name: str) -> str:
        with self.lock:
            self._seen[name] += 1
            return f"{name}:{self._seen[name]}"


_current: ContextVar[JobRun | None] = ContextVar("agenthub_job_run", default=None)
# Steps taken in parallel (an agent's tool calls) are named within a scope of their own, so
# their numbering does not depend on which thread got there first.
_scope: ContextVar[str] = ContextVar("agenthub_job_step_scope", default="")


@contextmanager
def running_job(run: JobRun) -> Iterator[JobRun]:
    token = _current.set(run)
    try:
        yield run
    finally:
        _current.reset(token)


def current_job_run() -> JobRun | None:
    return _current.get()


@contextmanager
def job_step_scope(name: str) -> Iterator[None]:
    """Name the steps taken inside by ``name`` (e.g. a tool call's id), not by their order
    among the steps of parallel threads."""
    token = _scope.set(f"{_scope.get()}{name}/")
    try:
        yield
    finally:
        _scope.reset(token)


def write_while_database_recovers(write: Callable[[], T]) -> T:
    """``write()``, retried while the database is unreachable (a restart takes seconds), for at
    most ``JOB_DB_RETRY_SECONDS``. Inside a transaction a failed write cannot be retried."""
    if connection.in_atomic_block:
        return write()

    def reconnect(retry_state) -> None:
        log_throttled(
            logger,
            logging.WARNING,
            "job state not saved yet (database unavailable); retrying",
            key="job-state-unsaved",
        )
        connection.close()

    retrying = Retrying(
        retry=retry_if_exception_type((OperationalError, InterfaceError)),
        stop=stop_after_delay(settings.JOB_DB_RETRY_SECONDS),
        wait=wait_exponential(multiplier=0.1, max=2.0),
        before_sleep=reconnect,
        reraise=True,
    )
    return retrying(write)


def _save(run: JobRun) -> None:
    from apps.flows.models import Job

    def write() -> int:
        with run.lock:  # parallel steps: each write holds every result stored so far
            stored = dict(run.checkpoints)
        return Job.objects.filter(
            pk=run.job_id, status=Job.Status.RUNNING, attempts=run.attempt
        ).update(checkpoints=stored)

    if not write_while_database_recovers(write):
        raise JobClaimLost(f"job {run.job_id} is no longer held by attempt {run.attempt}")


def job_step(
    name: str,
    compute: Callable[[], T],
    *,
    dump: Callable[[T], Any] = lambda value: value,
    load: Callable[[Any], T] = lambda data: data,
) -> T:
    """``compute()`` once per job: its ``dump``-ed (JSON) result is stored on the job before
    anything else happens, and a re-run of the job gets ``load(stored)`` instead of a new call.

    Steps are matched by ``name`` and by their order among steps of that name, so a job whose
    code path is driven by the stored results replays the same way. Inside a transaction the
    checkpoint commits with it (e.g. a row created together with its checkpoint).
    """
    run = _current.get()
    if run is None:
        return compute()
    key = run.next_key(_scope.get() + name)
    if key in run.checkpoints:
        logger.info("job %s: reusing the stored result of %s", run.job_id, key)
        return load(run.checkpoints[key])
    value = compute()
    data = dump(value)
    with run.lock:
        run.checkpoints[key] = data
    _save(run)
    return value


def _completion_to_json(completion: Completion) -> dict[str, Any]:
    return dataclasses.asdict(completion)


def _completion_from_json(data: dict[str, Any]) -> Completion:
    return Completion(
        text=data["text"],
        tool_calls=tuple(ToolCall(**call) for call in data.get("tool_calls") or ()),
        finish_reason=data.get("finish_reason") or "",
        provider=data.get("provider") or "",
        model=data.get("model") or "",
        usage=Usage(**(data.get("usage") or {})),
        latency_ms=float(data.get("latency_ms") or 0.0),
        fallbacks=tuple(data.get("fallbacks") or ()),
    )


def completion_step(call: Callable[[], Completion]) -> Completion:
    """One upstream model call, stored on the running job and not repeated when it re-runs."""
    return job_step("llm", call, dump=_completion_to_json, load=_completion_from_json)
