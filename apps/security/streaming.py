"""Redaction that holds across streamed chunks and still streams.

A secret split across two upstream deltas must still be redacted, so the tail of what has been
received is held back while it could still become (part of) a secret — and only then:

- the trailing run of non-space characters, when it could continue into a secret: it contains a
  digit (keys, card numbers), starts with a rule keyword or a prefix of one (``sk``, ``gh``,
  ``AKIA``...) at a word or punctuation boundary, a prefix of a configured secret value, or is
  already long enough to be part of a random key;
- a "lead-in" before it on the same line — a label and separator or ``Bearer`` after which a
  secret is expected (``api_key = ``, ``Authorization: Bearer ``) — and the digit groups before
  a number that may be a spaced card number;
- a PEM or PuTTY private key from its first line until its last;
- any secret match that reaches the held part.

Everything before that is redacted and released at once, so an answer of ordinary words
arrives delta by delta, never held back by a fixed window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import re2

from apps.security.redaction import Redactor

MAX_HELD = 16_384  # past this, held text is released redacted (a runaway "key" never blocks)
CONTEXT = 512  # released text the rules still see (a scheme or a label before a secret)
LONG_TOKEN = 16
_BLOCK_STARTS = ("-----BEGIN", "PuTTY-User-Key-File-")
_BLOCK_ENDS = re2.compile(r"-----END[^\n]*?-----|Private-MAC:[ \t]*[0-9A-Fa-f]{16,}")
_LEAD_WORDS = (
    "key", "token", "secret", "passw", "pwd", "passphrase", "auth", "credential", "bearer",
    "basic", "sig", "accountkey", "apikey",
)  # fmt: skip
# whole groups only (from a token start): "4111 1111 " yes, the "0123 " ending "xyz0123 " no
_DIGIT_GROUPS = re2.compile(r"(?:^|\s)((?:[+(]?\d{1,6}[)]?[ \-.]){1,6})$")
_ASCII_DIGITS = frozenset("0123456789")  # RE2's \d
# what may come just before a group: the start, RE2's \s, or the end of the group before it
_BEFORE_A_GROUP = frozenset("\t\n\f\r -.")


def _may_end_in_digit_groups(text: str) -> bool:
    """Whether ``text`` ends with what ``_DIGIT_GROUPS``'s last group needs: a separator after
    1-6 digits (and an optional ")") that start a group. A necessary condition checked from the
    end in a few steps: RE2 runs only when it holds (most text before a token ends in a word:
    its search, ~5 µs a delta, is skipped)."""
    separator = len(text) - 1
    if separator < 1 or text[separator] not in " -.":
        return False
    digits_end = separator - 1 if text[separator - 1] == ")" else separator
    start = digits_end
    while start > 0 and text[start - 1] in _ASCII_DIGITS:
        start -= 1
    if not 1 <= digits_end - start <= 6:
        return False  # no digits, or more than a group holds (a digit cannot start a group)
    if start > 0 and text[start - 1] in "+(":
        start -= 1
    return start == 0 or text[start - 1] in _BEFORE_A_GROUP


@dataclass(frozen=True)
class HoldPolicy:
    """What a tail must look like to be held back, derived from a redactor's rules."""

    prefixes: frozenset[str]  # every prefix of every keyword and configured secret (lower case)
    starts: frozenset[str]  # the keywords themselves
    lead_in: Any  # RE2: a label + separator at the end of the text

    @classmethod
    def of(cls, redactor: Redactor) -> HoldPolicy:
        cached = getattr(redactor, "_hold_policy", None)
        if cached is not None:
            return cached
        words = {k for k in redactor.keywords if k}
        literals = {lit.lower() for lit in redactor.literals}
        prefixes = {w[:n] for w in words | literals for n in range(1, len(w) + 1)}
        labels = sorted(
            {w for w in words if w.isalpha() and len(w) >= 3} | set(_LEAD_WORDS),
            key=len,
            reverse=True,
        )
        alternation = "|".join(re2.escape(w) for w in labels)
        lead_in = re2.compile(
            r"(?i)(?:[\w.\-]{0,50}(?:" + alternation + r")[\w.\-]{0,30}[\"'`]?[ \t]{0,3}"
            r"(?:=|:|=>|:=|\+=|%3A)?[ \t]{0,3}[\"'`]?(?:(?:bearer|basic|token)[ \t]+)?"
            r"|(?:bearer|basic)[ \t]+)$"
        )
        policy = cls(
            prefixes=frozenset(prefixes),
            starts=frozenset(words),
            lead_in=lead_in,
        )
        redactor._hold_policy = policy  # built once per redactor (rules change -> new redactor)
        return policy

    def token_may_continue(self, token: str) -> bool:
        if len(token) >= LONG_TOKEN or any(map(str.isdigit, token)):
            return True
        lowered = token.lower()
        if lowered.isalnum():  # a plain word (most tokens): it can only start at its start
            return self._begins_secret_word(lowered)
        # keywords start at a word or at punctuation ("sk-", "://", "key-"): try both sides
        starts = {0}
        for index, char in enumerate(lowered):
            if not char.isalnum():
                starts.update((index, index + 1))
        return any(self._begins_secret_word(lowered[start:]) for start in starts)

    def _begins_secret_word(self, rest: str) -> bool:
        """``rest`` starts with a keyword or is (all of it) a prefix of a keyword or configured
        secret. Walked one character at a time: ``prefixes`` holds every prefix of what it
        holds, so the first longer head missing from it ends the walk (one or two set lookups
        for an ordinary word, where trying every keyword length took ~30)."""
        for end in range(1, len(rest) + 1):
            head = rest[:end]
            if head not in self.prefixes:
                return False
            if head in self.starts:
                return True
        return bool(rest)


