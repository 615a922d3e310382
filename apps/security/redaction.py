"""Secret redaction for logs, audit excerpts and anything stored.

Patterns are RE2 (linear time) like the injection rules, so an operator-added secret pattern
can never stall logging. All patterns are combined into one alternation per pass, with a cheap
pre-check so that the common case (no secret at all) costs one scan. ``redact`` never raises: a
logging filter must not lose a line because redaction failed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import re2

from apps.security.guard.rules import PatternError, validate_pattern

__all__ = [
    "DEFAULT_SECRET_PATTERNS",
    "Redactor",
    "SecretSpec",
    "validate_secret_pattern",
]

logger = logging.getLogger(__name__)

MIN_LITERAL_LENGTH = 8  # shorter "secrets" would redact ordinary words
_MAX_MEM = 64 << 20


@dataclass(frozen=True)
class SecretSpec:
    name: str
    pattern: str


# Order matters where formats overlap: the more specific pattern comes first (Anthropic before
# OpenAI, PEM blocks and JWTs before generic assignments).
DEFAULT_SECRET_PATTERNS: list[SecretSpec] = [
    SecretSpec(
        "pem_private_key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)",
    ),
    SecretSpec("anthropic_key", r"\bsk-ant-(?:api\d{2}-|admin\d{2}-)?[A-Za-z0-9_\-]{20,}"),
    SecretSpec("openai_key", r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}"),
    SecretSpec("stripe_key", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"),
    SecretSpec("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})"),
    SecretSpec("slack_token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
    SecretSpec("google_api_key", r"\bAIza[0-9A-Za-z_\-]{30,}"),
    SecretSpec(
        "aws_access_key_id", r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}\b"
    ),
    SecretSpec(
        "aws_secret_access_key",
        r"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key)[\"']?\s*[:=]\s*[\"']?"
        r"[A-Za-z0-9/+=]{40}",
    ),
    SecretSpec("jwt", r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
    SecretSpec(
        "bearer_token",
        r"(?i:authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|token|basic)\s+|\bbearer\s+)"
        r"[A-Za-z0-9_\-.~+/=]{8,}",
    ),
    SecretSpec(
        "url_password",
        r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@\"'<>]{0,128}:[^\s@/\"'<>]{1,256}@",
    ),
    SecretSpec(
        "secret_assignment",
        r"(?i:[\"']?[a-z0-9_.\-]{0,40}(?:api[_\-]?key|apikey|access[_\-]?key|secret|token|passwd|"
        r"password|pwd|private[_\-]?key|client[_\-]?secret|auth)[a-z0-9_.\-]{0,20}[\"']?\s*"
        r"(?:=|:|=>)\s*)(?:\"[^\"\s]{4,}\"|'[^'\s]{4,}'|[^\s\"',;&}{)(]{4,})",
    ),
]

# Cheap pre-check: every default pattern contains one of these (case-insensitively).
_HINTS = (
    "private key", "sk-", "sk_", "rk_", "gh", "github_pat_", "xox", "aiza", "akia", "asia",
    "abia", "acca", "agpa", "aida", "aroa", "anpa", "anva", "secret", "eyj", "bearer",
    "authorization", "://", "key", "token", "passw", "pwd", "auth",
)  # fmt: skip


def validate_secret_pattern(pattern: str) -> None:
    """Same rules as injection patterns: RE2 syntax, not empty, bounded, no empty matches."""
    validate_pattern(pattern)


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _MAX_MEM
    return options


class Redactor:
    """Replaces secrets with ``[REDACTED:<name>]``. Immutable; share one per configuration."""

    def __init__(
        self,
        specs: Iterable[SecretSpec] = DEFAULT_SECRET_PATTERNS,
        literals: Iterable[str] = (),
    ) -> None:
        self.specs: tuple[SecretSpec, ...] = ()
        self.skipped: tuple[tuple[str, str], ...] = ()
        valid: list[SecretSpec] = []
        skipped: list[tuple[str, str]] = []
        for spec in specs:
            try:
                validate_secret_pattern(spec.pattern)
                re2.compile(f"(?:{spec.pattern})", _options())
            except (PatternError, re2.error) as exc:
                logger.warning("Skipping secret pattern %r: %s", spec.name, exc)
                skipped.append((spec.name, str(exc)))
                continue
            valid.append(spec)
        self.specs = tuple(valid)
        self.skipped = tuple(skipped)
        self._only_defaults = self.specs == tuple(DEFAULT_SECRET_PATTERNS)
        self._regex = None
        if valid:
            combined = "|".join(f"({spec.pattern})" for spec in valid)
            try:
                self._regex = re2.compile(combined, _options())
            except re2.error:
                logger.warning("Secret patterns too large to combine; redacting one by one")
        self._singles = tuple(re2.compile(f"(?:{s.pattern})", _options()) for s in valid)
        # group number of each spec's outer group in the combined pattern (specs may have their
        # own capturing groups, which shift the numbering)
        starts, group = [], 1
        for single in self._singles:
            starts.append(group)
            group += 1 + single.groups
        self._group_starts = tuple(starts)
        # Literals: exact configured secret values, longest first so overlapping values redact
        # fully. Kept as plain strings: ``in`` + ``replace`` is faster than any regex here.
        unique = {
            lit for lit in literals if isinstance(lit, str) and len(lit) >= MIN_LITERAL_LENGTH
        }
        self._literals = tuple(sorted(unique, key=len, reverse=True))

    def redact(self, text: str) -> str:
        try:
            return self._redact(text)
        except Exception:  # never lose a log line; fall back to the most conservative output
            logger.debug("redaction failed", exc_info=False)
            return "[REDACTION_FAILED]"

    def _redact(self, text: str) -> str:
        if not isinstance(text, str):
            text = str(text)
        if not text:
            return text
        for literal in self._literals:
            if literal in text:
                text = text.replace(literal, "[REDACTED:configured_secret]")
        if not self.specs:
            return text
        if self._only_defaults:
            lowered = text.lower()
            if not any(hint in lowered for hint in _HINTS):
                return text
        if self._regex is not None:
            return self._regex.sub(self._replacement, text)
        for spec, regex in zip(self.specs, self._singles, strict=True):
            text = regex.sub(f"[REDACTED:{spec.name}]", text)
        return text

    def _replacement(self, match) -> str:
        for group, spec in zip(self._group_starts, self.specs, strict=True):
            if match.group(group) is not None:
                return _keep_prefix(spec.name, match.group(group))
        return "[REDACTED]"

    def __call__(self, text: str) -> str:
        return self.redact(text)


# For these formats the label before the secret stays readable ("api_key=[REDACTED:...]",
# "postgres://user:[REDACTED:url_password]@host"), which keeps logs useful.
_PREFIXES = {
    "secret_assignment": re2.compile(
        r"(?i)[\"']?[a-z0-9_.\-]{0,40}(?:api[_\-]?key|apikey|access[_\-]?key|secret|token|passwd|"
        r"password|pwd|private[_\-]?key|client[_\-]?secret|auth)[a-z0-9_.\-]{0,20}[\"']?\s*"
        r"(?:=|:|=>)\s*[\"']?"
    ),
    "aws_secret_access_key": re2.compile(r"(?i)[a-z_]*key[\"']?\s*[:=]\s*[\"']?"),
    "bearer_token": re2.compile(
        r"(?i)(?:authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|token|basic)\s+|bearer\s+)"
    ),
    "url_password": re2.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@\"'<>]{0,128}:"),
}


def _keep_prefix(name: str, matched: str) -> str:
    prefix_re = _PREFIXES.get(name)
    if prefix_re is None:
        return f"[REDACTED:{name}]"
    prefix = prefix_re.match(matched)
    kept = prefix.group() if prefix else ""
    suffix = "@" if name == "url_password" else ""
    quote = kept[-1] if kept and kept[-1] in "\"'" else ""
    return f"{kept}[REDACTED:{name}]{quote}{suffix}"
