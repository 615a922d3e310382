from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.tenants.models import ApiKey, Tenant
from apps.tenants.selectors import api_key_from_raw
from apps.tenants.services import api_key_revoke, tenant_delete

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_api_key_creates_tenant_and_prints_key_last():
    output = _run("create_api_key", "--tenant", "acme", "--operator")
    key = output.strip().splitlines()[-1]
    api_key = api_key_from_raw(key)
    assert api_key is not None
    assert api_key.tenant.name == "acme"
    assert api_key.is_operator
    _run("create_api_key", "--tenant", "acme")
    assert Tenant.objects.filter(name="acme").count() == 1
    assert ApiKey.objects.filter(tenant__name="acme").count() == 2


def test_create_api_key_with_expiry():
    key = _run("create_api_key", "--tenant", "acme", "--expires-days", "3").strip()
    assert api_key_from_raw(key).expires_at is not None


@pytest.mark.parametrize(
    "args", [["--tenant", "Not A Slug"], ["--tenant", "x", "--expires-days", "0"]]
)
def test_create_api_key_rejects_bad_arguments(args):
    with pytest.raises(CommandError):
        _run("create_api_key", *args)


def _admin_password(output: str) -> str | None:
    match = re.search(r"Admin login:  admin / (\S+)", output)
    return match.group(1) if match else None


def _demo_key(output: str) -> str | None:
    match = re.search(r"Demo API key: (ah_[0-9a-f]+_\S+)", output)
    return match.group(1) if match else None


def test_bootstrap_prints_credentials_only_when_it_creates_them(tmp_path):
    legacy = tmp_path / "credentials"
    first = _run("bootstrap", "--legacy-credentials-file", str(legacy))
    second = _run("bootstrap", "--legacy-credentials-file", str(legacy))

    password, key = _admin_password(first), _demo_key(first)
    assert password
    assert key
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert api_key_from_raw(key).is_operator
    # The second run creates nothing and so shows no secret at all.
    assert password not in second
    assert key not in second
    assert "user admin exists" in second
    assert "reset_admin_password" in second
    assert f"issued earlier (ah_{key.split('_')[1]}_…, in use)" in second
    assert get_user_model().objects.filter(is_superuser=True).count() == 1
    assert Tenant.objects.filter(name="demo").count() == 1
    assert ApiKey.objects.filter(tenant__name="demo").count() == 1
    assert not legacy.exists()


def test_bootstrap_after_revoking_the_demo_key_and_changing_the_password(tmp_path):
    """`make run` twice after an operator revoked the demo key and changed the admin password:
    no key re-created, no stale password printed."""
    legacy = tmp_path / "credentials"
    first = _run("bootstrap", "--legacy-credentials-file", str(legacy))
    old_password, key = _admin_password(first), _demo_key(first)
    api_key_revoke(api_key=api_key_from_raw(key))
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("a-new-one-the-operator-chose")
    admin.save()

    outputs = [_run("bootstrap", "--legacy-credentials-file", str(legacy)) for _ in range(2)]

    for output in outputs:
        assert old_password not in output
        assert _admin_password(output) is None
        assert _demo_key(output) is None
        assert "revoked, expired or its tenant inactive" in output
    assert ApiKey.objects.filter(tenant__name="demo").count() == 1
    assert not ApiKey.objects.filter(revoked_at__isnull=True).exists()
    admin.refresh_from_db()
    assert admin.check_password("a-new-one-the-operator-chose")


def test_bootstrap_does_not_recreate_a_demo_key_whose_tenant_was_deleted(tmp_path):
    _run("bootstrap", "--legacy-credentials-file", str(tmp_path / "c"))
    tenant_delete(tenant=Tenant.objects.get(name="demo"))
    output = _run("bootstrap", "--legacy-credentials-file", str(tmp_path / "c"))
    assert _demo_key(output) is None
    assert not ApiKey.objects.exists()


def test_bootstrap_removes_plain_text_credentials_of_earlier_versions(tmp_path):
    legacy = tmp_path / "credentials"
    legacy.write_text('{"admin": {"username": "admin", "password": "stale"}}')
    output = _run("bootstrap", "--legacy-credentials-file", str(legacy))
    assert not legacy.exists()
    assert "stale" not in output


def test_reset_admin_password_prints_a_working_new_password(tmp_path):
    first = _run("bootstrap", "--legacy-credentials-file", str(tmp_path / "c"))
    output = _run("reset_admin_password")
    password = _admin_password(output)
    assert password
    assert password != _admin_password(first)
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_reset_admin_password_without_a_superuser_is_a_clear_error():
    with pytest.raises(CommandError, match="no active superuser"):
        _run("reset_admin_password", "--username", "nobody")
