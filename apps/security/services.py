"""The guard's use cases (guard_input / guard_output / scan / redact), the audit trail with its
durable spool, and every write to the security policy (each bumps ``security-policy``)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone

from apps.core import tracing
from apps.core.aio import on_event_loop, submit_blocking
from apps.core.http import valid_client_ip
from apps.core.live_config import bump_version
from apps.core.secrets import known_secret_values
from apps.security import metrics
from apps.security.blockstats import block_stats_add
from apps.security.exceptions import (
    EditConflict,
    InputRejected,
    InputTooLarge,
    OutputRejected,
)
from apps.security.guard.defaults import DEFAULT_RULES
from apps.security.guard.engine import Decision, evaluate
from apps.security.guard.model import InjectionModel
from apps.security.guard.train import cross_validate, rows_matrix, train_from_rows
from apps.security.models import (
    BlockedRequest,
    BlockStat,
    DetectionSettings,
    InjectionModelVersion,
    InjectionPattern,
    SanitizationPolicy,
    SecretPattern,
    Source,
    TrainingExample,
    Verdict,
)
from apps.security.redaction import DEFAULT_SECRET_PATTERNS, Redactor
from apps.security.selectors import (
    POLICY,
    POLICY_NAMESPACE,
    PolicySnapshot,
    SanitizationRules,
    is_building,
    model_to_bytes,
    policy_snapshot,
    training_rows,
)

if TYPE_CHECKING:
    from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)

SPOOL_REDIS_KEY = "agenthub:security:audit-spool"

# --- request context -------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardContext:
    """Who and where a guarded text came from; recorded with a block."""

    tenant: Tenant | None = None
    api_key_id: int | None = None
    request_id: str = ""
    client_ip: str = ""
    path: str = ""
    flow: str = ""
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: Any, *, flow: str = "") -> GuardContext:
        """From a DRF or Django request; tenant and key from an ``ApiKeyPrincipal`` user."""
        from apps.core.request_context import get_request_id

        tenant = None
        api_key_id = None
        try:
            user = getattr(request, "user", None)
        except Exception:  # DRF authenticates lazily; a failure here is not ours to raise
            user = None
        if user is not None and hasattr(user, "api_key") and hasattr(user, "tenant"):
            tenant = user.tenant
            api_key_id = user.api_key.pk
        meta = getattr(request, "META", {}) or {}
        request_id = getattr(request, "request_id", "") or get_request_id()
        return cls(
            tenant=tenant,
            api_key_id=api_key_id,
            request_id="" if request_id == "-" else request_id,
            client_ip=(valid_client_ip(request) or "") if meta else "",
            path=getattr(request, "path", "") or "",
            flow=flow,
            user_agent=meta.get("HTTP_USER_AGENT", "") or "",
        )


@dataclass(frozen=True)
class GuardResult:
    text: str  # sanitized (normalized, stripped, maybe truncated): pass this on, not the input
    decision: Decision
    truncated: bool


# --- sanitization ------------------------------------------------------------------------------

# Lone surrogates are not text: UTF-8 encoders (re2, the database) refuse them.
_SURROGATES = re.compile("[\ud800-\udfff]")
# C0 and C1 controls except tab, newline, carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Zero-width, soft hyphen, word joiners, BOM, bidirectional embedding/override/isolate marks and
# Unicode tag characters (invisible ASCII look-alikes used to smuggle instructions).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\U000e0000-\U000e007f]"
)


def scrub_surrogates(text: str) -> str:
    return _SURROGATES.sub("\ufffd", text)


def sanitize_text(text: str, rules: SanitizationRules) -> tuple[str, bool]:
    """Apply a sanitization policy: (clean text, truncated?). Raises InputTooLarge."""
    truncated = False
    if len(text) > rules.max_input_chars:
        if rules.over_limit_action != "truncate":
            raise InputTooLarge(
                f"Input is {len(text)} characters; the limit is {rules.max_input_chars}.",
                details={"max_input_chars": rules.max_input_chars, "input_chars": len(text)},
            )
        text = text[: rules.max_input_chars]
        truncated = True
    if rules.unicode_normalization in ("NFKC", "NFC"):
        text = unicodedata.normalize(rules.unicode_normalization, text)
    if rules.strip_control_chars:
        text = _CONTROL.sub("", text)
    if rules.strip_zero_width:
        text = _INVISIBLE.sub("", text)
    return text, truncated


# --- evaluation --------------------------------------------------------------------------------


def _evaluate(text: str, snapshot: PolicySnapshot, tenant_id: int | None) -> Decision:
    return evaluate(
        text,
        rules=snapshot.rules_for(tenant_id),
        model=snapshot.model if snapshot.model_enabled else None,
        thresholds=snapshot.thresholds,
    )


def scan(text: str, *, tenant: Tenant | None = None) -> Decision:
    """Dry run against the live policy: the decision, nothing stored, nothing counted as a block."""
    snapshot = policy_snapshot()
    decision = _evaluate(scrub_surrogates(text), snapshot, tenant.pk if tenant else None)
    metrics.VALIDATIONS.labels("scan", decision.action).inc()
    return decision


def sanitize_for(text: str, *, tenant: Tenant | None = None) -> tuple[str, bool]:
    """The tenant's live sanitization policy applied to ``text`` (raises InputTooLarge)."""
    rules = policy_snapshot().sanitization_for(tenant.pk if tenant else None)
    return sanitize_text(scrub_surrogates(text), rules)


