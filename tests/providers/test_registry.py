"""Seeding, selectors, list_models, tool support, housekeeping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from apps.providers.models import BreakerConfig, BreakerEvent, Provider
from apps.providers.selectors import live_providers
from apps.providers.services import (
    complete,
    list_models,
    provider_supports_tools,
    provider_update,
)
from apps.providers.tasks import prune_breaker_events
from tests.providers.factories import make_provider

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_keeps_operator_edits():
    config = apps.get_app_config("providers")
    config.seed()
    config.seed()
    offline = Provider.objects.get(name="offline")
    assert offline.kind == "offline"
    assert offline.is_default
    assert BreakerConfig.objects.filter(provider=offline).count() == 1
    provider_update(provider=offline, read_timeout=12, breaker={"open_duration": 9})
    config.seed()
    offline.refresh_from_db()
    assert offline.read_timeout == 12
    assert offline.breaker_config.open_duration == 9
    live_providers.invalidate()
    assert complete(messages=[{"role": "user", "content": "hi"}]).provider == "offline"


def test_seed_does_not_steal_the_default():
    make_provider("main", kind="offline", is_default=True)
    apps.get_app_config("providers").seed()
    assert not Provider.objects.get(name="offline").is_default


def test_list_models_and_tool_support(fakellm):
    make_provider("b-remote", base_url=fakellm.base_url, supports_tools=False)
    make_provider("a-local", kind="offline", is_default=True)
    make_provider("c-off", kind="offline", enabled=False)
    models = list_models()
    assert [m["id"] for m in models] == ["a-local", "b-remote"]
    assert models[0]["object"] == "model"
    assert models[1]["owned_by"] == "openai_compatible"
    assert provider_supports_tools() is True
    assert provider_supports_tools("b-remote") is False
    assert provider_supports_tools("nope") is False


def test_list_models_on_an_empty_registry_is_the_builtin_offline():
    assert [m["id"] for m in list_models()] == ["offline"]


def test_disabled_provider_is_skipped_for_its_fallback(fakellm):
    make_provider("backup", kind="offline")
    make_provider("off", base_url=fakellm.base_url, enabled=False, fallbacks=["backup"])
    completion = complete(messages=[{"role": "user", "content": "hi"}], provider="off")
    assert completion.provider == "backup"
    assert fakellm.stats()["requests"].get("/v1/chat/completions", 0) == 0


def test_prune_breaker_events():
    now = timezone.now()
    BreakerEvent.objects.create(circuit_name="x", from_state="closed", to_state="open", at=now)
    BreakerEvent.objects.create(
        circuit_name="x", from_state="open", to_state="closed", at=now - timedelta(days=100)
    )
    assert prune_breaker_events.delay(90).get() == 1
    assert BreakerEvent.objects.count() == 1
