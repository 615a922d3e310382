"""Structured logging: request id on every line, JSON in production, one redaction point, and
throttled lines for expected conditions.

The security app registers its secret redactor with :func:`register_redactor` when it loads;
``RedactingFilter`` (attached to every handler in settings) applies it to the message, its
arguments and any traceback. Core itself knows nothing of what a secret looks like.

Expected conditions (an open breaker, a rate limit, rejected input) are logged with
:func:`log_throttled`: ``ThrottleFilter`` lets one line per key through per interval and the next
line that passes says how many were suppressed, so an outage reads as a few lines a minute, not
tens of thousands. Faults (ERROR) are never throttled unless a caller asks for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
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


THROTTLE_KEY = "throttle_key"


def log_throttled(
    logger: logging.Logger, level: int, msg: str, *args: object, key: str, **kwargs
) -> None:
    """Log a line that ``ThrottleFilter`` lets through at most once per ``key`` and interval."""
    extra = {**kwargs.pop("extra", {}), THROTTLE_KEY: key}
    logger.log(level, msg, *args, extra=extra, **kwargs)


class ThrottleFilter(logging.Filter):
    """One record per ``throttle_key`` per ``interval`` seconds; records without a key pass.

    A passing record after suppressed ones carries ``suppressed`` (the count, also appended to
    its message). Keys are kept in a bounded LRU, so unbounded key spaces cost bounded memory.
    """

    def __init__(self, interval: float = 10.0, max_keys: int = 1024) -> None:
        super().__init__()
        self.interval = interval
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, list] = OrderedDict()  # key -> [last emitted, suppressed]

    def reset(self) -> None:
        """Forget every key (tests)."""
        with self._lock:
            self._seen.clear()

    def filter(self, record: logging.LogRecord) -> bool:
        key = getattr(record, THROTTLE_KEY, None)
        if key is None or self.interval <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            state = self._seen.get(key)
            if state is not None and now - state[0] < self.interval:
                state[1] += 1
                return False
            suppressed = state[1] if state is not None else 0
            self._seen[key] = [now, 0]
            self._seen.move_to_end(key)
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
        if suppressed:
            record.suppressed = suppressed
            record.msg = f"{record.msg} [+{suppressed} similar suppressed]"
        return True
