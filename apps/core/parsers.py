"""The API's JSON parser: every body that could not be stored or sent upstream is a 400 here,
before a view (or a paid LLM call) sees it.

On top of DRF's JSON parser it refuses, with ``400 malformed_request``:

- nesting deeper than ``API_JSON_MAX_DEPTH`` (a 10,000-deep body made the decoder raise
  RecursionError, a 500), decided by a scan of the raw bytes before decoding;
- numbers that are not finite (``1e400`` decodes to ``inf``; ``NaN``/``Infinity`` literals) and
  integers longer than Python converts;
- lone UTF-16 surrogates (``"\\ud800"``: valid JSON, but no valid UTF-8, so not storable, not
  hashable, not sendable upstream) and NUL characters (``"\\u0000"``: PostgreSQL text and jsonb
  cannot store them), in keys and values alike.

Size is bounded before parsing by ``BodySizeLimitMiddleware`` (``API_MAX_BODY_BYTES``).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# A JSON string (escapes included) or one bracket: strings are skipped whole, so brackets inside
# them never count. Runs in C; the Python loop only sees strings and brackets.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# "\u0000" preceded by an even number of backslashes (an odd number escapes the backslash).
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def max_json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays/objects in ``raw`` (brackets inside strings ignored)."""
    depth = deepest = 0
    for match in _TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def nested_deeper_than(raw: bytes, limit: int) -> bool:
    """``max_json_depth(raw) > limit``, without the scan when ``raw`` has no more opening
    brackets than ``limit`` (strings included: the count can only overstate the depth) -- an
    ordinary request body, whose scan cost a few percent of a request."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    return max_json_depth(raw) > limit


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParseError(f"JSON parse error - number {text[:40]} is out of range.")
    return value


def _no_constants(name: str) -> None:
    raise ParseError(f"JSON parse error - {name} is not a valid JSON number.")


def check_text_is_storable(decoded: Any, raw_text: str) -> None:
    """Refuse lone surrogates and NUL characters anywhere in a decoded JSON document."""
    if "\\u" not in raw_text:
        return  # both can only arrive as \\u escapes (raw control characters are invalid JSON)
    if _NUL_ESCAPE.search(raw_text):
        raise ParseError("JSON parse error - NUL characters (\\u0000) are not accepted.")
    try:
        json.dumps(decoded, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(
            "JSON parse error - the text contains a lone UTF-16 surrogate (not valid Unicode)."
        ) from None


def parse_json_bytes(raw: bytes, encoding: str = "utf-8") -> Any:
    """Decode a JSON request body under the limits above (raises ParseError). Views that do
    not go through DRF's parsers (e.g. async views) call this directly."""
    limit = settings.API_JSON_MAX_DEPTH
    if nested_deeper_than(raw, limit):
        raise ParseError(f"JSON parse error - nested deeper than {limit} levels.")
    try:
        text = codecs.decode(raw, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ParseError(f"JSON parse error - the body is not valid {encoding}.") from exc
    try:
        data = json.loads(text, parse_float=_finite_float, parse_constant=_no_constants)
    except ValueError as exc:  # also int() of more digits than sys.get_int_max_str_digits
        raise ParseError(f"JSON parse error - {exc}") from None
    except RecursionError:  # unreachable under the depth limit; never a 500 regardless
        raise ParseError("JSON parse error - nested too deeply.") from None
    check_text_is_storable(data, text)
    return data


class SafeJSONParser(JSONParser):
    """DRF's JSON parser with depth, number and Unicode limits (see the module docstring)."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        return parse_json_bytes(raw, encoding)
