"""Redis going away: calls keep working on per-process state, a metric and a log line say so,
and sharing resumes when Redis answers again."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import time

import pytest

from apps.providers.breaker import (
    BreakerSettings,
    CircuitBreaker,
    FailoverBreakerStore,
    LocalBreakerStore,
    RedisBreakerStore,
    State,
    build_store,
    redis_client,
)
from apps.providers.exceptions import CircuitOpenError
from fakellm.testing import closed_port as free_port
from tests.support import metric_value

SETTINGS = BreakerSettings(failure_threshold=3, failure_rate_threshold=None, open_duration=30)
STORE_LOGGER = "apps.providers.breaker.stores"


def degraded() -> float:
    return metric_value("ai_platform_circuit_breaker_store_degraded")


def store_errors() -> float:
    return metric_value("ai_platform_circuit_breaker_store_errors_total")


def breaker_on(store, name: str = "p1") -> CircuitBreaker:
    return CircuitBreaker(name, lambda: SETTINGS, store)


def trip(breaker: CircuitBreaker) -> None:
    for _ in range(3):
        breaker.record_failure(breaker.acquire(), 0.01)


def outage_warnings(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == STORE_LOGGER and r.levelno == logging.WARNING and "unreachable" in r.message
    ]


class RedisServer:
    """A throwaway redis-server of our own on a spare port, to stop and start at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis_client(self.url, timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)  # in case a test paused it
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def redis_server():
    if not shutil.which("redis-server"):
        pytest.skip("needs the redis-server binary")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def test_unreachable_redis_runs_on_local_state(caplog):
    port = free_port()  # nothing listens there
    store = FailoverBreakerStore(
        RedisBreakerStore(redis_client(f"redis://127.0.0.1:{port}/0")),
        LocalBreakerStore(),
        probe_interval=60,
    )
    breaker = breaker_on(store)
    errors_before = store_errors()
    with caplog.at_level(logging.WARNING, logger=STORE_LOGGER):
        started = time.perf_counter()
        for _ in range(50):
            breaker.record_success(breaker.acquire(), 0.01)
        elapsed = time.perf_counter() - started
        trip(breaker)
        with pytest.raises(CircuitOpenError):
            breaker.acquire()
        assert breaker.snapshot().state is State.OPEN
    assert store.degraded
    assert degraded() == 1
    # One failed attempt, then no retry until the probe interval: an outage costs nothing.
    assert store_errors() - errors_before == 1
    assert elapsed < 0.5
    assert len(outage_warnings(caplog)) == 1


def test_build_store_without_url_is_local():
    assert isinstance(build_store(None), LocalBreakerStore)
    assert isinstance(build_store(""), LocalBreakerStore)
    assert isinstance(build_store("redis://127.0.0.1:6379/0"), FailoverBreakerStore)


@pytest.mark.slow
def test_redis_outage_and_recovery(redis_server, caplog):
    store = build_store(redis_server.url)
    store.probe_interval = 0.2
    breaker = breaker_on(store)
    other_client = redis_client(redis_server.url, timeout=1.0)
    other_process = breaker_on(RedisBreakerStore(other_client))  # another process's view

    # Shared while Redis answers.
    trip(breaker)
    assert other_process.snapshot().state is State.OPEN
    breaker.reset(actor="ops")
    assert other_process.snapshot().state is State.CLOSED
    assert degraded() == 0

    with caplog.at_level(logging.INFO, logger=STORE_LOGGER):
        redis_server.stop()
        errors_before = store_errors()
        # Calls keep working, on this process's own state.
        for _ in range(20):
            breaker.record_success(breaker.acquire(), 0.01)
        assert store.degraded
        assert degraded() == 1
        assert store_errors() > errors_before
        trip(breaker)
        with pytest.raises(CircuitOpenError):
            breaker.acquire()
        assert len(outage_warnings(caplog)) == 1

        # Redis comes back (empty): after the re-probe the breaker is shared again.
        redis_server.start()
        time.sleep(0.3)
        breaker.acquire()  # the shared state is closed: the local trip no longer applies
        assert not store.degraded
        assert degraded() == 0
        trip(breaker)
        assert other_process.snapshot().state is State.OPEN
        recovered = [r for r in caplog.records if "reachable again" in r.message]
        assert len(recovered) == 1
    assert len(outage_warnings(caplog)) == 1
    other_client.close()


@pytest.mark.slow
def test_hung_redis_costs_one_short_timeout_per_probe(redis_server):
    store = build_store(redis_server.url)
    store.probe_interval = 1.0
    breaker = breaker_on(store)
    breaker.record_success(breaker.acquire(), 0.01)
    os.kill(redis_server.proc.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        durations = []
        for _ in range(30):
            started = time.perf_counter()
            breaker.record_success(breaker.acquire(), 0.01)
            durations.append(time.perf_counter() - started)
        assert store.degraded
        # The first call pays the 0.2 s socket timeout; the rest run on local state at once.
        assert durations[0] < 0.6
        assert max(durations[1:]) < 0.05
    finally:
        os.kill(redis_server.proc.pid, signal.SIGCONT)
    time.sleep(1.1)
    breaker.acquire()
    assert not store.degraded
