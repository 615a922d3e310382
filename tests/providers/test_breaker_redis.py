"""Redis store specifics: Redis's own clock, scripts surviving a flush, client settings."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings

from apps.providers.breaker import (
    BreakerSettings,
    CircuitBreaker,
    RedisBreakerStore,
    State,
    redis_client,
)
from apps.providers.exceptions import CircuitOpenError

pytestmark = pytest.mark.redis


@pytest.fixture
def client():
    client = redis_client(settings.REDIS_URL, timeout=2.0)
    yield client
    client.close()


@pytest.fixture
def prefix(client):
    prefix = f"test-breaker-redis:{uuid.uuid4().hex}:"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def test_server_time_drives_deadlines_whatever_the_callers_clock(client, prefix):
    store = RedisBreakerStore(client, prefix=prefix, server_time=True)
    config = BreakerSettings(failure_threshold=2, open_duration=0.3)
    skewed = CircuitBreaker("p", lambda: config, store, clock=lambda: 0.0)  # a host far behind
    other = CircuitBreaker("p", lambda: config, store, clock=lambda: 1e10)  # and one far ahead
    skewed.record_failure(skewed.acquire(), 0.01)
    skewed.record_failure(skewed.acquire(), 0.01)
    with pytest.raises(CircuitOpenError) as info:
        other.acquire()
    assert 0 < info.value.retry_after <= 0.3
    snap = other.snapshot()
    assert snap.state is State.OPEN
    assert abs(snap.opened_at - time.time()) < 5
    time.sleep(0.35)
    permit = skewed.acquire()
    assert permit.trial
    skewed.record_success(permit, 0.01)
    assert other.snapshot().state is State.CLOSED


def test_scripts_reload_after_a_script_flush(client, prefix):
    store = RedisBreakerStore(client, prefix=prefix)
    breaker = CircuitBreaker("p", lambda: BreakerSettings(failure_threshold=1), store)
    breaker.record_success(breaker.acquire(), 0.01)
    client.script_flush()  # as after a Redis restart
    breaker.record_failure(breaker.acquire(), 0.01)
    assert breaker.snapshot().state is State.OPEN


def test_state_lives_under_the_prefix_in_one_cluster_slot(client, prefix):
    store = RedisBreakerStore(client, prefix=prefix)
    breaker = CircuitBreaker("openai-main", lambda: BreakerSettings(), store, clock=lambda: 5.0)
    breaker.record_failure(breaker.acquire(), 0.01)
    keys = sorted(k.decode() for k in client.scan_iter(match=f"{prefix}*"))
    base = f"{prefix}{{openai-main}}"
    assert keys == [base, f"{base}:w"]
    assert client.hmget(base, "c", "f", "s") == [b"1", b"1", b"0"]
    assert client.lrange(f"{base}:w", 0, -1) == [b"1"]


def test_breaker_client_fails_fast():
    client = redis_client("redis://127.0.0.1:6379/0")
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == pytest.approx(0.2)
    assert kwargs["socket_connect_timeout"] == pytest.approx(0.2)
    assert kwargs["retry"].get_retries() == 0
