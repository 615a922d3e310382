"""Secret redaction for logs, audit excerpts, answers and anything stored.

The rule set is AgentHub's own formats plus gitleaks' maintained rules (imported at build time,
``apps/security/secret_rules``), and whatever operators add in admin. Every pattern is RE2
(linear time), so no pattern can stall a log line.

Cost stays flat as rules grow: one RE2 *set* pass finds which rule keywords occur in the text
(gitleaks' keyword prefilter, an Aho-Corasick-like scan in one DFA) and, in the same pass, which
rules without keywords (operators' patterns, card numbers) match at all; only the rules whose
keywords occur run, and of those only the ones whose pattern's required text occurs
(``apps.security.required_text``: gitleaks' JWT rule has the keyword ``ey``, found in most
English text, but cannot match without ``.ey``). The text is encoded for RE2 once per call, and
ASCII text (nearly all) is matched as bytes, whose offsets are its character offsets. A
candidate match then has to pass its rule's checks (Shannon entropy, allowlists and stopwords,
placeholders, Luhn).

Overlapping matches: the one with the longer secret wins, then the more specific rule, then the
longer match; a match whose secret lies inside the winner's match is dropped (a generic
``authorization: Bearer`` assignment never beats the bearer token it sits in front of).
Only the secret part is replaced (``api_key=[REDACTED:...]`` keeps logs readable).

``redact`` never raises: a logging filter must not lose a line because redaction failed.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import re2

from apps.security.guard.rules import PatternError, validate_pattern
from apps.security.required_text import Requirement, required_text

__all__ = [
    "DEFAULT_SECRET_PATTERNS",
    "Allowlist",
    "Finding",
    "Redactor",
    "SecretSpec",
    "shannon_entropy",
    "validate_secret_pattern",
]

logger = logging.getLogger(__name__)

MIN_LITERAL_LENGTH = 8  # shorter "secrets" would redact ordinary words
_MAX_MEM = 64 << 20

# secret_group values: 0 = the whole match; n = group n; FIRST_GROUP = the first group that
# matched something (gitleaks' rule when a rule has groups but names no secretGroup).
FIRST_GROUP = -1

# Rank of a rule's kind when two matches tie on secret length (lower wins).
SPECIFIC: int = 0
MAINTAINED: int = 1
GENERIC: int = 2


@dataclass(frozen=True)
class Allowlist:
    """A match is allowed (not a secret) when its ``target`` text matches one of ``regexes`` or
    the secret contains one of ``stopwords``; with ``condition="AND"`` both must hold."""

    target: str = "secret"  # secret | match | line
    regexes: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    condition: str = "OR"


@dataclass(frozen=True)
class SecretSpec:
    name: str
    pattern: str
    keywords: tuple[str, ...] = ()  # lower case; the rule runs only when one occurs
    entropy: float = 0.0  # the secret's Shannon entropy must exceed this (0: no check)
    secret_group: int = 0
    allowlists: tuple[Allowlist, ...] = ()
    check: str = ""  # "", "luhn" (card numbers), "generic" (assignments: no placeholders)
    kind: int = SPECIFIC
    description: str = ""


@dataclass(frozen=True)
class Finding:
    start: int  # the secret (what is replaced)
    end: int
    name: str
    match_start: int  # the whole match (what decides overlaps)
    match_end: int
    rank: int = SPECIFIC


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in Counter(text).values())


def validate_secret_pattern(pattern: str) -> None:
    """Same rules as injection patterns: RE2 syntax, not empty, bounded, no empty matches."""
    validate_pattern(pattern)


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _MAX_MEM
    return options


def luhn_valid(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for index, char in enumerate(digits):
        value = ord(char) - 48
        if index % 2 == parity:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# Values of an assignment that are references or placeholders, not secrets:
# ``apiKey: process.env.OPENAI_API_KEY``, ``token: <YOUR_TOKEN_HERE>``, ``${SECRET}``...
_PLACEHOLDER = re2.compile(
    r"(?i)^(?:\$|%|@|<|\{|\[|~?/|\./|process\.env|os\.environ|os\.getenv|getenv|env\.|env\[|ENV\[|"
    r"settings\.|config\.|secrets\.|vars\.|import\.meta|none$|null$|nil$|true$|false$|undefined$)"
    r"|(?i)(?:your[_\-\s]?|_here$|-here$|xxxx|\*\*\*|\.\.\.|changeme|change_me|placeholder|"
    r"redacted|dummy|example\.com|<|>)",
    _options(),
)
_TOKEN_TAIL = re2.compile(r"[A-Za-z0-9_\-+/=]+", _options())


def _is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value)) or len(set(value)) <= 2


@dataclass
class _Rule:
    spec: SecretSpec
    regex: Any  # a compiled RE2 pattern (google-re2 ships no type stubs)
    allow: tuple[tuple[str, tuple, tuple[str, ...], str], ...]
    multiline: bool = False  # may span many lines (PEM blocks): never windowed
    # Strings of which every match contains one (``()``: nothing known); a rule whose keyword
    # occurs but none of these is skipped, which changes no finding.
    required: Requirement = ()
    reads_match: bool = False  # an allowlist looks at the whole match
    reads_line: bool = False  # an allowlist looks at the match's line


# A stream redactor finds the same secret again at every delta while it stays in the context:
# the checks of a candidate (entropy, ~1,500 stopwords, allowlist regexes) are remembered by
# what they read (a line can be the whole 512-character context of a stream). Bounded: past
# this many decisions the memory starts afresh, and longer secrets, matches or lines (PEM
# blocks) are not remembered, so it holds at most ~6 million characters (a few MB of ASCII).
_DECISIONS_MAX = 2048
_DECIDED_LENGTH_MAX = 1024


# Texts this long run keyword rules on windows around their keywords only.
WINDOWED_FROM = 8192
_WINDOW_BACK, _WINDOW_AHEAD = 512, 4096
_WINDOWS_MAX = 32
_MULTILINE = re2.compile(r"\[\\s\\S|\\s\\S\]|\(\?s|\\n|\\r|\\z|\\A")


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class Redactor:
    """Replaces secrets with ``[REDACTED:<name>]``. Its decisions never change (it only
    remembers them, see ``_accepted``); share one per configuration."""

    def __init__(
        self,
        specs: Iterable[SecretSpec] | None = None,
        literals: Iterable[str] = (),
        *,
        global_allowlist: Allowlist | None = None,
    ) -> None:
        # The stream redactor's hold-back policy, built once per redactor (apps.security.streaming).
        self._hold_policy: Any = None
        if specs is None:
            specs = DEFAULT_SECRET_PATTERNS
            if global_allowlist is None:
                global_allowlist = GLOBAL_ALLOWLIST
        rules: list[_Rule] = []
        skipped: list[tuple[str, str]] = []
        for spec in specs:
            try:
                validate_secret_pattern(spec.pattern)
                regex = re2.compile(spec.pattern, _options())
                allow = tuple(
                    (
                        a.target,
                        tuple(re2.compile(r, _options()) for r in a.regexes),
                        tuple(s.lower() for s in a.stopwords),
                        a.condition.upper(),
                    )
                    for a in spec.allowlists
                )
            except (PatternError, re2.error) as exc:
                logger.warning("Skipping secret pattern %r: %s", spec.name, exc)
                skipped.append((spec.name, str(exc)))
                continue
            rules.append(
                _Rule(
                    spec,
                    regex,
                    allow,
                    bool(_MULTILINE.search(spec.pattern)),
                    required_text(spec.pattern) if spec.keywords else (),
                    reads_match=any(a[0] == "match" for a in allow),
                    reads_line=any(a[0] == "line" for a in allow),
                )
            )
        self._rules = tuple(rules)
        self._required = tuple(r.required or ("",) for r in rules)  # "" is in every text
        # ``_accept``'s decisions by (rule, secret, match, line): see ``_accepted``
        self._decisions: dict[tuple[int, str, str | None, str | None], bool] = {}
        self.specs: tuple[SecretSpec, ...] = tuple(r.spec for r in rules)
        self.skipped: tuple[tuple[str, str], ...] = tuple(skipped)
        self._global_regexes = tuple(
            re2.compile(r, _options())
            for r in (global_allowlist.regexes if global_allowlist else ())
        )
        self._global_stopwords = tuple(global_allowlist.stopwords) if global_allowlist else ()

        # Keyword prefilter: one set of literal keywords, each mapped to the rules that need it.
        keywords = sorted({k for r in rules for k in r.spec.keywords})
        self.keywords: tuple[str, ...] = tuple(keywords)
        self._keyword_rules: list[list[int]] = [[] for _ in keywords]
        index_of = {k: i for i, k in enumerate(keywords)}
        for number, rule in enumerate(rules):
            for keyword in rule.spec.keywords:
                self._keyword_rules[index_of[keyword]].append(number)
        keyword_patterns = ["(?i)" + re2.escape(k) for k in keywords]
        self._keyword_set = self._build_set(keyword_patterns)
        # Rules without keywords: a second set says which of them match anywhere.
        self._always = [n for n, r in enumerate(rules) if not r.spec.keywords]
        always_patterns = [rules[n].spec.pattern for n in self._always]
        self._always_set = self._build_set(always_patterns)
        # Both in one set: one scan of the text instead of two (a set reports each of its
        # patterns as it would alone). The two sets above remain the fallback.
        self._combined_set = (
            self._build_set(keyword_patterns + always_patterns)
            if self._keyword_set and self._always_set
            else None
        )

        unique = {
            lit for lit in literals if isinstance(lit, str) and len(lit) >= MIN_LITERAL_LENGTH
        }
        self._literals = tuple(sorted(unique, key=len, reverse=True))

    @staticmethod
    def _build_set(patterns: list[str]):
        if not patterns:
            return None
        try:
            pattern_set = re2.Set.SearchSet(_options())
            for pattern in patterns:
                pattern_set.Add(pattern)
            pattern_set.Compile()
        except re2.error:
            logger.warning("secret rule prefilter could not be built; running every rule")
            return False
        return pattern_set

    # --- finding -----------------------------------------------------------------------------

    def _candidates(self, text: str, data: bytes) -> list[int]:
        """The rules to run on ``text`` (``data``: its UTF-8 encoding, what RE2 reads)."""
        keyworded: set[int] = set()
        numbers: set[int] = set()
        if self._combined_set:
            n_keywords = len(self.keywords)
            for index in self._combined_set.Match(data) or ():
                if index < n_keywords:
                    keyworded.update(self._keyword_rules[index])
                else:
                    numbers.add(self._always[index - n_keywords])
        else:
            if self._keyword_set is False:
                keyworded.update(n for n, r in enumerate(self._rules) if r.spec.keywords)
            elif self._keyword_set is not None:
                for index in self._keyword_set.Match(data) or ():
                    keyworded.update(self._keyword_rules[index])
            if self._always_set is False:
                numbers.update(self._always)
            elif self._always_set is not None:
                for index in self._always_set.Match(data) or ():
                    numbers.add(self._always[index])
        required = self._required
        for number in keyworded:
            for part in required[number]:
                if part in text:
                    numbers.add(number)
                    break
        return sorted(numbers)

    def find(self, text: str) -> list[Finding]:
        """Every secret in ``text``, overlaps resolved, in order of position."""
        findings: list[Finding] = []
        for literal in self._literals:
            at = text.find(literal)
            while at >= 0:
                end = at + len(literal)
                findings.append(Finding(at, end, "configured_secret", at, end, -1))
                at = text.find(literal, end)
        if self._rules:
            data = text.encode("utf-8")  # once per call, not once per rule
            candidates = self._candidates(text, data)
            if len(text) < WINDOWED_FROM:
                # ASCII: RE2's byte offsets are the character offsets, so the rules read the
                # bytes (the wrapper would encode the text again per rule and map offsets).
                subject: str | bytes = data if len(data) == len(text) else text
                for number in candidates:
                    findings.extend(self._rule_findings_in(self._rules[number], text, subject))
            else:
                findings.extend(self._windowed(text, candidates))
        return _resolve(findings)

    def _windowed(self, text: str, candidates: list[int]) -> list[Finding]:
        """Long texts: a keyword rule runs only on the lines around its keywords' occurrences
        (exact positions by ``str.find`` on the lower-cased text), not on the whole text."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer: no mapping
            return [f for n in candidates for f in self._rule_findings(self._rules[n], text)]
        positions: dict[str, list[int]] = {}
        found: list[Finding] = []
        for number in candidates:
            rule = self._rules[number]
            if not rule.spec.keywords or rule.multiline:
                found.extend(self._rule_findings(rule, text))
                continue
            spans: list[tuple[int, int]] = []
            for keyword in rule.spec.keywords:
                if keyword not in positions:
                    at = lowered.find(keyword)
                    hits: list[int] = []
                    while at >= 0 and len(hits) <= _WINDOWS_MAX:
                        hits.append(at)
                        at = lowered.find(keyword, at + 1)
                    positions[keyword] = hits
                spans.extend(
                    (max(0, at - _WINDOW_BACK), at + len(keyword) + _WINDOW_AHEAD)
                    for at in positions[keyword]
                )
            if len(spans) > _WINDOWS_MAX:  # a keyword on every line: one scan is cheaper
                found.extend(self._rule_findings(rule, text))
                continue
            for start, end in _merged(spans):
                start = text.rfind("\n", 0, start) + 1 if start > 0 else 0
                line_end = text.find("\n", end) if end < len(text) else -1
                end = len(text) if line_end < 0 else line_end
                found.extend(self._rule_findings(rule, text[start:end], start))
        return found

    def _rule_findings(self, rule: _Rule, text: str, offset: int = 0) -> Iterable[Finding]:
        for f in self._rule_findings_in(rule, text):
            if offset:
                f = Finding(
                    f.start + offset,
                    f.end + offset,
                    f.name,
                    f.match_start + offset,
                    f.match_end + offset,
                    f.rank,
                )
            yield f

    def _rule_findings_in(
        self, rule: _Rule, text: str, subject: str | bytes | None = None
    ) -> Iterable[Finding]:
        """Findings of ``rule`` in ``text``; ``subject`` is what the regex reads: ``text``
        itself or, when ``text`` is ASCII, its encoding (same offsets)."""
        spec = rule.spec
        for match in rule.regex.finditer(text if subject is None else subject):
            start, end = _secret_span(match, spec.secret_group)
            if start < 0 or end <= start:
                continue
            secret = text[start:end]
            if not self._accepted(rule, secret, match, text):
                continue
            if spec.kind != GENERIC:
                # A rule that stops mid-token (``glpat-`` + exactly 20) must not leave the rest
                # of the token in clear.
                tail = _TOKEN_TAIL.match(text, end)
                if tail is not None:
                    end = tail.end()
            yield Finding(start, end, spec.name, match.start(), max(match.end(), end), spec.kind)

    def _accepted(self, rule: _Rule, secret: str, match, text: str) -> bool:
        """``_accept``, remembered. Its decision depends on the rule, the secret and, where an
        allowlist reads them, the whole match and the match's line: nothing else (the
        redactor's rules and allowlists never change), so that is the key."""
        start, end = match.start(), match.end()
        matched = text[start:end] if rule.reads_match else None
        line = None
        if rule.reads_line:
            line_end = text.find("\n", end)
            line = text[text.rfind("\n", 0, start) + 1 : line_end if line_end >= 0 else len(text)]
        if max(len(secret), len(matched or ""), len(line or "")) > _DECIDED_LENGTH_MAX:
            return self._accept(rule, secret, match, text)
        key = (id(rule), secret, matched, line)  # the rule lives as long as the redactor
        decisions = self._decisions
        decision = decisions.get(key)
        if decision is None:
            decision = self._accept(rule, secret, match, text)
            if len(decisions) >= _DECISIONS_MAX:
                decisions.clear()
            decisions[key] = decision
        return decision

    def _accept(self, rule: _Rule, secret: str, match, text: str) -> bool:
        spec = rule.spec
        if spec.entropy:
            if shannon_entropy(secret) <= spec.entropy:
                return False
            # gitleaks: a generic secret has at least one digit
            generic = spec.kind == GENERIC and spec.name.startswith("generic")
            if generic and not any(c.isdigit() for c in secret):
                return False
        if spec.check == "luhn":
            digits = "".join(c for c in secret if c.isdigit())
            if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
                return False
            if not digits.startswith(CARD_PREFIXES):
                return False
        elif spec.check == "generic" and _is_placeholder(secret):
            return False
        lowered = secret.lower()
        if any(word in lowered for word in self._global_stopwords):
            return False
        if any(regex.search(secret) for regex in self._global_regexes):
            return False
        for target, regexes, stopwords, condition in rule.allow:
            if target == "match":
                subject = text[match.start() : match.end()]  # str even when bytes were read
            elif target == "line":
                line_start = text.rfind("\n", 0, match.start()) + 1
                line_end = text.find("\n", match.end())
                subject = text[line_start : line_end if line_end >= 0 else len(text)]
            else:
                subject = secret
            hits = []
            if regexes:
                hits.append(any(r.search(subject) for r in regexes))
            if stopwords:
                hits.append(any(word in lowered for word in stopwords))
            if hits and (all(hits) if condition == "AND" else any(hits)):
                return False
        return True

    # --- replacing ---------------------------------------------------------------------------

    @staticmethod
    def apply(text: str, findings: Iterable[Finding]) -> str:
        parts, at = [], 0
        for finding in findings:
            if finding.start < at:
                continue
            parts.append(text[at : finding.start])
            parts.append(f"[REDACTED:{finding.name}]")
            at = finding.end
        if not parts:
            return text
        parts.append(text[at:])
        return "".join(parts)

    def redact(self, text: str) -> str:
        try:
            if not isinstance(text, str):
                text = str(text)
            if not text:
                return text
            return self.apply(text, self.find(text))
        except Exception:  # never lose a log line; fall back to the most conservative output
            logger.debug("redaction failed", exc_info=False)
            return "[REDACTION_FAILED]"

    def __call__(self, text: str) -> str:
        return self.redact(text)

    @property
    def literals(self) -> tuple[str, ...]:
        return self._literals


