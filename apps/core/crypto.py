"""Encryption of secrets stored in the database (provider API keys), with key rotation.

``SECRETS_ENCRYPTION_KEYS`` holds Fernet keys, newest first: the first encrypts, every one
decrypts, so a new key is put in front, ``manage.py rotate_secrets`` re-encrypts every stored
secret with it, and the old key is removed afterwards. Outside production an unset list falls
back to one key derived from the embedded development SECRET_KEY (production refuses to start
without the setting, see settings.py).
"""

from __future__ import annotations

import threading

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_lock = threading.Lock()
_cached: tuple[tuple[str, ...], MultiFernet] | None = None


class SecretDecryptionError(Exception):
    """A stored secret none of the configured keys can decrypt (key removed too early)."""


def _keys() -> tuple[str, ...]:
    keys = tuple(k.strip() for k in settings.SECRETS_ENCRYPTION_KEYS if k.strip())
    if not keys:
        raise ImproperlyConfigured("SECRETS_ENCRYPTION_KEYS is empty.")
    return keys


def _fernet() -> MultiFernet:
    global _cached
    keys = _keys()
    cached = _cached
    if cached is not None and cached[0] == keys:
        return cached[1]
    with _lock:
        try:
            fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError as exc:
            raise ImproperlyConfigured(
                "SECRETS_ENCRYPTION_KEYS must be comma-separated Fernet keys "
                "(32 url-safe base64-encoded bytes each)."
            ) from exc
        _cached = (keys, fernet)
    return fernet


def encrypt_secret(value: str) -> str:
    """The token to store (ASCII); encrypted with the newest key."""
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise SecretDecryptionError(
            "A stored secret cannot be decrypted with SECRETS_ENCRYPTION_KEYS."
        ) from exc


def rotate_token(token: str) -> str:
    """The same secret re-encrypted with the newest key (raises if no key decrypts it)."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise SecretDecryptionError(
            "A stored secret cannot be decrypted with SECRETS_ENCRYPTION_KEYS."
        ) from exc
