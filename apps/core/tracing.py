"""OpenTelemetry tracing, off unless an OTLP endpoint is configured.

On when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set (and
``OTEL_SDK_DISABLED`` is not true): a TracerProvider with a BatchSpanProcessor and the OTLP
HTTP/protobuf exporter, ``service.name`` from ``OTEL_SERVICE_NAME`` (default "agenthub"). The
exporter reads its own standard variables (headers, timeout, compression...).

Off, nothing from OpenTelemetry is imported and ``span()`` returns a shared no-op context
manager, so instrumentation costs a function call. The provider (and its export thread) is built
lazily on the first span in each process and forgotten in a forked child, so gunicorn workers
and Celery prefork children each get their own.

Attributes never carry user text: names, codes, counts and scores only.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from apps.core.logging import redact_text
from apps.core.request_context import get_request_id

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_SERVICE_NAME = "agenthub"
_ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")

_lock = threading.Lock()
_wanted = False  # tracing is configured for this process (built lazily)
_exporter_override: Any = None  # test hook: an exporter used instead of OTLP
_batch = True
_provider: Any = None
_tracer: Any = None  # set once the provider is built in this process


class _NoopSpan:
    """What ``span()`` yields when tracing is off: accepts and drops everything."""

    __slots__ = ()

    def __enter__(self) -> _NoopSpan:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def set_attribute(self, key: str, value: Any) -> None:
        return None

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        return None

    def update_name(self, name: str) -> None:
        return None

    def is_recording(self) -> bool:
        return False


_NOOP = _NoopSpan()


def _env_wants_tracing(environ: Mapping[str, str]) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(environ.get(name, "").strip() for name in _ENDPOINT_VARS)


def configure(
    *, environ: Mapping[str, str] | None = None, exporter: Any = None, batch: bool | None = None
) -> bool:
    """Decide whether this process traces; returns True when it does. Idempotent.

    Called from ``CoreConfig.ready()`` (reads the environment) and by Celery's
    ``worker_process_init``. ``exporter`` is the test hook: any SDK ``SpanExporter`` (e.g.
    ``InMemorySpanExporter``) replaces OTLP, exported synchronously unless ``batch=True``.
    Nothing is started here: the provider is built on the first span in the process.
    """
    global _wanted, _exporter_override, _batch
    with _lock:
        if exporter is not None:
            _shutdown_locked()
            _exporter_override = exporter
            _batch = bool(batch)
            _wanted = True
            return True
        if _exporter_override is not None:
            return True  # a test installed its exporter; the environment doesn't override it
        wanted = _env_wants_tracing(os.environ if environ is None else environ)
        if wanted != _wanted:
            _shutdown_locked()
            _wanted = wanted
            _batch = True if batch is None else batch
        return _wanted


def _build_locked() -> Any:
    global _provider, _tracer
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    exporter = _exporter_override
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    service = os.environ.get("OTEL_SERVICE_NAME", "").strip() or DEFAULT_SERVICE_NAME
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    processor = BatchSpanProcessor(exporter) if _batch else SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    _provider = provider
    _tracer = provider.get_tracer("agenthub")
    logger.info("tracing on: service.name=%s", service)
    return _tracer


def _get_tracer() -> Any:
    global _wanted
    tracer = _tracer
    if tracer is not None or not _wanted:
        return tracer
    with _lock:
        if _tracer is not None:
            return _tracer
        if not _wanted:
            return None
        try:
            return _build_locked()
        except Exception:
            # A broken tracing setup must not take requests down with it.
            logger.exception("tracing setup failed; tracing is off in this process")
            _wanted = False
            return None


def enabled() -> bool:
    """True when spans are recorded in this process."""
    return _wanted


def _shutdown_locked() -> None:
    global _provider, _tracer, _exporter_override
    provider = _provider
    _provider = _tracer = None
    _exporter_override = None
    if provider is not None:
        provider.shutdown()


def shutdown() -> None:
    """Flush and stop the provider, and turn tracing off in this process (tests, exit)."""
    global _wanted
    with _lock:
        _shutdown_locked()
        _wanted = False


def force_flush(timeout_millis: int = 10_000) -> bool:
    provider = _provider
    return provider.force_flush(timeout_millis) if provider is not None else True


def _forget_after_fork() -> None:
    # The parent's provider and export thread don't survive fork: the child builds its own.
    global _provider, _tracer, _lock
    _lock = threading.Lock()
    _provider = _tracer = None


os.register_at_fork(after_in_child=_forget_after_fork)


def _error_type(exc: BaseException) -> str:
    code = getattr(exc, "error_code", None) or getattr(exc, "default_code", None)
    return str(code) if code else type(exc).__name__


@contextmanager
def _real_span(tracer: Any, name: str, attributes: dict[str, Any]) -> Iterator[Any]:
    from opentelemetry.trace import Status, StatusCode

    attributes["request_id"] = get_request_id()
    # Exceptions are recorded by type only: their messages may quote user text.
    with tracer.start_as_current_span(
        name, attributes=attributes, record_exception=False, set_status_on_exception=False
    ) as current:
        try:
            yield current
        except BaseException as exc:
            current.set_attribute("error_type", _error_type(exc))
            current.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


def span(name: str, **attributes: Any) -> Any:
    """A span named ``name`` around a block, child of the current one, carrying the request id.

    ``with span("x", a=1) as s: s.set_attribute(...)``. A no-op when tracing is off.
    """
    tracer = _tracer if _tracer is not None else _get_tracer()
    if tracer is None:
        return _NOOP
    return _real_span(tracer, name, {k: v for k, v in attributes.items() if v is not None})


def current_span() -> Any:
    """The active span (a no-op one when tracing is off or no span is active)."""
    if _tracer is None:
        return _NOOP
    from opentelemetry import trace

    return trace.get_current_span()


def _clean(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """Attributes without None; text values pass the registered redactor (as log lines do)."""
    return {
        k: redact_text(v) if isinstance(v, str) else v
        for k, v in (attributes or {}).items()
        if v is not None
    }


def traced(
    name: str,
    *,
    arguments: Callable[..., Mapping[str, Any]] | None = None,
    result: Callable[[Any], Mapping[str, Any]] | None = None,
    error: Callable[[BaseException], Mapping[str, Any]] | None = None,
) -> Callable[[F], F]:
    """Decorator: the function runs inside ``span(name)``.

    ``arguments(*args, **kwargs)`` gives the span's starting attributes, ``result(value)`` the
    ones set on success, ``error(exc)`` the ones set when it raises. Off, the wrapper only
    checks a module global before calling through.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if _tracer is None and not _wanted:
                return fn(*args, **kwargs)
            start = _clean(arguments(*args, **kwargs)) if arguments else {}
            with span(name, **start) as current:
                try:
                    value = fn(*args, **kwargs)
                except BaseException as exc:
                    if error is not None:
                        current.set_attributes(_clean(error(exc)))
                    raise
                if result is not None:
                    current.set_attributes(_clean(result(value)))
                return value

        return wrapper  # type: ignore[return-value]

    return decorate


