from __future__ import annotations

import pytest

from apps.providers import http
from apps.providers.runtime import breakers
from apps.providers.selectors import live_providers


@pytest.fixture(autouse=True)
def _fresh_provider_state():
    """Each test starts with no cached snapshot, no breaker state and fresh pools."""
    live_providers.invalidate()
    breakers.reset()
    yield
    live_providers.invalidate()
    breakers.reset()
    http.close_all()


@pytest.fixture
def upstream(db, fakellm):
    """A provider named "up" in front of the fake upstream (3 attempts, fast backoff)."""
    from tests.providers.factories import make_provider

    return make_provider("up", base_url=fakellm.base_url)
