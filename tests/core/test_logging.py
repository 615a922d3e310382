from __future__ import annotations

import json
import logging

import pytest

from apps.core import logging as core_logging
from apps.core.logging import JsonFormatter, RedactingFilter, RequestIdFilter, TextFormatter
from apps.core.request_context import reset_request_id, set_request_id


def _record(msg: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("t", logging.ERROR, __file__, 1, msg, args, exc_info)


@pytest.fixture
def redactor():
    def hide(text: str) -> str:
        return text.replace("hunter2", "[REDACTED]")

    core_logging.register_redactor(hide)
    yield hide
    core_logging._redactors.remove(hide)


def test_json_lines_carry_the_request_id():
    token = set_request_id("req-7")
    try:
        record = _record("hello %s", "world")
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        reset_request_id(token)
    assert line["message"] == "hello world"
    assert line["request_id"] == "req-7"
    assert line["level"] == "ERROR"


def test_text_lines_carry_the_request_id():
    record = _record("plain")
    RequestIdFilter().filter(record)
    assert "[-]" in TextFormatter().format(record)


def test_redaction_covers_message_args_and_traceback(redactor):
    try:
        raise ValueError("password hunter2 in exception")
    except ValueError:
        import sys

        record = _record("login with %s", "hunter2", exc_info=sys.exc_info())
    RequestIdFilter().filter(record)
    RedactingFilter().filter(record)
    text = JsonFormatter().format(record) + TextFormatter().format(record)
    assert "hunter2" not in text
    assert "[REDACTED]" in text
    assert "ValueError" in text


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "level"), [("/no-such-page/", "WARNING")])
def test_djangos_own_request_lines_carry_the_request_id(client, path, level):
    """django.request logs "Not Found: ..." after the middleware reset the request's context."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(TextFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get(path, HTTP_X_REQUEST_ID="req-from-client-42")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-from-client-42"
    assert any(level in line and "[req-from-client-42]" in line for line in lines), lines
