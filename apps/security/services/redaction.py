"""The live secret redactor: policy patterns plus configured secret values; a fallback
that needs no database for logging."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from apps.core.secrets import known_secret_values
from apps.security.redaction import DEFAULT_SECRET_PATTERNS, Redactor
from apps.security.selectors import (
    POLICY,
    PolicySnapshot,
    is_building,
    policy_snapshot,
)

logger = logging.getLogger(__name__)


_LITERALS_TTL = 1.0
_redactor_lock = threading.Lock()
_redactor_state: dict[str, Any] = {
    "snapshot": None,
    "literals": None,
    "literals_at": 0.0,
    "redactor": None,
    "redactor_literals": None,  # the literals ``redactor`` was built with
}
_in_redact = threading.local()


def _literals() -> frozenset[str]:
    now = time.monotonic()
    if _redactor_state["literals"] is None or now - _redactor_state["literals_at"] > _LITERALS_TTL:
        _redactor_state["literals"] = frozenset(known_secret_values())
        _redactor_state["literals_at"] = now
    return _redactor_state["literals"]


def current_redactor(snapshot: PolicySnapshot | None = None) -> Redactor:
    """The live redactor: secret patterns from the policy (``snapshot``, default the live one)
    plus configured secret values."""
    # Anything logged while this works (a failing secret source, a skipped pattern) is
    # redacted by the fallback instead of re-entering here.
    nested = getattr(_in_redact, "active", False)
    _in_redact.active = True
    try:
        snapshot = snapshot or policy_snapshot()
        literals = _literals()
        state = _redactor_state
        if state["snapshot"] is not snapshot or state["redactor_literals"] != literals:
            with _redactor_lock:
                state["redactor"] = Redactor(list(snapshot.secret_specs), literals)
                state["snapshot"] = snapshot
                state["redactor_literals"] = literals
        return state["redactor"]
    finally:
        _in_redact.active = nested


_fallback_cache: dict[frozenset[str], Redactor] = {}


def _fallback() -> Redactor:
    """Built-in formats plus the last known secret values; needs no database."""
    literals = _redactor_state["literals"] or frozenset()
    redactor = _fallback_cache.get(literals)
    if redactor is None:
        _fallback_cache.clear()
        redactor = _fallback_cache[literals] = Redactor(list(DEFAULT_SECRET_PATTERNS), literals)
    return redactor


def redact(text: str) -> str:
    """Hide secrets in ``text`` with the live redactor."""
    return current_redactor().redact(text)


def redact_json(value: Any) -> Any:
    """``value`` (decoded JSON) with secrets redacted from every string in it."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_json(v) for k, v in value.items()}
    return value


def redact_for_logging(text: str) -> str:
    """The logging hook: never raises, never re-enters (logging from inside a rebuild)."""
    if getattr(_in_redact, "active", False) or is_building():
        try:
            return _fallback().redact(text)
        except Exception:  # never let an unredacted line through
            return "[REDACTION_FAILED]"
    # Logging never waits for the database: the policy as last built, or the fallback.
    snapshot = POLICY.peek()
    if snapshot is None:
        return _fallback().redact(text)
    try:
        return current_redactor(snapshot).redact(text)
    except Exception:  # no database yet, async context, broken transaction...
        try:
            return _fallback().redact(text)
        except Exception:  # never let an unredacted line through
            return "[REDACTION_FAILED]"
