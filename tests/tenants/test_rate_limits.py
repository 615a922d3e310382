from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.core.ratelimit import SlidingWindowLimiter
from apps.tenants.models import RateLimit
from apps.tenants.services import rate_limit_save
from tests.support import metric_value

pytestmark = pytest.mark.django_db


def _limited_count(scope: str) -> float:
    return metric_value("ai_platform_rate_limited_total", scope=scope)


def test_per_key_limit_answers_429_with_retry_after(tenant_client, tenant_key):
    rate_limit_save(
        rule=RateLimit(
            scope=RateLimit.Scope.API_KEY,
            tenant=tenant_key.api_key.tenant,
            api_key=tenant_key.api_key,
            requests_per_minute=3,
        )
    )
    before = _limited_count("api_key")
    codes = [tenant_client.get("/api/v1/tenants/me").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = tenant_client.get("/api/v1/tenants/me")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert _limited_count("api_key") == before + 2


def test_tenant_limit_spans_its_keys(api_client, tenant, tenant_key, operator_key):
    rate_limit_save(
        rule=RateLimit(scope=RateLimit.Scope.TENANT, tenant=tenant, requests_per_minute=2)
    )
    codes = []
    for key in (tenant_key, operator_key, tenant_key):
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.plaintext}")
        codes.append(api_client.get("/api/v1/tenants/me").status_code)
    assert codes == [200, 200, 429]


def test_other_tenants_are_not_affected(api_client, tenant_key, other_tenant):
    from apps.tenants.services import api_key_create

    rate_limit_save(
        rule=RateLimit(
            scope=RateLimit.Scope.TENANT, tenant=tenant_key.api_key.tenant, requests_per_minute=1
        )
    )
    other = api_key_create(tenant=other_tenant)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant_key.plaintext}")
    assert [api_client.get("/api/v1/tenants/me").status_code for _ in range(2)] == [200, 429]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {other.plaintext}")
    assert api_client.get("/api/v1/tenants/me").status_code == 200


def test_per_ip_limit_counts_unauthenticated_requests_too(api_client, tenant_client):
    rate_limit_save(rule=RateLimit(scope=RateLimit.Scope.CLIENT_IP, requests_per_minute=2))
    assert tenant_client.get("/api/v1/tenants/me").status_code == 200
    assert tenant_client.get("/api/v1/tenants/me").status_code == 200
    assert tenant_client.get("/api/v1/tenants/me").status_code == 429


@override_settings(RATE_LIMITS_ENABLED=False)
def test_limits_can_be_switched_off(tenant_client, tenant_key):
    rate_limit_save(
        rule=RateLimit(
            scope=RateLimit.Scope.API_KEY,
            api_key=tenant_key.api_key,
            tenant=tenant_key.api_key.tenant,
            requests_per_minute=1,
        )
    )
    assert [tenant_client.get("/api/v1/tenants/me").status_code for _ in range(3)] == [200] * 3


def test_invalid_rules_are_rejected(tenant, other_tenant):
    from django.core.exceptions import ValidationError

    from apps.tenants.services import api_key_create

    foreign = api_key_create(tenant=other_tenant).api_key
    with pytest.raises(ValidationError):
        rate_limit_save(rule=RateLimit(scope=RateLimit.Scope.TENANT, requests_per_minute=0))
    with pytest.raises(ValidationError):
        rate_limit_save(
            rule=RateLimit(scope=RateLimit.Scope.TENANT, api_key=foreign, requests_per_minute=5)
        )
    with pytest.raises(ValidationError):
        rate_limit_save(
            rule=RateLimit(
                scope=RateLimit.Scope.API_KEY, tenant=tenant, api_key=foreign, requests_per_minute=5
            )
        )
    with pytest.raises(ValidationError):
        rate_limit_save(
            rule=RateLimit(scope=RateLimit.Scope.CLIENT_IP, tenant=tenant, requests_per_minute=5)
        )


def test_admin_manages_rate_limits(admin_client, tenant):
    response = admin_client.post(
        reverse("admin:tenants_ratelimit_add"),
        {"scope": "tenant", "tenant": tenant.pk, "requests_per_minute": 10, "enabled": "on"},
    )
    assert response.status_code == 302
    assert RateLimit.objects.get(tenant=tenant).requests_per_minute == 10
    bad = admin_client.post(
        reverse("admin:tenants_ratelimit_add"),
        {"scope": "client_ip", "tenant": tenant.pk, "requests_per_minute": 10},
    )
    assert bad.status_code == 200  # the form is shown again with the error
    assert "Per-IP limits apply to every tenant" in bad.content.decode()