def _secret_span(match, group: int) -> tuple[int, int]:
    if group > 0:
        return match.span(group) if group <= match.re.groups else match.span()
    if group == FIRST_GROUP and match.re.groups:
        for number in range(1, match.re.groups + 1):
            start, end = match.span(number)
            if end > start:
                return start, end
    return match.span()


def _resolve(findings: list[Finding]) -> list[Finding]:
    """Overlaps: longer secret, then more specific rule, then longer match wins; a finding whose
    secret lies inside a winner's match is dropped; partial overlaps of secrets are merged."""
    if len(findings) <= 1:
        return findings
    ranked = sorted(
        findings,
        key=lambda f: (-(f.end - f.start), f.rank, -(f.match_end - f.match_start), f.start),
    )
    chosen: list[Finding] = []
    for finding in ranked:
        if any(c.match_start <= finding.start and finding.end <= c.match_end for c in chosen):
            continue
        chosen.append(finding)
    chosen.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for finding in chosen:
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            if finding.end > last.end:
                merged[-1] = Finding(
                    last.start,
                    finding.end,
                    last.name,
                    min(last.match_start, finding.match_start),
                    max(last.match_end, finding.match_end),
                    last.rank,
                )
            continue
        merged.append(finding)
    return merged


# Imported last: the rule catalogue builds SecretSpec objects from this module.
from apps.security.secret_rules import (  # noqa: E402
    CARD_PREFIXES,
    DEFAULT_SECRET_PATTERNS,
    GLOBAL_ALLOWLIST,
)
