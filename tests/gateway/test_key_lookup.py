"""A key this process has not seen yet is looked up in the database once, however many requests
carrying it arrive together (``apps.tenants.authentication._shared_lookup``). Against the real
front door (uvicorn)."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from apps.tenants import authentication
from apps.tenants.selectors import api_key_from_raw

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def counted_lookups(monkeypatch) -> list[str]:
    """The real database lookup, counted and slowed so that the requests overlap."""
    calls: list[str] = []
    lock = threading.Lock()

    def slow_lookup(raw: str):
        with lock:
            calls.append(raw)
        time.sleep(0.3)
        return api_key_from_raw(raw)

    monkeypatch.setattr(authentication, "api_key_from_raw", slow_lookup)
    return calls


def _models_together(url: str, tokens: list[str]) -> list[int]:
    async def scenario():
        async with httpx.AsyncClient(timeout=10) as client:
            answers = await asyncio.gather(
                *(
                    client.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {token}"})
                    for token in tokens
                )
            )
        return [answer.status_code for answer in answers]

    return asyncio.run(scenario())


def test_a_burst_with_an_unseen_key_makes_one_lookup(live_gateway, tenant_key, counted_lookups):
    statuses = _models_together(live_gateway.url, [tenant_key.plaintext] * 20)

    assert statuses == [200] * 20
    assert counted_lookups == [tenant_key.plaintext]
    assert authentication._lookups == {}  # forgotten once answered


def test_other_keys_and_a_wrong_secret_are_looked_up_on_their_own(
    live_gateway, tenant, tenant_key, counted_lookups
):
    from apps.tenants.services import api_key_create

    other = api_key_create(tenant=tenant, name="other")
    last = tenant_key.plaintext[-1]
    forged = tenant_key.plaintext[:-1] + ("a" if last != "a" else "b")  # same prefix, bad secret

    statuses = _models_together(
        live_gateway.url, [tenant_key.plaintext, other.plaintext, forged, forged]
    )

    assert statuses == [200, 200, 401, 401]
    assert sorted(counted_lookups) == sorted([tenant_key.plaintext, other.plaintext, forged])
