"""Where configured secret values come from, for redaction.

Apps that know of secrets (the providers app knows which environment variables hold API keys)
register a source; the security app's redactor asks :func:`known_secret_values` and hides every
value it returns. Core keeps the registry so neither app needs to import the other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

SecretSource = Callable[[], Iterable[str]]
_sources: list[SecretSource] = []

# Values shorter than this are not treated as secrets: redacting "abc" everywhere would shred logs.
MIN_SECRET_LENGTH = 8


def register_secret_source(source: SecretSource) -> None:
    if source not in _sources:
        _sources.append(source)


def known_secret_values() -> set[str]:
    values: set[str] = set()
    for source in _sources:
        try:
            values.update(v for v in source() if v and len(v) >= MIN_SECRET_LENGTH)
        except Exception:  # a broken source must not break logging or redaction
            logger.warning("secret source %r failed", getattr(source, "__name__", source))
    return values
