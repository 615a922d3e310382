"""Readiness checks: each returns None when healthy, or a short reason (never a secret)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"database unreachable ({type(exc).__name__})"
    return None


def check_cache() -> str | None:
    key = f"ready-probe:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:
        return f"cache unreachable ({type(exc).__name__})"
    return None if ok else "cache did not return what was written"


def check_broker() -> str | None:
    """Only meaningful when CELERY_BROKER_URL is set (readiness() checks that)."""
    from agenthub.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"broker unreachable ({type(exc).__name__})"
    return None


def readiness() -> dict[str, str]:
    """Run every configured check; returns {check: "ok" | reason}."""
    results: dict[str, str] = {}
    for name, check in (("database", check_database), ("cache", check_cache)):
        results[name] = check() or "ok"
    if settings.CELERY_BROKER_URL:
        results["broker"] = check_broker() or "ok"
    return results