_RANK = {"allow": 0, "flag": 1, "block": 2}


class _DecisionCache:
    """Guard verdicts for texts that repeat verbatim (an application's system prompt sent with
    every request), per policy snapshot: a new policy version, model or tenant rule set builds a
    new snapshot object, which empties the cache. Keyed by (tenant, SHA-256 of the exact text),
    so only identical text under the identical policy reuses a verdict; bounded LRU. What is
    cached is the pure evaluation (sanitized text and decision); every side effect of a block
    (audit record, metrics, log) still happens on every request."""

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._owner: PolicySnapshot | None = None
        self._entries: OrderedDict[tuple, tuple[str, bool, Decision]] = OrderedDict()

    @staticmethod
    def key(tenant_id: int | None, text: str) -> tuple:
        return (tenant_id, hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest())

    def get(self, snapshot: PolicySnapshot, key: tuple) -> tuple[str, bool, Decision] | None:
        with self._lock:
            if self._owner is not snapshot:
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, snapshot: PolicySnapshot, key: tuple, entry: tuple[str, bool, Decision]) -> None:
        with self._lock:
            if self._owner is not snapshot:
                self._owner = snapshot
                self._entries.clear()
            self._entries[key] = entry
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


_decisions = _DecisionCache()


def _sanitize_and_evaluate(
    text: str, snapshot: PolicySnapshot, tenant_id: int | None, source: str
) -> tuple[str, bool, Decision]:
    rules = snapshot.sanitization_for(tenant_id)
    try:
        clean, truncated = sanitize_text(text, rules)
    except InputTooLarge:
        metrics.VALIDATIONS.labels(source, "too_large").inc()
        metrics.BLOCKS.labels("input_too_large").inc()
        raise
    checked = text[: rules.max_input_chars] if truncated else text
    # The engine sees the raw text: its normalizer turns hidden characters into signals.
    decision = _evaluate(checked, snapshot, tenant_id)
    if not decision.blocked and clean != checked:
        # What is passed on is the sanitized text: it must not block either (defence in depth
        # against a sanitizer step joining what the raw text kept apart).
        sanitized = _evaluate(clean, snapshot, tenant_id)
        if _RANK[sanitized.action] > _RANK[decision.action]:
            decision = sanitized
    return clean, truncated, decision


