"""Fixtures for the security tests: seeded policy, a clean per-process policy cache, and the
Redis audit spool list emptied (the spool directory is private to every test: tests/conftest)."""

from __future__ import annotations

import contextlib

import pytest
from django.conf import settings

from apps.security import selectors, services
from apps.security.services import audit


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    # Test transactions roll back (and with them the version rows): rebuild per test.
    selectors.POLICY.invalidate()
    _clear_redis_spool()
    yield
    selectors.POLICY.invalidate()
    _clear_redis_spool()


def _clear_redis_spool() -> None:
    if settings.REDIS_URL:
        # Redis down: the redis-marked tests will say so.
        with contextlib.suppress(Exception):
            audit._redis_client().delete(audit.SPOOL_REDIS_KEY)


@pytest.fixture
def seeded(db):
    services.security_seed()
    selectors.POLICY.invalidate()
    return True
