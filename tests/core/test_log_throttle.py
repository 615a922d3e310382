"""Logs an operator can read during an outage: expected conditions (open breaker, rate limit,
rejected input) log at INFO/WARNING, one line per kind per interval with a suppressed count;
ERROR stays for real faults."""

from __future__ import annotations

import io
import logging

import pytest

from apps.core.logging import ThrottleFilter, log_throttled
from apps.providers.models import ProviderKind
from apps.providers.services import breaker_force_open, provider_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured():
    """A logger whose records go through a ThrottleFilter into a list."""
    records: list[logging.LogRecord] = []

    class ListHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = ListHandler()
    throttle = ThrottleFilter(interval=60)
    handler.addFilter(throttle)
    logger = logging.getLogger("tests.throttle")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, records, throttle
    logger.removeHandler(handler)
    logger.propagate = True


def test_one_line_per_key_per_interval_then_the_suppressed_count(captured, monkeypatch):
    logger, records, _ = captured
    clock = [1000.0]
    monkeypatch.setattr("apps.core.logging.time.monotonic", lambda: clock[0])
    for _ in range(1000):
        log_throttled(logger, logging.WARNING, "breaker %s open", "p", key="open:p")
    log_throttled(logger, logging.WARNING, "breaker %s open", "q", key="open:q")
    logger.error("a real fault")  # no key: never throttled
    logger.error("a real fault")
    assert [r.getMessage() for r in records] == [
        "breaker p open",
        "breaker q open",
        "a real fault",
        "a real fault",
    ]
    clock[0] += 61
    log_throttled(logger, logging.WARNING, "breaker %s open", "p", key="open:p")
    assert records[-1].getMessage() == "breaker p open [+999 similar suppressed]"
    assert records[-1].suppressed == 999


def test_keys_are_bounded(captured):
    logger, records, throttle = captured
    throttle.max_keys = 10
    for n in range(100):
        log_throttled(logger, logging.INFO, "k %s", n, key=f"k{n}")
    assert len(records) == 100
    assert len(throttle._seen) == 10


@pytest.fixture
def console():
    """The configured console handler (settings.LOGGING), writing into a buffer."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ThrottleFilter) for f in h.filters)
    )
    for throttle in handler.filters:
        if isinstance(throttle, ThrottleFilter):
            throttle.reset()
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_an_open_breaker_logs_a_few_warnings_not_an_error_per_request(
    tenant_client, console, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        provider = provider_create(
            name="down", kind=ProviderKind.OFFLINE, is_default=True, max_attempts=1
        )
    breaker_force_open(provider=provider, actor="test")
    caplog.set_level(logging.INFO)
    for _ in range(200):
        response = tenant_client.post(
            "/v1/chat/completions",
            {"model": "down", "messages": [{"role": "user", "content": "hi"}]},
            format="json",
        )
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "circuit_open"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    lines = [line for line in console.getvalue().splitlines() if "circuit_open" in line]
    assert len(lines) == 1, console.getvalue()[:2000]
    assert "WARNING" in lines[0]


def test_rejected_input_and_client_errors_are_info_and_throttled(tenant_client, console, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(50):
        assert tenant_client.post("/api/v1/security/scan", {}, format="json").status_code == 400
    request_records = [r for r in caplog.records if r.name == "apps.core.request"]
    assert request_records
    assert {r.levelno for r in request_records} == {logging.INFO}
    assert not [r for r in caplog.records if r.name == "django.request"]
    lines = [line for line in console.getvalue().splitlines() if "validation_error" in line]
    assert len(lines) == 1


def test_an_unhandled_error_is_still_an_error(tenant_client, caplog, monkeypatch):
    from apps.security import apis

    def boom(*args, **kwargs):
        raise RuntimeError("a real fault")

    monkeypatch.setattr(apis.ScanApi, "post", boom)
    response = tenant_client.post("/api/v1/security/scan", {"text": "x"}, format="json")
    assert response.status_code == 500
    assert [r for r in caplog.records if r.levelno >= logging.ERROR]