@tracing.traced(
    "security.guard_input",
    arguments=tracing.guard_arguments,
    result=tracing.guard_result,
    error=tracing.guard_error,
)
def guard_input(
    text: str, *, ctx: GuardContext, source: str = "user_input", cache: bool = False
) -> GuardResult:
    """Sanitize and check one text before it reaches a model.

    Raises InputTooLarge (413) when over the limit and the policy rejects, InputRejected (400)
    when the guard blocks (after recording the block durably). Returns the sanitized text.
    ``cache=True`` (for texts that repeat verbatim, like system prompts) reuses the verdict on
    the exact same text under the same policy snapshot; blocks are still recorded every time.
    """
    if source not in Source.values:
        raise ValueError(f"unknown guard source {source!r}")
    snapshot = policy_snapshot()
    tenant_id = ctx.tenant.pk if ctx.tenant else None
    text = scrub_surrogates(text)
    if cache:
        key = _decisions.key(tenant_id, text)
        entry = _decisions.get(snapshot, key)
        if entry is None:
            entry = _sanitize_and_evaluate(text, snapshot, tenant_id, source)
            _decisions.put(snapshot, key, entry)
    else:
        entry = _sanitize_and_evaluate(text, snapshot, tenant_id, source)
    clean, truncated, decision = entry
    if decision.blocked:
        checked = (
            text[: snapshot.sanitization_for(tenant_id).max_input_chars] if truncated else text
        )
        reason = decision.reason
        blocked_request_record(
            ctx=ctx, source=source, text=checked, reason=reason, decision=decision
        )
        metrics.VALIDATIONS.labels(source, "block").inc()
        metrics.BLOCKS.labels(reason).inc()
        logger.warning(
            "security guard blocked %s: reason=%s categories=%s score=%.3f flow=%s",
            source,
            reason,
            ",".join(decision.categories),
            decision.score,
            ctx.flow or "-",
        )
        raise InputRejected()
    if decision.action == "flag":
        logger.info(
            "security guard flagged %s: categories=%s score=%.3f flow=%s",
            source,
            ",".join(decision.categories),
            decision.score,
            ctx.flow or "-",
        )
    metrics.VALIDATIONS.labels(source, "truncated" if truncated else decision.action).inc()
    return GuardResult(text=clean, decision=decision, truncated=truncated)


_CANARY_GAPS = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")


def new_canary() -> str:
    """A random token to plant in a system prompt; seeing it in output means the prompt leaked."""
    return f"ahc-{secrets.token_hex(10)}"


def _canary_present(text: str, canary: str) -> bool:
    if canary in text:
        return True
    # A model may space the token out or change its case to slip past a literal check.
    return canary.lower() in _CANARY_GAPS.sub("", text).lower()


def guard_output(text: str, *, ctx: GuardContext, canary: str | None = None) -> str:
    """Check a model's output: a leaked canary blocks (502); otherwise secrets are redacted."""
    text = scrub_surrogates(text)
    if canary and _canary_present(text, canary):
        blocked_request_record(
            ctx=ctx, source=Source.OUTPUT, text=text, reason="canary_leak", decision=None
        )
        metrics.VALIDATIONS.labels("output", "block").inc()
        metrics.BLOCKS.labels("canary_leak").inc()
        logger.warning("security guard withheld output: canary_leak flow=%s", ctx.flow or "-")
        raise OutputRejected()
    metrics.VALIDATIONS.labels("output", "allow").inc()
    return redact(text)


# --- redaction ---------------------------------------------------------------------------------

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


# --- audit trail -------------------------------------------------------------------------------

_STORED_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _storable(value: str, limit: int) -> str:
    """Redacted, bounded and free of NULs/controls (PostgreSQL refuses NUL in text)."""
    value = _STORED_CONTROL.sub("", scrub_surrogates(value))
    value = redact_for_logging(value)
    return value[:limit]


def _excerpt(text: str) -> str:
    limit = settings.SECURITY_AUDIT_EXCERPT_CHARS
    # Redact before cutting: a secret cut in half would no longer match its pattern.
    clean = _STORED_CONTROL.sub("", redact_for_logging(text))
    return clean if len(clean) <= limit else clean[:limit] + "…"


def audit_record_build(
    *,
    ctx: GuardContext,
    source: str,
    text: str,
    reason: str,
    decision: Decision | None,
) -> dict[str, Any]:
    """A JSON-safe audit record (what is stored, spooled and flushed)."""
    if decision is not None:
        matches = [asdict(m) for m in decision.matches]
        categories = sorted(set(decision.categories))
        score, model_score = float(decision.score), decision.model_score
    else:
        matches = [{"key": "canary", "name": "canary leak", "category": "prompt_leaking"}]
        categories, score, model_score = ["prompt_leaking"], 1.0, None
    return {
        "event_id": str(uuid.uuid4()),
        "created_at": timezone.now().isoformat(),
        "tenant_id": ctx.tenant.pk if ctx.tenant else None,
        "api_key_id": ctx.api_key_id,
        "client_ip": ctx.client_ip or None,
        "path": _storable(ctx.path, 500),
        "flow": _storable(ctx.flow, 100),
        "source": source,
        "request_id": _storable(ctx.request_id, 128),
        "reason": reason,
        "matches": matches,
        "categories": categories,
        "score": score,
        "model_score": None if model_score is None else float(model_score),
        "excerpt": _excerpt(text),
        "input_chars": len(text),
        "input_sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        "user_agent": _storable(ctx.user_agent, 400),
    }