def test_sliding_window_weights_the_previous_window():
    limiter = SlidingWindowLimiter(prefix="test:sw:")
    base = 6000.0 * 60  # start of a window
    assert all(limiter.hit("k", 10, now=base + 1).allowed for _ in range(10))
    assert not limiter.hit("k", 10, now=base + 2).allowed
    # half-way through the next window half of the previous count still weighs in
    results = [limiter.hit("k", 10, now=base + 90).allowed for _ in range(6)]
    assert results == [True] * 5 + [False]


@pytest.mark.redis
def test_counts_are_shared_between_processes_through_redis():
    """Two limiter objects stand for two processes: they share one count in Redis."""
    first, second = (
        SlidingWindowLimiter(prefix="test:shared:"),
        SlidingWindowLimiter(prefix="test:shared:"),
    )
    now = 7000.0 * 60
    assert first.hit("k", 2, now=now).allowed
    assert second.hit("k", 2, now=now).allowed
    assert not first.hit("k", 2, now=now).allowed
    assert not second.hit("k", 2, now=now).allowed


def test_all_scopes_checked_together_first_exhausted_answers(tenant_client, tenant_key):
    """IP, key and tenant limits in one step: the first exhausted scope answers and names its
    metric; a refused request is counted in no scope."""
    tenant = tenant_key.api_key.tenant
    rate_limit_save(rule=RateLimit(scope=RateLimit.Scope.CLIENT_IP, requests_per_minute=100))
    rate_limit_save(
        rule=RateLimit(
            scope=RateLimit.Scope.API_KEY,
            tenant=tenant,
            api_key=tenant_key.api_key,
            requests_per_minute=2,
        )
    )
    rate_limit_save(
        rule=RateLimit(scope=RateLimit.Scope.TENANT, tenant=tenant, requests_per_minute=3)
    )
    key_before, tenant_before = _limited_count("api_key"), _limited_count("tenant")
    codes = [tenant_client.get("/api/v1/tenants/me").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert _limited_count("api_key") == key_before + 1
    assert _limited_count("tenant") == tenant_before
    # The refused request did not use up the tenant's third request.
    limiter_ = SlidingWindowLimiter()
    assert limiter_.hit_many([(f"tenant:{tenant.pk}", 3)]).allowed


def test_hit_many_counts_only_when_every_scope_allows():
    limiter = SlidingWindowLimiter(prefix="test:many:")
    now = 8000.0 * 60
    assert limiter.hit_many([("a", 5), ("b", 1)], now=now).allowed
    refused = limiter.hit_many([("a", 5), ("b", 1)], now=now)
    assert not refused.allowed
    assert refused.denied_index == 1
    assert refused.limit == 1
    assert 1 <= refused.retry_after <= 60
    # "a" counted once (the refused request was not counted): four more fit, not five
    assert [limiter.hit("a", 5, now=now).allowed for _ in range(5)] == [True] * 4 + [False]
    first = limiter.hit_many([("a", 5), ("b", 1)], now=now)
    assert first.denied_index == 0


@pytest.mark.redis
def test_all_scopes_cost_one_redis_round_trip():
    from apps.core.redis import get_redis

    client = get_redis()
    limiter = SlidingWindowLimiter(prefix="test:rtt:")
    limiter.hit_many([("warm", 5)])  # loads the script

    def script_calls() -> int:
        stats = client.info("commandstats")
        return sum(stats.get(k, {}).get("calls", 0) for k in ("cmdstat_evalsha", "cmdstat_eval"))

    before = script_calls()
    assert limiter.hit_many([("ip", 5), ("key", 5), ("tenant", 5)]).allowed
    assert script_calls() - before == 1


@pytest.mark.redis
def test_hit_many_is_shared_between_processes_through_redis():
    first, second = (
        SlidingWindowLimiter(prefix="test:shared-many:"),
        SlidingWindowLimiter(prefix="test:shared-many:"),
    )
    now = 7100.0 * 60
    assert first.hit_many([("ip", 10), ("key", 2)], now=now).allowed
    assert second.hit_many([("ip", 10), ("key", 2)], now=now).allowed
    refused = first.hit_many([("ip", 10), ("key", 2)], now=now)
    assert not refused.allowed
    assert refused.denied_index == 1


def test_falls_back_to_local_counts_when_redis_is_down(settings):
    """An unreachable Redis: limits still hold, counted per process."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    limiter = SlidingWindowLimiter(prefix="test:down:")
    now = 7200.0 * 60
    assert [limiter.hit_many([("k", 2)], now=now).allowed for _ in range(3)] == [
        True,
        True,
        False,
    ]
