"""The dashboard's data: every figure comes from an aggregate query over a small rollup table,
so the page costs the same with a million audit rows as with ten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.providers.selectors import breaker_overview, call_stats_since
from apps.security.blockstats import block_stats_since


@dataclass(frozen=True)
class Dashboard:
    breakers: list[dict[str, Any]]
    blocks_chart: dict[str, Any]  # Chart.js data: labels (hours) and one dataset per category
    blocks_total: int
    top_rules: list[dict[str, Any]]
    top_tenants: list[dict[str, Any]]
    providers: list[dict[str, Any]]  # calls, error rate and p95 latency per provider, last hour


def dashboard() -> Dashboard:
    now = timezone.now()
    blocks = block_stats_since(now - timedelta(hours=24), now=now)
    return Dashboard(
        breakers=breaker_overview(),
        blocks_chart=blocks.chart,
        blocks_total=blocks.total,
        top_rules=blocks.top_rules,
        top_tenants=blocks.top_tenants,
        providers=call_stats_since(now - timedelta(hours=1)),
    )
