"""API key format: ``ah_<prefix>_<secret>``.

The secret carries 256 random bits, so a single SHA-256 is the right hash: there is no
dictionary to attack, and a slow KDF would put a password hash on every API request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_PREFIX = "ah"
PREFIX_LENGTH = 12


@dataclass(frozen=True)
class GeneratedKey:
    prefix: str
    secret_hash: str
    plaintext: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def generate_key() -> GeneratedKey:
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    return GeneratedKey(
        prefix=prefix,
        secret_hash=hash_secret(secret),
        plaintext=f"{KEY_PREFIX}_{prefix}_{secret}",
    )


def split_key(raw: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != PREFIX_LENGTH:
        return None
    if not parts[2] or len(parts[2]) > 128:
        return None
    return parts[1], parts[2]


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), secret_hash)
