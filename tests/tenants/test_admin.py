from __future__ import annotations

import pytest
from django.urls import reverse

from apps.tenants.models import ApiKey
from apps.tenants.selectors import api_key_from_raw

pytestmark = pytest.mark.django_db


def test_tenant_and_key_changelists_render(admin_client, tenant_key):
    for name in ("admin:tenants_tenant_changelist", "admin:tenants_apikey_changelist"):
        assert admin_client.get(reverse(name)).status_code == 200
    response = admin_client.get(
        reverse("admin:tenants_tenant_change", args=[tenant_key.api_key.tenant.pk])
    )
    assert response.status_code == 200


def test_admin_creates_a_key_and_shows_it_once(admin_client, tenant):
    response = admin_client.post(
        reverse("admin:tenants_apikey_add"),
        {"tenant": tenant.pk, "name": "from-admin", "is_operator": "on"},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    shown = next(m for m in messages if "shown once" in m)
    plaintext = shown.rsplit(" ", 1)[-1]
    api_key = api_key_from_raw(plaintext)
    assert api_key is not None
    assert api_key.name == "from-admin"
    assert api_key.is_operator
    # shown once: the change page does not contain it
    page = admin_client.get(reverse("admin:tenants_apikey_change", args=[api_key.pk]))
    assert plaintext not in page.content.decode()


def test_admin_revoke_action(admin_client, tenant_key):
    response = admin_client.post(
        reverse("admin:tenants_apikey_changelist"),
        {"action": "revoke_keys", "_selected_action": [tenant_key.api_key.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert ApiKey.objects.get(pk=tenant_key.api_key.pk).revoked_at is not None


def test_tenant_deletion_in_admin_goes_through_the_service(admin_client, tenant):
    # (A tenant with keys cannot be deleted in admin at all: keys may not be deleted there.)
    from apps.core.models import ConfigVersion
    from apps.tenants.models import API_KEYS_NAMESPACE, RATE_LIMITS_NAMESPACE, RateLimit, Tenant

    RateLimit.objects.create(scope="tenant", tenant=tenant, requests_per_minute=5)
    namespaces = [API_KEYS_NAMESPACE, RATE_LIMITS_NAMESPACE]

    def versions() -> dict[str, int]:
        rows = ConfigVersion.objects.filter(namespace__in=namespaces)
        return {**dict.fromkeys(namespaces, 0), **dict(rows.values_list("namespace", "version"))}

    before = versions()
    response = admin_client.post(
        reverse("admin:tenants_tenant_delete", args=[tenant.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Tenant.objects.filter(pk=tenant.pk).exists()
    assert {ns: v - before[ns] for ns, v in versions().items()} == dict.fromkeys(namespaces, 1)