def _row(record: dict[str, Any]) -> BlockedRequest:
    categories = record.get("categories") or []
    return BlockedRequest(
        event_id=uuid.UUID(record["event_id"]),
        created_at=datetime.fromisoformat(record["created_at"]),
        tenant_id=record.get("tenant_id"),
        api_key_id=record.get("api_key_id"),
        client_ip=record.get("client_ip"),
        path=record.get("path", ""),
        flow=record.get("flow", ""),
        source=record.get("source", Source.USER_INPUT),
        request_id=record.get("request_id", ""),
        reason=record.get("reason", ""),
        matches=record.get("matches") or [],
        categories=categories,
        categories_text=("|" + "|".join(categories) + "|")[:1000] if categories else "",
        score=record.get("score", 0.0),
        model_score=record.get("model_score"),
        excerpt=record.get("excerpt", ""),
        input_chars=record.get("input_chars", 0),
        input_sha256=record.get("input_sha256", ""),
        user_agent=record.get("user_agent", ""),
    )


def _spool_dir() -> Path:
    configured = getattr(settings, "SECURITY_AUDIT_SPOOL_DIR", "") or ""
    return Path(configured) if configured else Path(settings.BASE_DIR) / ".local" / "audit-spool"


def _spool_redis_url() -> str:
    # A separate Redis (or db number) keeps the spool away from cache.clear() (FLUSHDB).
    return getattr(settings, "SECURITY_AUDIT_SPOOL_REDIS_URL", "") or settings.REDIS_URL


def _redis_client():
    return _redis_client_for(_spool_redis_url())


