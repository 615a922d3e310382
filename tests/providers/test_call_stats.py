"""Per-minute call tallies for the dashboard: batched writes, merged rows, p95 from buckets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.providers.callstats import CallStats
from apps.providers.models import ProviderCallStat
from apps.providers.selectors import call_stats_since
from apps.providers.services import complete
from apps.providers.tasks import prune_call_stats

pytestmark = pytest.mark.django_db


def test_tallies_are_written_in_batches_and_merged(django_assert_num_queries):
    stats = CallStats(flush_interval=3600)
    now = timezone.now().timestamp()
    with django_assert_num_queries(0):
        for i in range(20):
            stats.record("alpha", 0.2 if i < 19 else 10.0, ok=i % 5 != 0, now=now)
    stats.flush()
    stats.record("alpha", 0.2, ok=True, now=now)
    stats.flush()
    row = ProviderCallStat.objects.get(provider="alpha")
    assert row.calls == 21
    assert row.errors == 4
    assert sum(row.buckets) == 21
    [entry] = call_stats_since(timezone.now() - timedelta(hours=1))
    assert entry["provider"] == "alpha"
    assert entry["calls"] == 21
    assert entry["error_rate"] == pytest.approx(100 * 4 / 21)
    assert entry["p95_seconds"] == 0.25  # 20 of 21 calls took 0.2 s: the 0.25 s bucket


def test_old_minutes_are_outside_the_window_and_pruned():
    stats = CallStats(flush_interval=3600)
    old = (timezone.now() - timedelta(days=30)).timestamp()
    stats.record("beta", 1.0, ok=True, now=old)
    stats.flush()
    assert call_stats_since(timezone.now() - timedelta(hours=1)) == []
    assert prune_call_stats() == 1


def test_real_calls_are_counted(settings):
    from apps.providers.callstats import call_stats

    complete(messages=[{"role": "user", "content": "hello there"}])
    call_stats.flush()
    entries = {e["provider"]: e for e in call_stats_since(timezone.now() - timedelta(minutes=5))}
    assert entries["offline"]["calls"] >= 1
    assert entries["offline"]["errors"] == 0


def test_empty_window_has_no_rows():
    assert call_stats_since(timezone.now() - timedelta(hours=1)) == []
