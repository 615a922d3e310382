from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.tenants.models import ApiKey, Tenant
from apps.tenants.selectors import api_key_from_raw

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


def test_bootstrap_is_idempotent_and_prints_credentials(tmp_path):
    creds = tmp_path / "credentials"
    first = _run("bootstrap", "--credentials-file", str(creds))
    second = _run("bootstrap", "--credentials-file", str(creds))
    stored = json.loads(creds.read_text())
    assert f"Admin login:  admin / {stored['admin']['password']}" in first
    assert stored["demo_api_key"] in first
    assert stored["demo_api_key"] in second
    assert get_user_model().objects.filter(is_superuser=True).count() == 1
    assert Tenant.objects.filter(name="demo").count() == 1
    assert ApiKey.objects.filter(tenant__name="demo").count() == 1
    assert api_key_from_raw(stored["demo_api_key"]).is_operator
