"""A provider's key is never stored, returned or logged; the redactor learns its value."""

from __future__ import annotations

import logging

import pytest

from apps.core.secrets import known_secret_values
from apps.providers.exceptions import LLMError
from apps.providers.models import Provider
from apps.providers.services import complete
from tests.providers.factories import make_provider

pytestmark = pytest.mark.django_db

SECRET = "sk-live-NEVER-SHOW-ME-0123456789"


def test_key_is_registered_for_redaction_and_never_leaks(
    platform_client, fakellm, monkeypatch, caplog
):
    monkeypatch.setenv("AH_SECRET_TEST_API_KEY", SECRET)
    provider = make_provider(
        "keyed", base_url=fakellm.base_url, api_key_env="AH_SECRET_TEST_API_KEY"
    )
    assert SECRET in known_secret_values()  # security's redactor hides it in every log line

    caplog.set_level(logging.DEBUG)
    fakellm.set(api_key=SECRET)
    complete(messages=[{"role": "user", "content": "hi"}], provider="keyed")
    sent = fakellm.requests()[-1]["headers"]
    assert sent.get("authorization") == f"Bearer {SECRET}"

    for behaviour in ({"mode": "fail", "status": 401}, {"mode": "error_body"}, {"mode": "html"}):
        fakellm.set(**behaviour, error_message=f"Incorrect API key provided: {SECRET}")
        with pytest.raises(LLMError) as info:
            complete(messages=[{"role": "user", "content": "hi"}], provider="keyed")
        assert SECRET not in str(info.value.detail)
        response = platform_client.post(f"/api/v1/providers/{provider.pk}/test")
        assert SECRET not in response.content.decode()

    for path in ("/api/v1/providers/", f"/api/v1/providers/{provider.pk}"):
        assert SECRET not in platform_client.get(path).content.decode()
    assert SECRET not in caplog.text
    stored = Provider.objects.filter(pk=provider.pk).values()[0]
    assert SECRET not in str(stored)