@functools.lru_cache(maxsize=8)
def _redis_client_for(url: str):
    """One client (and connection pool) per URL for the process: a client per spool write
    would open a new TCP connection each time. redis-py's pool reconnects after a fork."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def audit_spool(record: dict[str, Any]) -> str:
    """Keep a record durably outside the database: Redis list if configured, else a JSONL file.

    Returns the spool used ("redis", "file" or "log" as the very last resort).
    """
    line = json.dumps(record, ensure_ascii=False)
    if _spool_redis_url():
        try:
            _redis_client().rpush(SPOOL_REDIS_KEY, line)
            metrics.AUDIT_SPOOLED.labels("redis").inc()
            return "redis"
        except Exception:
            logger.warning("audit spool: Redis unavailable, using the local file spool")
    try:
        directory = _spool_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"audit-{os.getpid()}.jsonl"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        metrics.AUDIT_SPOOLED.labels("file").inc()
        return "file"
    except OSError:
        # Nowhere left to keep it: the (redacted) record goes to the error log in full.
        logger.error("audit spool unavailable; blocked-request record: %s", line)
        metrics.AUDIT_SPOOLED.labels("log").inc()
        return "log"


@tracing.annotated("security.guard_input", arguments=tracing.guard_block_arguments)
def blocked_request_record(
    *,
    ctx: GuardContext,
    source: str,
    text: str,
    reason: str,
    decision: Decision | None,
) -> dict[str, Any]:
    """Write the audit record; if the database refuses, spool it (flushed by a beat task).

    Inside a caller's transaction the row may still be rolled back with it (the caller is
    about to see InputRejected), so the record is spooled as well; the flush skips it when the
    row committed after all (same ``event_id``).
    """
    record = audit_record_build(ctx=ctx, source=source, text=text, reason=reason, decision=decision)
    if on_event_loop():
        # The async front door never waits on the database: the record is durable in the
        # spool now, and a flush on the bounded pool writes its row moments later.
        audit_spool(record)
        _schedule_spool_flush()
        return record
    outer_transaction = connection.in_atomic_block
    try:
        with transaction.atomic():
            row = _row(record)
            row.save(force_insert=True)
            block_stats_add([row])
    except DatabaseError:
        logger.warning("audit write failed; spooling blocked request %s", record["event_id"])
        audit_spool(record)
        return record
    if outer_transaction:
        audit_spool(record)
    return record


_flush_scheduled = threading.Event()


def _schedule_spool_flush() -> None:
    """One spool flush on the bounded pool, however many blocks asked for it meanwhile."""
    if _flush_scheduled.is_set():
        return
    _flush_scheduled.set()

    def flush() -> None:
        _flush_scheduled.clear()
        audit_spool_flush()

    submit_blocking(flush)


def _insert_records(records: list[dict[str, Any]]) -> None:
    from apps.tenants.models import Tenant

    tenant_ids = {r.get("tenant_id") for r in records if r.get("tenant_id")}
    existing = set(Tenant.objects.filter(pk__in=tenant_ids).values_list("pk", flat=True))
    rows = []
    for record in records:
        if record.get("tenant_id") not in existing:
            record = {**record, "tenant_id": None}  # tenant deleted since: keep the evidence
        rows.append(_row(record))
    with transaction.atomic():
        already = set(
            BlockedRequest.objects.filter(event_id__in=[r.event_id for r in rows]).values_list(
                "event_id", flat=True
            )
        )
        # ignore_conflicts on event_id: a record spooled and also committed is written once.
        BlockedRequest.objects.bulk_create(rows, ignore_conflicts=True)
        block_stats_add(r for r in rows if r.event_id not in already)


def _parse_lines(lines: Iterable[str], origin: str) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            logger.error("audit spool %s line %d is not JSON; skipped", origin, number)
    return records


def audit_spool_flush(*, batch_size: int = 500) -> int:
    """Write spooled records to the database; returns how many were flushed.

    Idempotent and safe to run concurrently: items leave the spool only after their rows are
    in, and rows are keyed by event id.
    """
    flushed = 0
    if _spool_redis_url():
        client = _redis_client()
        while True:
            items = client.lrange(SPOOL_REDIS_KEY, 0, batch_size - 1)
            if not items:
                break
            _insert_records(_parse_lines((i.decode("utf-8") for i in items), "redis"))
            for item in items:
                client.lrem(SPOOL_REDIS_KEY, 1, item)
            flushed += len(items)
    directory = _spool_dir()
    if directory.is_dir():
        for path in sorted(directory.glob("audit-*.jsonl*")):
            if path.name.endswith(".jsonl"):
                # Claim the file atomically; writers open by name, so new lines go to a new file.
                claimed = path.with_name(f"{path.name}.{uuid.uuid4().hex}.claimed")
                try:
                    path.rename(claimed)
                except FileNotFoundError:
                    continue
            elif path.name.endswith(".claimed"):
                claimed = path  # left by a flush that failed: retry
            else:
                continue
            try:
                lines = claimed.read_text(encoding="utf-8").splitlines()
            except FileNotFoundError:
                continue
            records = _parse_lines(lines, claimed.name)
            for start in range(0, len(records), batch_size):
                _insert_records(records[start : start + batch_size])
            claimed.unlink(missing_ok=True)
            flushed += len(records)
    return flushed


def audit_spool_pending() -> int:
    count = 0
    if _spool_redis_url():
        with contextlib.suppress(Exception):
            count += int(_redis_client().llen(SPOOL_REDIS_KEY))
    directory = _spool_dir()
    if directory.is_dir():
        for path in directory.glob("audit-*.jsonl*"):
            with contextlib.suppress(OSError):
                count += sum(1 for line in path.open(encoding="utf-8") if line.strip())
    return count


def audit_purge(*, days: int | None = None, batch_size: int = 5000) -> int:
    """Delete audit rows older than the retention period (the only deletion of evidence)."""
    days = int(days if days is not None else getattr(settings, "AUDIT_RETENTION_DAYS", 90))
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(
            BlockedRequest.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[
                :batch_size
            ]
        )
        if not ids:
            BlockStat.objects.filter(hour__lt=cutoff - timedelta(hours=1)).delete()
            return deleted
        deleted += BlockedRequest.objects.filter(pk__in=ids).delete()[0]


def blocked_requests_set_verdict(
    *, queryset: QuerySet[BlockedRequest], verdict: str, user: Model | None
) -> int:
    """Set the review verdict: the only change ever made to an audit row."""
    if verdict not in Verdict.values:
        raise ValidationError(f"Unknown verdict {verdict!r}.")
    reviewed = verdict != Verdict.UNREVIEWED
    return queryset.update(
        verdict=verdict,
        verdict_by=user if reviewed else None,
        verdict_at=timezone.now() if reviewed else None,
    )


# --- policy writes -----------------------------------------------------------------------------

PATTERN_FIELDS = ("name", "category", "pattern", "severity", "action", "enabled", "description")


def _save_pattern(pattern: InjectionPattern) -> None:
    # Descriptions are free text: an operator pasting a key must not store it.
    pattern.description = redact(pattern.description or "")
    pattern.full_clean()
    try:
        with transaction.atomic():
            pattern.save()
    except IntegrityError as exc:  # a concurrent create of the same name won the race
        raise ValidationError({"name": "A pattern with this name already exists."}) from exc
    bump_version(POLICY_NAMESPACE)


@transaction.atomic
def injection_pattern_create(
    *,
    tenant: Tenant | None,
    name: str,
    category: str,
    pattern: str,
    severity: int = 50,
    action: str = "block",
    enabled: bool = True,
    description: str = "",
    updated_by: str = "",
) -> InjectionPattern:
    obj = InjectionPattern(
        tenant=tenant,
        name=name,
        category=category,
        pattern=pattern,
        severity=severity,
        action=action,
        enabled=enabled,
        description=description,
        updated_by=updated_by[:150],
    )
    _save_pattern(obj)
    return obj


@transaction.atomic
def injection_pattern_update(
    *,
    pattern: InjectionPattern,
    data: dict[str, Any],
    expected_revision: int | None = None,
    updated_by: str = "",
) -> InjectionPattern:
    """Update with optimistic concurrency: a stale ``expected_revision`` raises EditConflict.
    Without one, the last write wins (the row lock still serializes concurrent writers)."""
    locked = InjectionPattern.objects.select_for_update().get(pk=pattern.pk)
    if expected_revision is not None and locked.revision != expected_revision:
        raise EditConflict()
    for name in PATTERN_FIELDS:
        if name in data:
            setattr(locked, name, data[name])
    locked.revision += 1
    locked.updated_by = updated_by[:150]
    _save_pattern(locked)
    return locked


@transaction.atomic
def injection_pattern_delete(*, pattern: InjectionPattern) -> None:
    pattern.delete()
    bump_version(POLICY_NAMESPACE)


@transaction.atomic
def injection_patterns_set_enabled(
    *, queryset: QuerySet[InjectionPattern], enabled: bool, updated_by: str = ""
) -> int:
    count = queryset.exclude(enabled=enabled).update(
        enabled=enabled,
        revision=F("revision") + 1,
        updated_by=updated_by[:150],
        updated_at=timezone.now(),
    )
    if count:
        bump_version(POLICY_NAMESPACE)
    return count


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@transaction.atomic
def injection_patterns_import(
    *, items: Any, tenant: Tenant | None = None, updated_by: str = ""
) -> ImportResult:
    """Upsert patterns by (tenant, name) from exported JSON. All or nothing: any invalid item
    raises a ValidationError naming every bad item, and nothing is saved."""
    if not isinstance(items, list):
        raise ValidationError("Expected a JSON list of pattern objects.")
    errors: list[str] = []
    prepared: list[InjectionPattern] = []
    existing = {p.name: p for p in InjectionPattern.objects.filter(tenant=tenant)}
    seen: set[str] = set()
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            errors.append(f"item {index}: expected an object with a name")
            continue
        if item["name"] in seen:
            errors.append(f"item {index} ({item['name']}): duplicate name in the file")
            continue
        seen.add(item["name"])
        obj = existing.get(item["name"]) or InjectionPattern(tenant=tenant, name=item["name"])
        if obj.pk:
            obj.revision += 1
        for name in PATTERN_FIELDS:
            if name in item and name != "name":
                setattr(obj, name, item[name])
        obj.updated_by = updated_by[:150]
        obj.description = redact(obj.description or "")
        try:
            obj.full_clean()
        except ValidationError as exc:
            details = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )
            errors.append(f"item {index} ({item['name']}): {details}")
            continue
        prepared.append(obj)
    if errors:
        raise ValidationError(errors)
    created = sum(1 for obj in prepared if obj.pk is None)
    for obj in prepared:
        obj.save()
    if prepared:
        bump_version(POLICY_NAMESPACE)
    return ImportResult(created=created, updated=len(prepared) - created)


PolicyObject = SanitizationPolicy | SecretPattern | DetectionSettings


@transaction.atomic
def policy_object_save(*, obj: PolicyObject, updated_by: str = "") -> PolicyObject:
    """Save a sanitization policy, secret pattern or the detection settings (validated)."""
    obj.updated_by = updated_by[:150]
    obj.full_clean()
    obj.save()
    bump_version(POLICY_NAMESPACE)
    return obj


@transaction.atomic
def policy_object_delete(*, obj: PolicyObject) -> None:
    obj.delete()
    bump_version(POLICY_NAMESPACE)


# --- the learned model -------------------------------------------------------------------------


@transaction.atomic
def injection_model_version_create(
    *,
    model: InjectionModel,
    data_summary: dict[str, Any],
    metrics_summary: dict[str, Any],
    activate: bool,
    created_by: str = "",
) -> InjectionModelVersion:
    artifact = model_to_bytes(model)
    version = str(getattr(model, "version", "") or timezone.now().strftime("%Y%m%d%H%M%S"))
    if InjectionModelVersion.objects.filter(version=version).exists():
        version = f"{version}-{secrets.token_hex(3)}"
    row = InjectionModelVersion(
        version=version[:64],
        trained_at=timezone.now(),
        data_summary=data_summary,
        metrics=metrics_summary,
        artifact=artifact,
        artifact_sha256=hashlib.sha256(artifact).hexdigest(),
        created_by=created_by[:150],
    )
    row.full_clean(exclude=["artifact"])
    row.save()
    if activate:
        injection_model_version_activate(version=row)
    return row


@transaction.atomic
def injection_model_version_activate(*, version: InjectionModelVersion) -> None:
    InjectionModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(
        is_active=False
    )
    InjectionModelVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True
    bump_version(POLICY_NAMESPACE)


@dataclass(frozen=True)
class ExampleImportResult:
    created: int
    duplicates: int
    errors: list[str]


def training_examples_import(*, lines: Iterable[str], source: str = "") -> ExampleImportResult:
    """Import JSONL rows ``{"text", "label": "injection"|"benign", "source"?}``; stored redacted,
    deduplicated by content. Bad lines are reported and skipped."""
    errors: list[str] = []
    new: dict[str, TrainingExample] = {}
    duplicates = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            errors.append(f"line {number}: not JSON")
            continue
        if not isinstance(item, dict):
            errors.append(f"line {number}: expected an object")
            continue
        text, label = item.get("text"), item.get("label")
        if not isinstance(text, str) or not text.strip():
            errors.append(f"line {number}: missing text")
            continue
        if label not in ("injection", "benign"):
            errors.append(f"line {number}: label must be injection or benign")
            continue
        stored = _STORED_CONTROL.sub("", redact(scrub_surrogates(text)))
        digest = hashlib.sha256(stored.encode("utf-8")).hexdigest()
        if digest in new:
            duplicates += 1
            continue
        new[digest] = TrainingExample(
            text=stored,
            label=label,
            source=str(item.get("source") or source)[:100],
            text_sha256=digest,
        )
    known = set(
        TrainingExample.objects.filter(text_sha256__in=list(new)).values_list(
            "text_sha256", flat=True
        )
    )
    duplicates += len(known)
    to_create = [obj for digest, obj in new.items() if digest not in known]
    TrainingExample.objects.bulk_create(to_create, batch_size=500, ignore_conflicts=True)
    return ExampleImportResult(created=len(to_create), duplicates=duplicates, errors=errors)


MIN_EXAMPLES_PER_CLASS = 10


def injection_model_retrain(
    *, activate: bool = True, created_by: str = ""
) -> InjectionModelVersion:
    """Train a new model from the stored examples and operators' verdicts; store (and activate)
    it with out-of-fold metrics (stratified 5-fold and leave-one-source-out) at the live block
    threshold. Raises ValidationError when there is too little data of either class."""
    rows, summary = training_rows()
    positives, negatives = summary["injection"], summary["benign"]
    if positives < MIN_EXAMPLES_PER_CLASS or negatives < MIN_EXAMPLES_PER_CLASS:
        raise ValidationError(
            f"Need at least {MIN_EXAMPLES_PER_CLASS} injection and {MIN_EXAMPLES_PER_CLASS} "
            f"benign examples (have {positives} and {negatives}): import a dataset first."
        )
    threshold = (DetectionSettings.objects.filter(pk=1).first() or DetectionSettings()).model_block
    matrix = rows_matrix(rows)  # featurize once for cross-validation and the final fit
    metrics_summary = cross_validate(rows, threshold=threshold, matrix=matrix)
    model = train_from_rows(
        rows, matrix=matrix, extra_metadata={"data": summary, "cv_metrics": metrics_summary}
    )
    return injection_model_version_create(
        model=model,
        data_summary=summary,
        metrics_summary=metrics_summary,
        activate=activate,
        created_by=created_by,
    )


# --- seeding -----------------------------------------------------------------------------------


def security_seed(*, stdout: Any = None) -> dict[str, int]:
    """Create missing defaults; never overwrite what operators changed (upsert = create only)."""
    created = {"patterns": 0, "secret_patterns": 0, "policies": 0, "models": 0}
    with transaction.atomic():
        have = set(
            InjectionPattern.objects.filter(tenant__isnull=True).values_list("name", flat=True)
        )
        for rule in DEFAULT_RULES:
            if rule["name"] in have:
                continue
            obj = InjectionPattern(
                tenant=None,
                name=rule["name"],
                category=rule["category"],
                pattern=rule["pattern"],
                severity=rule["severity"],
                action=rule["action"],
                description=rule.get("description", ""),
                updated_by="seed",
            )
            obj.full_clean()
            obj.save()
            created["patterns"] += 1
        have_secrets = set(SecretPattern.objects.values_list("name", flat=True))
        for spec in DEFAULT_SECRET_PATTERNS:
            if spec.name not in have_secrets:
                SecretPattern.objects.create(
                    name=spec.name, pattern=spec.pattern, updated_by="seed"
                )
                created["secret_patterns"] += 1
        if not SanitizationPolicy.objects.filter(tenant__isnull=True).exists():
            SanitizationPolicy.objects.create(tenant=None, updated_by="seed")
            created["policies"] += 1
        _, made = DetectionSettings.objects.get_or_create(pk=1, defaults={"updated_by": "seed"})
        created["policies"] += int(made)
        if any(created.values()):
            bump_version(POLICY_NAMESPACE)
    created["models"] += int(_seed_shipped_model())
    if stdout is not None:
        stdout.write(
            "security: seeded {patterns} patterns, {secret_patterns} secret patterns, "
            "{policies} policies, {models} model versions".format(**created)
        )
    return created


def _seed_shipped_model() -> bool:
    """Import the model shipped with this release once. It becomes active only when no
    operator-trained model is active (a seeded one is replaced by a newer seeded one)."""
    from apps.security.guard.model import DEFAULT_MODEL_PATH

    path = Path(DEFAULT_MODEL_PATH)
    if not (path / "model.json").is_file():
        return False
    model = InjectionModel.load(path)
    metadata = dict(model.metadata or {})
    shipped_id = f"{model.version}@{metadata.get('trained_at', '')}"
    if InjectionModelVersion.objects.filter(data_summary__shipped_id=shipped_id).exists():
        return False
    active = InjectionModelVersion.objects.filter(is_active=True).first()
    injection_model_version_create(
        model=model,
        data_summary={
            "shipped_id": shipped_id,
            "total": metadata.get("n_samples"),
            "label_counts": metadata.get("label_counts", {}),
            "sources": metadata.get("sources", {}),
        },
        metrics_summary=metadata.get("cv_metrics", {}),
        activate=active is None or active.created_by == "seed",
        created_by="seed",
    )
    return True
