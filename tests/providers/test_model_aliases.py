"""Model aliases: the operator API (platform admins write, tenant operators read), the admin
(through the services), and the live snapshot the front door routes from."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.providers.models import ModelAlias
from apps.providers.selectors import live_providers, provider_runtime
from apps.providers.services import list_models, model_provider
from tests.providers.factories import make_provider

pytestmark = pytest.mark.django_db

URL = "/api/v1/providers/aliases"


@pytest.fixture
def target(db):
    return make_provider("upstream-a", base_url="https://a.example.com/v1")


def test_platform_admins_write_operators_read_tenants_nothing(
    platform_client, operator_client, tenant_client, api_client, target
):
    created = platform_client.post(URL, {"name": "gpt-4o", "provider": target.name}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["provider"] == "upstream-a"
    alias_id = created.json()["id"]

    assert operator_client.get(URL).json()[0]["name"] == "gpt-4o"
    assert operator_client.get(f"{URL}/{alias_id}").status_code == 200
    body = {"name": "gpt-4", "provider": target.name}
    assert operator_client.post(URL, body, format="json").status_code == 403
    assert operator_client.delete(f"{URL}/{alias_id}").status_code == 403
    assert tenant_client.get(URL).status_code == 403
    assert api_client.get(URL).status_code == 401


def test_rename_repoint_and_delete_are_live(platform_client, target):
    other = make_provider("upstream-b", base_url="https://b.example.com/v1")
    alias_id = platform_client.post(
        URL, {"name": "gpt-4o", "provider": target.name}, format="json"
    ).json()["id"]
    live_providers.invalidate()
    assert model_provider("gpt-4o") == "upstream-a"
    assert {"id": "gpt-4o", "provider": "upstream-a"}.items() <= next(
        e for e in list_models() if e["id"] == "gpt-4o"
    ).items()

    changed = platform_client.patch(
        f"{URL}/{alias_id}", {"name": "gpt-4.1", "provider": other.name}, format="json"
    )
    assert changed.status_code == 200
    live_providers.invalidate()
    assert provider_runtime().aliases == {"gpt-4.1": "upstream-b"}
    assert model_provider("gpt-4o") is None

    assert platform_client.delete(f"{URL}/{alias_id}").status_code == 204
    live_providers.invalidate()
    assert provider_runtime().aliases == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "upstream-a", "provider": "upstream-a"}, "name"),  # a provider's name
        ({"name": "default", "provider": "upstream-a"}, "name"),  # means the default
        ({"name": "bad name", "provider": "upstream-a"}, "name"),
        ({"name": "gpt-4o", "provider": "missing"}, "provider"),
        ({"name": "gpt-4o", "provider": "upstream-a", "tenant": 1}, "tenant"),
    ],
)
def test_invalid_aliases_are_400_naming_the_field(platform_client, target, body, field):
    response = platform_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in str(response.json()["error"])
    assert not ModelAlias.objects.exists()


def test_alias_to_a_disabled_provider_is_not_listed(target):
    from apps.providers.services import model_alias_create, provider_update

    model_alias_create(name="gpt-4o", provider=target)
    provider_update(provider=target, enabled=False)
    live_providers.invalidate()
    assert model_provider("gpt-4o") is None


def test_admin_saves_through_the_services_and_shows_errors(admin_client, target):
    add = reverse("admin:providers_modelalias_add")
    response = admin_client.post(add, {"name": "gpt-4o", "provider": target.pk})
    assert response.status_code == 302
    live_providers.invalidate()
    assert model_provider("gpt-4o") == "upstream-a"

    clash = admin_client.post(add, {"name": "upstream-a", "provider": target.pk})
    assert clash.status_code == 200
    assert "A provider already has this name." in clash.content.decode()
    assert ModelAlias.objects.count() == 1
