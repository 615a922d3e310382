"""The live secret redactor: policy patterns plus configured secret values; a fallback
that needs no database for logging."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
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


def _strings_through(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_strings_through(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _strings_through(v, fn) for k, v in value.items()}
    return value


def redact_json(value: Any) -> Any:
    """``value`` (decoded JSON) with secrets redacted from every string in it."""
    return _strings_through(value, redact)


def redact_json_for_logging(value: Any) -> Any:
    """``value`` (decoded JSON) as ``redact_for_logging`` stores each string in it."""
    return _strings_through(value, redact_for_logging)


def redact_for_logging(text: str) -> str:
    """The one redaction for everything stored or logged (log lines, audit excerpts, error
    bodies, traces, admin pages): secrets, then personal data (cards, IBANs, SSNs, e-mail
    addresses, phone numbers). Never raises, never re-enters (logging from inside a rebuild)."""
    from apps.security.services.pii import scrub_pii

    if getattr(_in_redact, "active", False) or is_building():
        redactor = None
    else:
        try:
            # Logging never waits for the database: the policy as last built, or the fallback.
            snapshot = POLICY.peek()
            redactor = current_redactor(snapshot) if snapshot is not None else None
        except Exception:  # no database yet, async context, broken transaction...
            redactor = None
    try:
        text = (redactor or _fallback()).redact(text)
        return scrub_pii(text)
    except Exception:  # never let an unredacted line through
        return "[REDACTION_FAILED]"
