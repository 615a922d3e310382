"""Hourly counters of blocked requests (``BlockStat``), kept in step with the audit trail.

Every path that inserts audit rows calls :func:`block_stats_add` for the rows it inserted, in
the same transaction; :func:`block_stats_since` answers the dashboard from these counters with
a few small aggregate queries, whatever the size of the audit table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce

from apps.security.models import BlockedRequest, BlockStat

Key = tuple[datetime, int | None, str, str]


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


UNCATEGORISED = "uncategorised"


def primary_category(categories: list[str], matches: list[dict]) -> str:
    """The one category a block is charted under: that of its most severe matched rule (the
    first of equals), else the first category by name (a model-only block), else
    ``uncategorised``. ``_REBUILD_SQL`` computes the same."""
    candidates = [m for m in matches if isinstance(m, dict) and m.get("category")]
    if candidates:
        return str(max(candidates, key=_severity)["category"])[:200]  # max: first of equals
    return min(categories)[:200] if categories else UNCATEGORISED


def _severity(match: dict) -> float:
    try:
        return float(match.get("severity") or 0)
    except (TypeError, ValueError):
        return 0.0


def _keys_of(created_at: datetime, tenant_id: int | None, categories, matches) -> list[Key]:
    hour = _hour(created_at)
    keys: list[Key] = [(hour, tenant_id, BlockStat.Dimension.TOTAL, "")]
    keys.append(
        (hour, tenant_id, BlockStat.Dimension.PRIMARY, primary_category(categories, matches))
    )
    keys += [(hour, tenant_id, BlockStat.Dimension.CATEGORY, c[:200]) for c in set(categories)]
    names = {str(m.get("name") or m.get("key") or "")[:200] for m in matches}
    keys += [(hour, tenant_id, BlockStat.Dimension.RULE, n) for n in names if n]
    return keys


def block_stats_add(rows: Iterable[BlockedRequest]) -> None:
    """Count freshly inserted audit rows. Call in the transaction that inserted them."""
    counts: Counter[Key] = Counter()
    for row in rows:
        counts.update(_keys_of(row.created_at, row.tenant_id, row.categories, row.matches))
    for (hour, tenant_id, dimension, value), n in sorted(
        counts.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2], item[0][3])
    ):
        lookup = {"hour": hour, "tenant_id": tenant_id, "dimension": dimension, "value": value}
        if BlockStat.objects.filter(**lookup).update(count=F("count") + n):
            continue
        try:
            with transaction.atomic():
                BlockStat.objects.create(count=n, **lookup)
        except IntegrityError:  # created concurrently: add to it instead
            BlockStat.objects.filter(**lookup).update(count=F("count") + n)


@transaction.atomic
def block_stats_rebuild(*, since: datetime | None = None, chunk: int = 5000) -> int:
    """Recount from the audit table (after an import, or to repair); returns rows counted."""
    stats = BlockStat.objects.all()
    rows = BlockedRequest.objects.all()
    if since is not None:
        stats = stats.filter(hour__gte=_hour(since))
        rows = rows.filter(created_at__gte=_hour(since))
    stats.delete()
    if connection.vendor == "postgresql":
        return _rebuild_in_sql(since=_hour(since) if since is not None else None)
    counts: Counter[Key] = Counter()
    total = 0
    for created_at, tenant_id, categories, matches in rows.values_list(
        "created_at", "tenant_id", "categories", "matches"
    ).iterator(chunk_size=chunk):
        counts.update(_keys_of(created_at, tenant_id, categories or [], matches or []))
        total += 1
    BlockStat.objects.bulk_create(
        [
            BlockStat(hour=h, tenant_id=t, dimension=d, value=v, count=n)
            for (h, t, d, v), n in counts.items()
        ],
        batch_size=2000,
    )
    return total


# The same keys as _keys_of, counted by PostgreSQL: a million audit rows in seconds instead of
# decoding every row's JSON in Python. Categories are counted once per row (DISTINCT), rule names
# are "name" or else "key", both cut to 200 characters; empty names are skipped. The primary
# category is primary_category's: the most severe match's (first of equals), else the least
# category by code point, else 'uncategorised'.
_REBUILD_SQL = """
WITH rows AS (
    SELECT id, date_trunc('hour', created_at) AS hour, tenant_id, categories, matches
    FROM security_blockedrequest WHERE %(where)s
),
cats AS (
    SELECT DISTINCT r.id, r.hour, r.tenant_id, left(c, 200) AS value
    FROM rows r, jsonb_array_elements_text(r.categories) AS c
    WHERE jsonb_typeof(r.categories) = 'array'
),
ranked AS (
    SELECT DISTINCT ON (r.id) r.id, left(m ->> 'category', 200) AS value
    FROM rows r, jsonb_array_elements(r.matches) WITH ORDINALITY AS e(m, n)
    WHERE jsonb_typeof(r.matches) = 'array' AND jsonb_typeof(m) = 'object'
      AND coalesce(m ->> 'category', '') <> ''
    ORDER BY r.id,
             CASE WHEN jsonb_typeof(m -> 'severity') = 'number'
                  THEN (m ->> 'severity')::float ELSE 0 END DESC,
             n
),
primaries AS (
    SELECT r.hour, r.tenant_id, coalesce(
        p.value,
        (SELECT left(min(c COLLATE "C"), 200) FROM jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(r.categories) = 'array' THEN r.categories ELSE '[]' END) AS c),
        'uncategorised') AS value
    FROM rows r LEFT JOIN ranked p ON p.id = r.id
),
rules AS (
    SELECT DISTINCT r.id, r.hour, r.tenant_id,
           left(coalesce(nullif(m ->> 'name', ''), m ->> 'key', ''), 200) AS value
    FROM rows r, jsonb_array_elements(r.matches) AS m
    WHERE jsonb_typeof(r.matches) = 'array' AND jsonb_typeof(m) = 'object'
)
INSERT INTO security_blockstat (hour, tenant_id, dimension, value, count)
SELECT hour, tenant_id, 'total', '', count(*) FROM rows GROUP BY 1, 2
UNION ALL
SELECT hour, tenant_id, 'primary', value, count(*) FROM primaries GROUP BY 1, 2, 4
UNION ALL
SELECT hour, tenant_id, 'category', value, count(*) FROM cats GROUP BY 1, 2, 4
UNION ALL
SELECT hour, tenant_id, 'rule', value, count(*) FROM rules WHERE value <> '' GROUP BY 1, 2, 4
"""


def _rebuild_in_sql(*, since: datetime | None) -> int:
    with connection.cursor() as cursor:
        # Hours are truncated in UTC, as _hour does on the UTC datetimes Django reads back.
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        where, params = ("created_at >= %s", [since]) if since is not None else ("TRUE", [])
        cursor.execute(_REBUILD_SQL % {"where": where}, params)
    rows = BlockedRequest.objects.all()
    return rows.filter(created_at__gte=since).count() if since is not None else rows.count()


@dataclass(frozen=True)
class BlockStats:
    total: int
    chart: dict[str, Any]  # {"labels": [...24 hours], "datasets": [{"label", "data"}]}
    top_rules: list[dict[str, Any]]
    top_tenants: list[dict[str, Any]]


def block_stats_since(since: datetime, *, now: datetime, top: int = 10) -> BlockStats:
    from apps.tenants.models import Tenant

    first = _hour(since)
    hours = []
    at = first
    while at <= now:
        hours.append(at)
        at += timedelta(hours=1)
    recent = BlockStat.objects.filter(hour__gte=first)

    # One dataset per primary category: each block is in exactly one, so a stacked bar is the
    # hour's number of blocks (per-category mentions would count a two-category block twice).
    by_category: dict[str, list[int]] = {}
    index = {h: i for i, h in enumerate(hours)}
    for hour, category, n in (
        recent.filter(dimension=BlockStat.Dimension.PRIMARY)
        .values_list("hour", "value")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        if hour in index:
            by_category.setdefault(category, [0] * len(hours))[index[hour]] += n
    datasets = [
        {"label": category, "data": data}
        for category, data in sorted(by_category.items(), key=lambda kv: -sum(kv[1]))
    ]

    totals = recent.filter(dimension=BlockStat.Dimension.TOTAL)
    total = totals.aggregate(n=Sum("count"))["n"] or 0
    top_rules = [
        {"name": name, "count": n}
        for name, n in recent.filter(dimension=BlockStat.Dimension.RULE)
        .values_list("value")
        .annotate(n=Sum("count"))
        .order_by("-n", "value")[:top]
    ]
    tenant_rows = list(
        totals.values_list("tenant_id").annotate(n=Sum("count")).order_by("-n", "tenant_id")[:top]
    )
    names = dict(
        Tenant.objects.filter(pk__in=[t for t, _ in tenant_rows if t]).values_list("pk", "name")
    )
    top_tenants = [
        {"name": names.get(tenant_id, "(no tenant)"), "count": n} for tenant_id, n in tenant_rows
    ]
    return BlockStats(
        total=total,
        chart={"labels": [h.strftime("%H:00") for h in hours], "datasets": datasets},
        top_rules=top_rules,
        top_tenants=top_tenants,
    )


def rule_hits_annotate(patterns: QuerySet, *, since: datetime) -> QuerySet:
    """Annotate injection patterns with ``hits``: blocks since ``since`` (whole hours) in which
    a rule of that name matched, from the hourly rollups (never the audit table). A tenant's
    rule counts its tenant's blocks only; a global rule counts every tenant's."""
    rule_stats = BlockStat.objects.filter(
        dimension=BlockStat.Dimension.RULE, hour__gte=_hour(since), value=OuterRef("name")
    )
    own_tenant = rule_stats.filter(tenant_id=OuterRef("tenant_id"))

    def total(stats: QuerySet) -> Subquery:
        return Subquery(stats.order_by().values("value").annotate(n=Sum("count")).values("n")[:1])

    return patterns.annotate(
        hits=Case(
            When(tenant__isnull=True, then=Coalesce(total(rule_stats), 0)),
            default=Coalesce(total(own_tenant), 0),
        )
    )
