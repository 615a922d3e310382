"""schemathesis over every operation of /api/schema/, in-process against the WSGI app: no
server errors, only documented status codes, and responses that match their schemas.

Bounded: ``SCHEMATHESIS_MAX_EXAMPLES`` examples per operation (default 10), derandomized so CI
runs are repeatable. The key is a platform administrator's, so every operation is reachable;
providers may only point at 127.0.0.1 (nothing leaves the machine) and the default provider is
the built-in offline one (no paid call).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(transactional_db):
    # Loaded inside the test database: serving the schema passes the rate limiter. Transactional:
    # the agent loop calls models from worker threads with their own connections.
    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def auth_headers(platform_admin_key, settings) -> dict[str, str]:
    from apps.agents.services import agent_seed_defaults
    from apps.providers.selectors import live_providers
    from apps.providers.services import provider_seed_defaults

    settings.PROVIDER_URL_ALLOWLIST = ["127.0.0.1"]
    provider_seed_defaults()
    agent_seed_defaults()
    live_providers.invalidate()
    return {"Authorization": f"Bearer {platform_admin_key.plaintext}"}


@pytest.mark.timeout(900)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, auth_headers):
    case.call_and_validate(headers=auth_headers, checks=CHECKS)
