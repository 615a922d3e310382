"""Shared helpers of the breaker tests: a controllable clock and stores to run them against."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings

from apps.providers.breaker import (
    BreakerSettings,
    CircuitBreaker,
    LocalBreakerStore,
    RedisBreakerStore,
    TransitionEvent,
    redis_client,
)
from apps.providers.breaker.stores import BreakerStore

# Every store-level test runs on both stores; the Redis ones skip (or fail in CI) without Redis.
STORE_KINDS = ["local", pytest.param("redis", marks=pytest.mark.redis)]


class FakeClock:
    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Settings:
    """A mutable settings holder: the breaker reads it through a callable on every call."""

    def __init__(self, **kwargs) -> None:
        self.value = BreakerSettings(**kwargs)
        self.value.validate()  # a typo in a test must not silently run on the defaults

    def __call__(self) -> BreakerSettings:
        return self.value

    def set(self, **kwargs) -> None:
        self.value = BreakerSettings(**{**self.value.as_dict(), **kwargs})
        self.value.validate()


def make_store(kind: str) -> Iterator[BreakerStore]:
    if kind == "local":
        yield LocalBreakerStore()
        return
    client = redis_client(settings.REDIS_URL, timeout=2.0)
    prefix = f"test-breaker:{uuid.uuid4().hex}:"
    try:
        yield RedisBreakerStore(client, prefix=prefix)
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


class Harness:
    """A breaker over a store with a fake clock, recording its transition events."""

    def __init__(self, store: BreakerStore, name: str = "p1", **settings_kwargs) -> None:
        self.clock = FakeClock()
        self.settings = Settings(**settings_kwargs)
        self.events: list[TransitionEvent] = []
        self.store = store
        self.breaker = CircuitBreaker(
            name, self.settings, store, clock=self.clock, on_transition=self.events.append
        )

    def other(self) -> CircuitBreaker:
        """A second breaker object on the same store and name (another process's view)."""
        return CircuitBreaker(
            self.breaker.name,
            self.settings,
            self.store,
            clock=self.clock,
            on_transition=self.events.append,
        )

    def fail(self, n: int = 1, duration: float = 0.01) -> None:
        for _ in range(n):
            self.breaker.record_failure(self.breaker.acquire(), duration)

    def succeed(self, n: int = 1, duration: float = 0.01) -> None:
        for _ in range(n):
            self.breaker.record_success(self.breaker.acquire(), duration)

    def transitions(self) -> list[tuple[str, str]]:
        return [(e.from_state.value, e.to_state.value) for e in self.events]
