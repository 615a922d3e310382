"""The front door's cached key lookup: no key query per request, revocation live within 1 s."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.flows import authentication
from apps.tenants.services import api_key_revoke


def test_key_lookup_is_cached_and_revocation_applies_within_a_second(tenant_client, tenant_key):
    authentication.clear()
    assert tenant_client.get("/v1/models").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert tenant_client.get("/v1/models").status_code == 200
    assert not [q for q in queries.captured_queries if "tenants_apikey" in q["sql"]]

    api_key_revoke(api_key=tenant_key.api_key)
    time.sleep(authentication.TTL + 0.05)
    response = tenant_client.get("/v1/models")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_bad_keys_are_refused_and_not_cached(api_client, db):
    authentication.clear()
    api_client.credentials(HTTP_AUTHORIZATION="Bearer ah_000000000000_nope")
    assert api_client.get("/v1/models").status_code == 401
    assert not authentication._cache
    api_client.credentials()
    assert api_client.get("/v1/models").status_code == 401
