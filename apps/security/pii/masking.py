"""Reversible masking: stable placeholders before the provider, originals back in the answer.

A ``Vault`` lives for one request: the same value always gets the same placeholder
(``[EMAIL_1]``), across every message of the request, so the model can refer to it. The answer
(whole or streamed) is restored from the vault; a placeholder split across streamed deltas is
held back until it is complete (at most the length of the longest placeholder).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import re2

from apps.security.pii.detect import Entity

LABELS = {
    "secret": "SECRET",
    "card": "CARD",
    "iban": "IBAN",
    "ssn": "SSN",
    "email": "EMAIL",
    "phone": "PHONE",
    "ip": "IP",
}
_PLACEHOLDER = re2.compile(r"\[(SECRET|CARD|IBAN|SSN|EMAIL|PHONE|IP)_(\d{1,5})\]")
# The tail of a text that could still grow into a placeholder: "[", "[EM", "[EMAIL_1"...
_PARTIAL = re2.compile(r"\[(?:[A-Z]{0,6}|[A-Z]{2,6}_\d{0,5})$")
MAX_PLACEHOLDER = len("[SECRET_99999]")


@dataclass
class Vault:
    """Placeholder <-> original for one request."""

    originals: dict[str, str] = field(default_factory=dict)  # placeholder -> value
    placeholders: dict[tuple[str, str], str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def placeholder(self, kind: str, value: str) -> str:
        key = (kind, value)
        existing = self.placeholders.get(key)
        if existing is not None:
            return existing
        number = self.counts.get(kind, 0) + 1
        self.counts[kind] = number
        placeholder = f"[{LABELS[kind]}_{number}]"
        self.placeholders[key] = placeholder
        self.originals[placeholder] = value
        return placeholder

    def __bool__(self) -> bool:
        return bool(self.originals)

    def restore(self, text: str) -> str:
        if not self.originals or "[" not in text:
            return text
        return _PLACEHOLDER.sub(lambda m: self.originals.get(m.group(), m.group()), text)


def apply_actions(
    text: str, entities: Iterable[Entity], action_of: Callable[[str], str], vault: Vault
) -> str:
    """``text`` with each entity masked (placeholder) or redacted per its action."""
    parts, at = [], 0
    for entity in entities:
        action = action_of(entity.kind)
        if action == "mask":
            replacement = vault.placeholder(entity.kind, entity.value)
        elif action in {"redact", "block"}:
            replacement = f"[REDACTED:{entity.kind}]"
        else:
            continue
        parts.append(text[at : entity.start])
        parts.append(replacement)
        at = entity.end
    if not parts:
        return text
    parts.append(text[at:])
    return "".join(parts)


class StreamRestorer:
    """Restores placeholders in a streamed answer; ``feed(delta) -> str``, ``flush() -> str``."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._pending = ""

    def feed(self, text: str) -> str:
        if not text:
            return ""
        if not self._vault:
            return text
        pending = self._pending + text
        cut = len(pending)
        bracket = pending.rfind("[", max(0, len(pending) - MAX_PLACEHOLDER))
        if bracket >= 0 and _PARTIAL.match(pending, bracket):
            cut = bracket
        self._pending = pending[cut:]
        return self._vault.restore(pending[:cut])

    def flush(self) -> str:
        pending, self._pending = self._pending, ""
        return self._vault.restore(pending)
