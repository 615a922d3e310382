"""What a PII policy says, as the request path sees it (built from ``PiiPolicy`` rows)."""

from __future__ import annotations

from dataclasses import dataclass, field

ENTITIES = ("secret", "card", "iban", "ssn", "email", "phone", "ip")
ACTIONS = ("off", "mask", "redact", "block")

# A fresh install masks everything except IP addresses (logs and prompts about networks are
# full of them, and an address alone rarely identifies a person).
_DEFAULT_ACTIONS = {
    "secret": "mask",
    "card": "mask",
    "iban": "mask",
    "ssn": "mask",
    "email": "mask",
    "phone": "mask",
    "ip": "off",
}


@dataclass(frozen=True)
class PiiRules:
    actions: dict[str, str] = field(default_factory=lambda: dict(_DEFAULT_ACTIONS))
    phone_region: str = "US"

    def action(self, entity: str) -> str:
        return self.actions.get(entity, "off")

    @property
    def active(self) -> tuple[str, ...]:
        return tuple(e for e in ENTITIES if self.action(e) != "off")


DEFAULT_PII_RULES = PiiRules()
