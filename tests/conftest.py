"""Shared fixtures. Tests marked ``postgres`` or ``redis`` skip without those services, unless
AGENTHUB_REQUIRE_SERVICES=1 (as in CI), where a missing service fails the run instead."""

from __future__ import annotations

import io
import logging
import os
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.support import bearer_client
from tests.tenants.factories import TenantFactory

pytest_plugins = ["fakellm.pytest_plugin"]

REQUIRE_SERVICES = os.environ.get("AGENTHUB_REQUIRE_SERVICES") == "1"


def _skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (AGENTHUB_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _service_markers(request: pytest.FixtureRequest) -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if request.node.get_closest_marker("postgres") and engine != "django.db.backends.postgresql":
        _skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not settings.REDIS_URL:
        _skip_or_fail("needs Redis: set REDIS_URL=redis://...")


@pytest.fixture(autouse=True)
def _private_audit_spool(settings, tmp_path) -> None:
    # Blocks inside a test's transaction are spooled as well (by design): never into the
    # checkout's .local/audit-spool, where a later test's real worker would flush them too.
    settings.SECURITY_AUDIT_SPOOL_DIR = str(tmp_path / "spool")


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    from apps.core.ratelimit import limiter
    from apps.providers.callstats import call_stats

    cache.clear()  # on Redis this also drops shared rate-limit counters
    limiter.reset_local()
    # A previous test's unflushed call tallies would land in this test's dashboard figures.
    call_stats.discard()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def tenant(db):
    return TenantFactory()


@pytest.fixture
def other_tenant(db):
    return TenantFactory()


def _key(tenant, *, operator: bool = False, platform_admin: bool = False):
    from apps.tenants.services import api_key_create

    return api_key_create(
        tenant=tenant, name="test", is_operator=operator, is_platform_admin=platform_admin
    )


@pytest.fixture
def tenant_key(tenant):
    """A CreatedApiKey (``.plaintext``, ``.api_key``) for ``tenant``."""
    return _key(tenant)


@pytest.fixture
def operator_key(tenant):
    return _key(tenant, operator=True)


@pytest.fixture
def platform_admin_key(db):
    """A platform administrator's key (its own tenant): the shared provider registry."""
    return _key(TenantFactory(name="platform"), platform_admin=True)


@pytest.fixture
def platform_client(platform_admin_key) -> APIClient:
    return bearer_client(platform_admin_key.plaintext)


@pytest.fixture
def tenant_client(tenant_key) -> APIClient:
    return bearer_client(tenant_key.plaintext)


@pytest.fixture
def operator_client(operator_key) -> APIClient:
    return bearer_client(operator_key.plaintext)


@pytest.fixture
def fake_provider(fakellm):
    """``make(**fields)`` creates a provider on the fake upstream (native tool calling, one
    attempt) and returns its name; a fresh name per call so no breaker state carries over."""
    from apps.providers.services import provider_create

    def make(**fields) -> str:
        name = f"fake-{uuid.uuid4().hex[:8]}"
        provider_create(
            **{
                "name": name,
                "kind": "openai_compatible",
                "base_url": fakellm.base_url,
                "model": "fake-model",
                "supports_tools": True,
                "max_attempts": 1,
                "read_timeout": 5,
                **fields,
            }
        )
        return name

    return make


@pytest.fixture
def sender():
    """A client-side Celery app on Redis (the suite otherwise runs tasks eagerly in-process).
    Not the current app: shared tasks used by later tests would otherwise bind to it and be
    sent to Redis instead of running eagerly."""
    from celery import Celery

    client = Celery(
        "test-sender",
        broker=settings.REDIS_URL,
        backend=settings.REDIS_URL,
        set_as_current=False,
    )
    yield client
    client.close()


@pytest.fixture
def celery_worker():
    """A real Celery worker process on Redis, seeing the test database; while it runs, this
    process's Celery app sends tasks to it instead of running them eagerly. Use it with
    ``django_db(transaction=True)`` so the worker sees committed rows."""
    from tests.celery_worker import app_sends_to, celery_worker_process

    if not settings.REDIS_URL:
        _skip_or_fail("needs Redis: set REDIS_URL=redis://...")
    with app_sends_to(settings.REDIS_URL), celery_worker_process(settings.REDIS_URL) as process:
        yield process


def _invalidate_live_caches() -> None:
    from apps.flows.selectors import _active_templates, _label_sets
    from apps.providers.runtime import breakers
    from apps.providers.selectors import live_providers
    from apps.tenants.selectors import _known_keys

    for live in (_active_templates, _label_sets, live_providers, _known_keys):
        live.invalidate()
    breakers.reset()


@pytest.fixture
def fresh_live_state():
    """Per-process live caches (providers, keys, templates, label sets, breakers) start empty:
    a previous test's (rolled back) state never leaks. The flows and gateway suites use it for
    every test; their pooled upstream connections are closed afterwards."""
    from apps.providers import http

    _invalidate_live_caches()
    yield
    _invalidate_live_caches()
    http.close_all()


@pytest.fixture
def upstream(db, fakellm, django_capture_on_commit_callbacks):
    """fakellm as the default provider (one attempt: failures surface at once)."""
    from apps.providers.models import ProviderKind
    from apps.providers.services import provider_create

    with django_capture_on_commit_callbacks(execute=True):
        provider_create(
            name="fake",
            kind=ProviderKind.OPENAI_COMPATIBLE,
            base_url=fakellm.base_url,
            model="fakellm-1",
            is_default=True,
            max_attempts=1,
            read_timeout=10,
        )
    return fakellm


@pytest.fixture
def spans():
    """Tracing on for this test, finished spans kept in memory (the exporter is yielded)."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from apps.core import tracing

    exporter = InMemorySpanExporter()
    tracing.configure(exporter=exporter)
    yield exporter
    tracing.shutdown()
    tracing.configure()  # back to what the environment says (off in tests)


@pytest.fixture
def console_output():
    """Point the configured console handler(s) (the ones with the redacting filter) at a buffer."""
    from apps.core.logging import RedactingFilter

    buffer = io.StringIO()
    swapped = []
    handlers = {h for name in ("", "django") for h in logging.getLogger(name).handlers}
    for handler in handlers:
        if isinstance(handler, logging.StreamHandler) and any(
            isinstance(f, RedactingFilter) for f in handler.filters
        ):
            swapped.append((handler, handler.setStream(buffer)))
    assert swapped, "the settings attach the redacting filter to the console handler"
    yield buffer
    for handler, stream in swapped:
        handler.setStream(stream)
