"""Operators in Django admin: live breaker state, actions, test connection, events."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.providers.breaker.config import State
from apps.providers.http import UpstreamStatusError
from apps.providers.models import BreakerEvent, Provider
from apps.providers.services import breaker_force_open, breaker_snapshot
from tests.providers.factories import make_provider

pytestmark = pytest.mark.django_db


def test_changelist_shows_live_breaker_state(admin_client, fakellm):
    make_provider("healthy", kind="offline")
    sick = make_provider("sick", base_url=fakellm.base_url)
    breaker_force_open(provider=sick, actor="admin:bob")
    response = admin_client.get(reverse("admin:providers_provider_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "CLOSED" in html
    assert "FORCED OPEN" in html
    assert "0/0 (0%)" in html


@pytest.mark.parametrize(
    ("action", "state"),
    [
        ("force_open_breakers", State.FORCED_OPEN),
        ("disable_breakers", State.DISABLED),
    ],
)
def test_actions_change_state_and_record_the_admin_user(admin_client, admin_user, action, state):
    provider = make_provider("p", kind="offline")
    response = admin_client.post(
        reverse("admin:providers_provider_changelist"),
        {"action": action, "_selected_action": [provider.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert breaker_snapshot(provider="p").state == state
    event = BreakerEvent.objects.get(provider=provider)
    assert event.actor == f"admin:{admin_user.username}"
    assert event.to_state == state.value

    admin_client.post(
        reverse("admin:providers_provider_changelist"),
        {"action": "reset_breakers", "_selected_action": [provider.pk]},
    )
    assert breaker_snapshot(provider="p").state == State.CLOSED
    assert BreakerEvent.objects.filter(provider=provider, to_state="closed").exists()


def test_test_connection_button_runs_the_resilient_path(admin_client, fakellm):
    provider = make_provider("up", base_url=fakellm.base_url)
    change = admin_client.get(reverse("admin:providers_provider_change", args=[provider.pk]))
    url = reverse("admin:providers_provider_test_connection", args=[provider.pk])
    assert url in change.content.decode()

    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Send test completion" in page.content.decode()

    fakellm.set(reply="pong")
    result = admin_client.post(url)
    assert result.status_code == 200
    html = result.content.decode()
    assert '<td id="test-result">OK</td>' in html
    assert "pong" in html
    assert fakellm.stats()["requests"]["/v1/chat/completions"] == 1

    fakellm.set(mode="fail", status=500)
    failed = admin_client.post(url).content.decode()
    assert '<td id="test-result">FAILED</td>' in failed
    assert "llm_provider_error" in failed


def test_change_form_validation_errors_are_form_errors(admin_client):
    response = admin_client.post(
        reverse("admin:providers_provider_add"),
        {
            "name": "bad",
            "kind": "openai_compatible",
            "base_url": "javascript:alert(1)",
            "model": "m",
            "connect_timeout": "-1",
            "read_timeout": "60",
            "max_attempts": "3",
            "backoff_initial": "0.2",
            "backoff_max": "4",
            "jitter": "0.1",
            "retry_after_cap": "10",
            "enabled": "on",
            "breaker_config-TOTAL_FORMS": "1",
            "breaker_config-INITIAL_FORMS": "0",
            "breaker_config-MIN_NUM_FORMS": "1",
            "breaker_config-MAX_NUM_FORMS": "1",
            "breaker_config-0-mode": "auto",
            "breaker_config-0-window_size": "20",
            "breaker_config-0-minimum_calls": "10",
            "breaker_config-0-open_duration": "30",
            "breaker_config-0-half_open_max_calls": "1",
            "fallback_links-TOTAL_FORMS": "0",
            "fallback_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with errors
    errors = response.context["adminform"].form.errors
    assert "base_url" in errors
    assert "connect_timeout" in errors
    assert not Provider.objects.filter(name="bad").exists()


def test_add_through_admin_saves_breaker_and_takes_over_default(admin_client):
    old = make_provider("old", kind="offline", is_default=True)
    response = admin_client.post(
        reverse("admin:providers_provider_add"),
        {
            "name": "new",
            "kind": "offline",
            "base_url": "",
            "model": "",
            "connect_timeout": "5",
            "read_timeout": "60",
            "max_attempts": "1",
            "backoff_initial": "0.2",
            "backoff_max": "4",
            "jitter": "0.1",
            "retry_after_cap": "10",
            "enabled": "on",
            "is_default": "on",
            "supports_tools": "on",
            "breaker_config-TOTAL_FORMS": "1",
            "breaker_config-INITIAL_FORMS": "0",
            "breaker_config-MIN_NUM_FORMS": "1",
            "breaker_config-MAX_NUM_FORMS": "1",
            "breaker_config-0-mode": "auto",
            "breaker_config-0-failure_threshold": "7",
            "breaker_config-0-failure_rate_threshold": "0.5",
            "breaker_config-0-window_size": "20",
            "breaker_config-0-minimum_calls": "10",
            "breaker_config-0-open_duration": "30",
            "breaker_config-0-half_open_max_calls": "1",
            "breaker_config-0-count_timeouts": "on",
            "fallback_links-TOTAL_FORMS": "1",
            "fallback_links-INITIAL_FORMS": "0",
            "fallback_links-0-position": "0",
            "fallback_links-0-fallback": str(old.pk),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    new = Provider.objects.get(name="new")
    assert new.is_default
    assert new.breaker_config.failure_threshold == 7
    assert new.ordered_fallbacks() == [old]
    old.refresh_from_db()
    assert not old.is_default


def test_breaker_events_admin_is_read_only(admin_client):
    provider = make_provider("p", kind="offline")
    breaker_force_open(provider=provider, actor="admin:carol")
    changelist = admin_client.get(reverse("admin:providers_breakerevent_changelist"))
    assert changelist.status_code == 200
    assert "admin:carol" in changelist.content.decode()
    assert admin_client.get(reverse("admin:providers_breakerevent_add")).status_code == 403
    event = BreakerEvent.objects.get()
    change = admin_client.post(
        reverse("admin:providers_breakerevent_change", args=[event.pk]), {"actor": "mallory"}
    )
    assert change.status_code == 403
    event.refresh_from_db()
    assert event.actor == "admin:carol"


def test_delete_through_admin_goes_live(admin_client, django_capture_on_commit_callbacks):
    from apps.providers.selectors import live_providers

    provider = make_provider("gone", kind="offline")
    assert "gone" in live_providers.get().by_name
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:providers_provider_delete", args=[provider.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert "gone" not in live_providers.get().by_name


def test_metrics_are_exported(client, fakellm):
    from apps.providers.services import complete

    make_provider("up", base_url=fakellm.base_url)
    complete(messages=[{"role": "user", "content": "hi"}], provider="up", flow="ask")
    fakellm.set(mode="fail", status=500)
    with pytest.raises(UpstreamStatusError):
        complete(messages=[{"role": "user", "content": "hi"}], provider="up", flow="ask")
    text = client.get("/metrics").content.decode()
    assert 'ai_platform_llm_duration_seconds_bucket{flow="ask",le="120.0",provider="up"}' in text
    assert 'ai_platform_llm_errors_total{error_type="upstream_5xx",provider="up"}' in text
    assert 'ai_platform_circuit_breaker_state{circuit_name="up"}' in text
    assert 'ai_platform_circuit_breaker_failures_total{circuit_name="up"}' in text


def test_each_row_keeps_its_own_breaker_snapshot(monkeypatch):
    """One admin instance serves every request thread, so it must hold no per-row state: the
    snapshot memo lives on the row's object, and interleaved rows never see each other's."""
    from django.contrib import admin

    from apps.providers import admin as provider_admin

    healthy = make_provider("healthy", kind="offline")
    sick = make_provider("sick", kind="offline")
    breaker_force_open(provider=sick, actor="admin:bob")
    fetched: list[str] = []

    def counting_snapshot(*, provider):
        fetched.append(provider.name)
        return breaker_snapshot(provider=provider)

    monkeypatch.setattr(provider_admin, "breaker_snapshot", counting_snapshot)
    model_admin = admin.site._registry[Provider]
    healthy_row, sick_row = Provider.objects.get(pk=healthy.pk), Provider.objects.get(pk=sick.pk)
    admin_state = set(vars(model_admin))

    assert "CLOSED" in model_admin.breaker_state(healthy_row)
    assert "FORCED OPEN" in model_admin.breaker_state(sick_row)
    assert "CLOSED" in model_admin.breaker_live(healthy_row)
    assert "FORCED OPEN" in model_admin.breaker_live(sick_row)
    assert "forced open" in model_admin.last_transition(sick_row)
    assert model_admin.last_transition(healthy_row) == "-"
    assert sorted(fetched) == ["healthy", "sick"]  # one store read per row, interleaved or not
    assert set(vars(model_admin)) == admin_state
