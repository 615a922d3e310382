"""Operators tune policy; auditors read the audit trail and change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.console.roles import AUDITORS, OPERATORS, roles_sync
from apps.security.models import BlockedRequest, InjectionPattern

pytestmark = pytest.mark.django_db


def _user(django_user_model, name: str, group: str):
    user = django_user_model.objects.create_user(
        name, password="a-long-test-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def operator(client, django_user_model):
    roles_sync()
    client.force_login(_user(django_user_model, "op", OPERATORS))
    return client


@pytest.fixture
def auditor(client, django_user_model):
    roles_sync()
    client.force_login(_user(django_user_model, "aud", AUDITORS))
    return client


def test_groups_exist_after_migrations():
    names = set(Group.objects.values_list("name", flat=True))
    assert {OPERATORS, AUDITORS} <= names
    auditors = Group.objects.get(name=AUDITORS)
    codenames = set(auditors.permissions.values_list("codename", flat=True))
    assert "view_blockedrequest" in codenames
    assert "view_breakerevent" in codenames
    assert not any(c.startswith(("add_", "change_", "delete_")) for c in codenames)


def test_operator_can_add_a_pattern_in_admin(operator):
    response = operator.post(
        reverse("admin:security_injectionpattern_add"),
        {
            "name": "op-rule",
            "category": "instruction_override",
            "pattern": r"forget\s+it",
            "severity": 80,
            "action": "block",
            "enabled": "on",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert InjectionPattern.objects.filter(name="op-rule").exists()


def test_auditor_reads_the_audit_trail_and_patterns(auditor):
    assert auditor.get(reverse("admin:security_blockedrequest_changelist")).status_code == 200
    assert auditor.get(reverse("admin:providers_breakerevent_changelist")).status_code == 200
    assert auditor.get(reverse("admin:security_injectionpattern_changelist")).status_code == 200


def test_auditor_cannot_change_a_policy_in_admin(auditor):
    from apps.security.services import security_seed

    security_seed()
    pattern = InjectionPattern.objects.first()
    assert auditor.get(reverse("admin:security_injectionpattern_add")).status_code == 403
    response = auditor.post(
        reverse("admin:security_injectionpattern_change", args=[pattern.pk]),
        {
            "name": "hijacked",
            "category": pattern.category,
            "pattern": "x+",
            "severity": 1,
            "action": "flag",
        },
    )
    assert response.status_code == 403
    pattern.refresh_from_db()
    assert pattern.name != "hijacked"
    response = auditor.post(
        reverse("admin:security_injectionpattern_changelist"),
        {"action": "disable_patterns", "_selected_action": [pattern.pk]},
    )
    pattern.refresh_from_db()
    assert pattern.enabled
    assert (
        auditor.post(
            reverse("admin:security_injectionpattern_delete", args=[pattern.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_auditor_cannot_reset_breakers_or_edit_providers(auditor):
    from apps.providers.models import Provider, ProviderKind
    from tests.providers.factories import make_provider

    provider = make_provider("p1", kind=ProviderKind.OFFLINE)
    response = auditor.post(
        reverse("admin:providers_provider_change", args=[provider.pk]), {"name": "evil"}
    )
    assert response.status_code == 403
    assert Provider.objects.get(pk=provider.pk).name == "p1"


def test_auditor_cannot_change_a_policy_over_the_api(api_client, tenant):
    from apps.tenants.services import api_key_create

    key = api_key_create(tenant=tenant, is_auditor=True).plaintext
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api_client.post(
        "/api/v1/security/patterns/",
        {
            "name": "x",
            "category": "instruction_override",
            "pattern": "abc",
            "severity": 50,
            "action": "block",
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not InjectionPattern.objects.filter(name="x").exists()


def test_auditor_posts_to_the_audit_trail_change_nothing(auditor):
    row = BlockedRequest.objects.create(
        created_at="2026-01-01T00:00:00Z", reason="rule", source="user_input"
    )
    response = auditor.post(
        reverse("admin:security_blockedrequest_changelist"),
        {"action": "mark_confirmed", "_selected_action": [row.pk]},
    )
    assert response.status_code in (200, 302, 403)
    row.refresh_from_db()
    assert row.verdict == "unreviewed"


def test_auditor_keys_read_the_audit_and_breakers_over_the_api(api_client, tenant):
    from apps.providers.models import ProviderKind
    from apps.tenants.services import api_key_create
    from tests.providers.factories import make_provider

    provider = make_provider("p2", kind=ProviderKind.OFFLINE)
    key = api_key_create(tenant=tenant, is_auditor=True).plaintext
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.get("/api/v1/security/audit/").status_code == 200
    assert api_client.get("/api/v1/security/patterns/").status_code == 200
    assert api_client.get(f"/api/v1/providers/{provider.pk}/breaker").status_code == 200
    assert api_client.post(f"/api/v1/providers/{provider.pk}/breaker/reset").status_code == 403
    assert (
        api_client.patch(
            f"/api/v1/providers/{provider.pk}", {"enabled": False}, format="json"
        ).status_code
        == 403
    )


@pytest.mark.django_db(transaction=True)
def test_migrate_resyncs_the_roles():
    """post_migrate reaches the console app, so ``migrate`` puts the table back in force."""
    from django.contrib.auth.models import Permission
    from django.core.management import call_command

    roles_sync()
    operators = Group.objects.get(name=OPERATORS)
    permission = Permission.objects.get(
        content_type__app_label="security", codename="change_injectionpattern"
    )
    operators.permissions.remove(permission)
    assert not operators.permissions.filter(pk=permission.pk).exists()

    call_command("migrate", verbosity=0, interactive=False)

    assert operators.permissions.filter(pk=permission.pk).exists()
