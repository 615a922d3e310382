from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.tenants.keys import hash_secret, split_key
from apps.tenants.models import ApiKey
from apps.tenants.services import api_key_create, api_key_revoke, tenant_save

pytestmark = pytest.mark.django_db


def test_key_is_stored_hashed_and_looked_up_by_prefix(tenant):
    created = api_key_create(tenant=tenant, name="ci")
    prefix, secret = split_key(created.plaintext)
    stored = ApiKey.objects.get(pk=created.api_key.pk)
    assert stored.prefix == prefix
    assert stored.secret_hash == hash_secret(secret)
    assert secret not in {str(v) for v in ApiKey.objects.values_list().get(pk=stored.pk)}


def test_valid_key_authenticates_and_records_use(api_client, tenant_key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant_key.plaintext}")
    response = api_client.get("/api/v1/tenants/me")
    assert response.status_code == 200
    assert response.json()["tenant"] == tenant_key.api_key.tenant.name
    tenant_key.api_key.refresh_from_db()
    assert tenant_key.api_key.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer nope", "Bearer ah_123_456", "Token abc", "Bearer ", "Basic dXNlcjpwYXNz"],
)
def test_bad_credentials_are_401(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get("/api/v1/tenants/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"authentication_failed", "not_authenticated"}


def test_wrong_secret_with_valid_prefix_is_401(api_client, tenant_key):
    prefix, _ = split_key(tenant_key.plaintext)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer ah_{prefix}_wrongsecret")
    assert api_client.get("/api/v1/tenants/me").status_code == 401


def test_revoked_key_is_401(api_client, tenant_key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant_key.plaintext}")
    assert api_client.get("/api/v1/tenants/me").status_code == 200
    api_key_revoke(api_key=tenant_key.api_key)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant_key.plaintext}")
    response = api_client.get("/api/v1/tenants/me")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


def test_expired_key_is_401(api_client, tenant):
    created = api_key_create(tenant=tenant, expires_at=timezone.now() - timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.plaintext}")
    response = api_client.get("/api/v1/tenants/me")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_disabled_tenant_is_401_at_once(api_client, tenant_key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant_key.plaintext}")
    assert api_client.get("/api/v1/tenants/me").status_code == 200  # now cached in-process
    tenant = tenant_key.api_key.tenant
    tenant.is_active = False
    tenant_save(tenant=tenant)
    assert api_client.get("/api/v1/tenants/me").status_code == 401


def test_key_lookup_is_cached_until_a_change(api_client, tenant_key, django_assert_num_queries):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant_key.plaintext}")
    api_client.get("/api/v1/tenants/me")
    with django_assert_num_queries(0):
        assert api_client.get("/api/v1/tenants/me").status_code == 200


def test_operator_endpoints_need_an_operator_key(tenant_client):
    response = tenant_client.get("/api/v1/tenants/keys")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_operator_creates_a_key_shown_once(operator_client, api_client):
    response = operator_client.post("/api/v1/tenants/keys", {"name": "svc"}, format="json")
    assert response.status_code == 201
    key = response.json()["key"]
    listing = operator_client.get("/api/v1/tenants/keys").json()
    assert key not in str(listing)
    assert any(k["name"] == "svc" for k in listing)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.get("/api/v1/tenants/me").status_code == 200


def test_another_tenants_key_is_404(operator_client, other_tenant):
    foreign = api_key_create(tenant=other_tenant)
    response = operator_client.post(f"/api/v1/tenants/keys/{foreign.api_key.pk}/revoke")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    foreign.api_key.refresh_from_db()
    assert foreign.api_key.revoked_at is None


def test_operator_revokes_own_key(operator_client, tenant):
    victim = api_key_create(tenant=tenant)
    response = operator_client.post(f"/api/v1/tenants/keys/{victim.api_key.pk}/revoke")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None


def test_auditor_keys_read_but_never_change(api_client, tenant):
    from django.test import RequestFactory
    from rest_framework.request import Request

    from apps.tenants.authentication import ApiKeyPrincipal
    from apps.tenants.permissions import IsOperatorOrAuditorReadOnly

    auditor = api_key_create(tenant=tenant, is_auditor=True).api_key
    operator = api_key_create(tenant=tenant, is_operator=True).api_key
    member = api_key_create(tenant=tenant).api_key
    permission = IsOperatorOrAuditorReadOnly()
    factory = RequestFactory()

    def allowed(key, method):
        request = Request(factory.generic(method, "/api/v1/x"))
        request.user = ApiKeyPrincipal(key)
        return permission.has_permission(request, None)

    assert allowed(auditor, "GET")
    assert not allowed(auditor, "POST")
    assert not allowed(auditor, "PATCH")
    assert not allowed(auditor, "DELETE")
    assert allowed(operator, "GET")
    assert allowed(operator, "PATCH")
    assert not allowed(member, "GET")


def test_deleted_tenants_keys_are_401_at_once(api_client, tenant_key):
    from apps.tenants.services import tenant_delete

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant_key.plaintext}")
    assert api_client.get("/api/v1/tenants/me").status_code == 200  # now cached in-process
    tenant_delete(tenant=tenant_key.api_key.tenant)
    assert not ApiKey.objects.filter(pk=tenant_key.api_key.pk).exists()
    assert api_client.get("/api/v1/tenants/me").status_code == 401
