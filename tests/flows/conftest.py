from __future__ import annotations

import json

import pytest

from apps.flows.selectors import _active_templates, _label_sets
from apps.providers import http
from apps.providers.models import ProviderKind
from apps.providers.runtime import breakers
from apps.providers.selectors import live_providers
from apps.providers.services import provider_create


def _invalidate_all() -> None:
    for cache in (_active_templates, _label_sets, live_providers):
        cache.invalidate()
    breakers.reset()


@pytest.fixture(autouse=True)
def _fresh_live_state():
    """Per-process live caches start empty: a previous test's (rolled back) state never leaks."""
    _invalidate_all()
    yield
    _invalidate_all()
    http.close_all()


@pytest.fixture
def upstream(db, fakellm, django_capture_on_commit_callbacks):
    """fakellm as the default provider (one attempt: failures surface at once)."""
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


def reply_json(fake, data: dict, **extra) -> None:
    """Make the fake upstream answer every request with this JSON object as its text."""
    fake.set(reply=json.dumps(data), **extra)