class StreamRedactor:
    """``feed(delta) -> str`` returns what can be released now; ``flush() -> str`` the rest.

    ``redact`` is a :class:`Redactor` (exact: its matches decide what is held) or any
    ``str -> str`` function (then the default rules decide what is held, and a release happens
    only where redacting the released part alone agrees with redacting everything received).
    """

    def __init__(self, redact: Redactor | Callable[[str], str]) -> None:
        self._redactor = redact if isinstance(redact, Redactor) else None
        self._redact = redact.redact if isinstance(redact, Redactor) else redact
        self._policy = HoldPolicy.of(self._redactor or _default_redactor())
        self._pending = ""
        self._context = ""  # the last released characters, as received

    def feed(self, text: str) -> str:
        if not text:
            return ""
        self._pending += text
        return self._release()

    def flush(self) -> str:
        """The stream ended: everything still held, redacted."""
        if not self._pending:
            return ""
        if self._redactor is None:
            pending, self._pending = self._pending, ""
            return self._redact(pending)
        return self._release(final=True)

    # --- where to cut ------------------------------------------------------------------------

    def _hold_from(self, pending: str) -> int:
        cut = len(pending)
        for marker in _BLOCK_STARTS:
            at = pending.find(marker)
            if at >= 0 and not _BLOCK_ENDS.search(pending, at):
                cut = min(cut, at)
        # trailing token (``str.split`` and ``str.isspace`` agree on what is whitespace)
        token = pending.rsplit(None, 1)[-1] if pending and not pending[-1].isspace() else ""
        token_start = len(pending) - len(token)
        if token and self._policy.token_may_continue(token):
            cut = min(cut, token_start)
        if not token or any(map(str.isdigit, token)):
            # groups of digits before it: "4111 1111 1111 " may go on into a card number
            before = max(0, token_start - 48)
            window = pending[before:token_start]
            if _may_end_in_digit_groups(window):
                groups = _DIGIT_GROUPS.search(window)
                if groups is not None:
                    cut = min(cut, before + groups.start(1))
        # a label or "Bearer" just before the token (or before the end)
        line_start = pending.rfind("\n", 0, token_start) + 1
        window_start = max(line_start, token_start - 200)
        # (sliced: RE2's "$" matches only at the real end of the text, not at an endpos)
        before_token = pending[window_start:token_start]
        if before_token.isascii():  # as bytes: same offsets, and RE2 reads them as they are
            lead = self._policy.lead_in.search(before_token.encode())
        else:
            lead = self._policy.lead_in.search(before_token)
        if lead is not None:
            cut = min(cut, window_start + lead.start())
        return cut

    def _release(self, *, final: bool = False) -> str:
        pending = self._pending
        cut = len(pending) if final else self._hold_from(pending)
        if len(pending) - cut > MAX_HELD:
            cut = len(pending)
        if cut <= 0:
            return ""
        if self._redactor is None:
            return self._release_verified(pending, cut)
        # Rules see the released text before ``pending`` too ("redi" + "s://:pw@host" is still
        # a URL with a password); positions below are relative to ``pending``.
        context = self._context
        offset = len(context)
        findings = self._redactor.find(context + pending)
        for finding in () if final else findings:
            end = max(finding.end, finding.match_end) - offset
            if end <= 0:
                continue
            if finding.match_start - offset < cut < end or (
                finding.start - offset < cut and end >= len(pending)
            ):
                cut = min(cut, max(0, finding.match_start - offset, finding.start - offset))
        if cut <= 0:
            return ""
        head = pending[:cut]
        parts, at = [], 0
        for finding in findings:
            start, end = max(0, finding.start - offset), finding.end - offset
            if end <= 0 or end > cut or start < at:
                continue
            parts.append(head[at:start])
            parts.append(f"[REDACTED:{finding.name}]")
            at = end
        parts.append(head[at:])
        self._pending = pending[cut:]
        self._context = (context + head)[-CONTEXT:]
        return "".join(parts)

    def _release_verified(self, pending: str, cut: int) -> str:
        full = self._redact(pending)
        while cut > 0:
            head = self._redact(pending[:cut])
            if full.startswith(head):
                self._pending = pending[cut:]
                return head
            cut = pending.rfind(" ", 0, cut - 1) + 1
        return ""


_default: list[Redactor] = []


def _default_redactor() -> Redactor:
    if not _default:
        _default.append(Redactor())
    return _default[0]
