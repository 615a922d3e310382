"""Sanitization: the policy's text clean-up (size limit, Unicode normalization, control and
invisible characters) and what may be stored."""

from __future__ import annotations

import logging
import re
import unicodedata

from apps.security.exceptions import (
    InputTooLarge,
)
from apps.security.selectors import (
    SanitizationRules,
)

logger = logging.getLogger(__name__)


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
    if rules.unicode_normalization == "NFKC":
        text = unicodedata.normalize("NFKC", text)
    elif rules.unicode_normalization == "NFC":
        text = unicodedata.normalize("NFC", text)
    if rules.strip_control_chars:
        text = _CONTROL.sub("", text)
    if rules.strip_zero_width:
        text = _INVISIBLE.sub("", text)
    return text, truncated


# Controls PostgreSQL or log readers choke on (stored text keeps tab/newline/CR).
STORED_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