def annotated(
    parent: str,
    *,
    arguments: Callable[..., Mapping[str, Any]] | None = None,
    result: Callable[[Any], Mapping[str, Any]] | None = None,
    count: str | None = None,
) -> Callable[[F], F]:
    """Decorator: no span of its own; sets attributes on the enclosing span named ``parent``
    (``arguments(*args, **kwargs)`` before the call, ``result(value)`` after it; ``count`` is
    an attribute incremented per call, e.g. attempts). Ignored under any other span."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if _tracer is None:
                return fn(*args, **kwargs)
            current = current_span()
            if getattr(current, "name", None) != parent or not current.is_recording():
                return fn(*args, **kwargs)
            if count:
                current.set_attribute(count, int((current.attributes or {}).get(count, 0)) + 1)
            if arguments is not None:
                current.set_attributes(_clean(arguments(*args, **kwargs)))
            value = fn(*args, **kwargs)
            if result is not None:
                current.set_attributes(_clean(result(value)))
            return value

        return wrapper  # type: ignore[return-value]

    return decorate


# --- what each instrumentation point records (duck-typed: core imports no app) -------------


def guard_arguments(
    text: str, *, ctx: Any = None, source: str = "user_input", **_: Any
) -> dict[str, Any]:
    return {"security.source": source, "flow": getattr(ctx, "flow", "") or None}


def guard_result(result: Any) -> dict[str, Any]:
    decision = result.decision
    return {
        "security.decision": "truncated" if result.truncated else decision.action,
        "security.action": decision.action,
        "security.score": float(decision.score),
    }


def guard_error(exc: BaseException) -> dict[str, Any]:
    code = _error_type(exc)
    decision = {"input_rejected": "block", "input_too_large": "too_large"}.get(code, "error")
    return {"security.decision": decision}


def guard_block_arguments(
    *args: Any, decision: Any = None, reason: str = "", **_: Any
) -> dict[str, Any]:
    """The final decision of a blocked guard call (its score is lost once InputRejected is
    raised, so it is read from the audit write that precedes it)."""
    return {
        "security.action": getattr(decision, "action", None),
        "security.score": float(decision.score) if decision is not None else None,
        "security.reason": reason or None,
    }


def llm_arguments(spec: Any, request: Any = None, *, flow: str = "") -> dict[str, Any]:
    return {"llm.provider": spec.name, "llm.kind": getattr(spec, "kind", None), "flow": flow}


def llm_stream_arguments(spec: Any, request: Any = None, *, flow: str = "") -> dict[str, Any]:
    return {**llm_arguments(spec, request, flow=flow), "llm.stream": True}


def llm_result(completion: Any) -> dict[str, Any]:
    return {"llm.outcome": "ok", "llm.model": getattr(completion, "model", None) or None}


def llm_error(exc: BaseException) -> dict[str, Any]:
    return {"llm.outcome": "error"}


def tool_arguments(loop: Any, call: Any, **_: Any) -> dict[str, Any]:
    # Extra keyword arguments of the traced call (a job's checkpoint ``scope``) are not span data.
    return {"agent.tool": call.raw.name[:100]}


def tool_result(outcome: tuple) -> dict[str, Any]:
    status, _output, error, duration_ms = outcome
    return {
        "agent.tool.status": status,
        "agent.tool.duration_ms": duration_ms,
        "error_type": "timeout" if error == "timeout" else None,
    }
