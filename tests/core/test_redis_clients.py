"""One factory for the platform's Redis clients; each purpose takes its timeout from settings."""

from __future__ import annotations

import pytest

from apps.core.redis import redis_client, shared_client
from apps.providers.breaker.stores import redis_client as breaker_redis_client

URL = "redis://127.0.0.1:6399/0"  # never connected: clients connect lazily


def _timeouts(client) -> tuple[float, float]:
    kwargs = client.connection_pool.connection_kwargs
    return kwargs["socket_timeout"], kwargs["socket_connect_timeout"]


def test_each_purpose_takes_its_named_timeout(settings):
    settings.REDIS_TIMEOUTS = {"default": 0.3, "breaker": 0.1, "spool": 4.0}
    assert _timeouts(redis_client(URL)) == (0.3, 0.3)
    assert _timeouts(redis_client(URL, purpose="spool")) == (4.0, 4.0)
    breaker = breaker_redis_client(URL)
    assert _timeouts(breaker) == (0.1, 0.1)
    # The breaker store never retries: its failover to the local store is the retry.
    assert breaker.get_retry()._retries == 0


def test_an_unknown_purpose_is_refused():
    with pytest.raises(ValueError, match="unknown Redis client purpose"):
        redis_client(URL, purpose="cache")


def test_shared_clients_are_one_per_url_and_purpose():
    assert shared_client(URL, "spool") is shared_client(URL, "spool")
    assert shared_client(URL, "spool") is not shared_client(URL)
