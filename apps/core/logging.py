"""Structured logging: request id on every line, JSON in production, and one redaction point.

The security app registers its secret redactor with :func:`register_redactor` when it loads;
``RedactingFilter`` (attached to every handler in settings) applies it to the message, its
arguments and any traceback. Core itself knows nothing of what a secret looks like.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from apps.core.request_context import get_request_id

Redactor = Callable[[str], str]
_redactors: list[Redactor] = []


def register_redactor(redactor: Redactor) -> None:
    if redactor not in _redactors:
        _redactors.append(redactor)


def redact_text(text: str) -> str:
    for redactor in _redactors:
        text = redactor(text)
    return text


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record, Django's own lines included.

    Django logs a request's outcome (``django.request``: "Not Found", "Internal Server Error")
    after the middleware chain has returned, when the request id's context is already reset;
    those records carry the request itself, and the middleware stored the id on it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) in (None, "-"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or get_request_id()
        return True


class RedactingFilter(logging.Filter):
    """Renders the message once, redacts it, and drops the raw args and traceback objects."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _redactors:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the line
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


class JsonFormatter(_BaseJsonFormatter):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level"})
        super().__init__(*args, **kwargs)


class TextFormatter(logging.Formatter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(
            "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s", *args, **kwargs
        )
