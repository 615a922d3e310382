"""Output redaction that holds across streamed chunks.

A secret split across two upstream deltas must still be redacted, so the tail of what has been
received — the part that could still be the start of a secret — is held back until enough text
follows it (or the stream ends). Text is released only up to a whitespace boundary at least
``window`` characters behind the end, and only when redacting the released part alone gives the
same text as redacting everything received would: a match never straddles what was emitted.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Longer than any single-token secret the redactor knows (API keys, JWTs are shorter in practice).
DEFAULT_WINDOW = 256
# A PEM block spans lines; hold everything from its BEGIN line until its END line (bounded).
_PEM_BEGIN = "-----BEGIN"
_PEM_END = re.compile(r"-----END[^\n-]*-----")
MAX_HELD = 16_384


class StreamRedactor:
    def __init__(self, redact: Callable[[str], str], *, window: int = DEFAULT_WINDOW) -> None:
        self._redact = redact
        self._window = window
        self._pending = ""

    def feed(self, text: str) -> str:
        """Add received text; return what can be safely emitted now (may be empty)."""
        if not text:
            return ""
        self._pending += text
        return self._release(final=False)

    def flush(self) -> str:
        """The stream ended: redact and return everything still held."""
        return self._release(final=True)

    def _release(self, *, final: bool) -> str:
        pending = self._pending
        if final:
            self._pending = ""
            return self._redact(pending) if pending else ""
        limit = len(pending) - self._window
        pem = pending.rfind(_PEM_BEGIN)
        if pem >= 0 and not _PEM_END.search(pending, pem) and len(pending) < MAX_HELD:
            limit = min(limit, pem)
        if limit <= 0:
            return ""
        full = None
        cut = limit
        while cut > 0:
            cut = _last_whitespace_end(pending, cut)
            if cut <= 0:
                return ""
            head = self._redact(pending[:cut])
            if full is None:
                full = self._redact(pending)
            if full.startswith(head):
                self._pending = pending[cut:]
                return head
            cut -= 1
        return ""


def _last_whitespace_end(text: str, before: int) -> int:
    """The index just after the last whitespace character at or before ``before - 1``."""
    for index in range(before - 1, -1, -1):
        if text[index].isspace():
            return index + 1
    return 0
