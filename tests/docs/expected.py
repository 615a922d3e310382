"""The output a page documents for a command, as a shape the real answer must have.

The pages write answers as abbreviated JSON: ``{"label": "billing", "usage": {…}, ...}``,
``"status": "queued" | "running"``, ``"result": {…} | "error": {"code", "message"}``,
``"reply": "According to search_documents, the answer is: [1] ..."``, optionally after the HTTP
status (``400 {...}``). Read as: objects are open (more keys may come), ``…``/``...`` stands for
any value (inside a string: any text), ``|`` separates alternatives, a key without a value must
be present. Every concrete value shown must be the real one, except numbers under keys ending
in ``_ms`` (timings: only their type is checked).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

ELLIPSIS = re.compile(r"…|\.\.\.")
TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<ellipsis>…|\.\.\.)|(?P<punct>[{}\[\],:|])'
    r"|(?P<literal>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null))"
)
ANY = object()


class ShapeError(ValueError):
    pass


@dataclass(frozen=True)
class Expected:
    status: int | None
    shape: Any  # ANY, a scalar, ("alt", [...]), ("obj", [[(key, shape|None), ...]]), ("arr", [...])


def parse(text: str) -> Expected:
    match = re.match(r"\s*(\d{3})\b\s*", text)
    status = int(match[1]) if match else None
    rest = text[match.end() :] if match else text
    if not rest.strip():
        return Expected(status, ANY)
    tokens = _tokens(rest)
    shape, position = _value(tokens, 0)
    if position != len(tokens):
        raise ShapeError(f"unparsed documented output after {tokens[position - 1]!r}: {text}")
    return Expected(status, shape)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        if match is None:
            raise ShapeError(f"cannot read documented output at {text[position:][:30]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match[kind]))
        position = match.end()
    return tokens


def _value(tokens: list[tuple[str, str]], at: int) -> tuple[Any, int]:
    options = []
    while True:
        option, at = _atom(tokens, at)
        options.append(option)
        if at < len(tokens) and tokens[at] == ("punct", "|"):
            at += 1
            continue
        return (options[0] if len(options) == 1 else ("alt", options)), at


def _atom(tokens: list[tuple[str, str]], at: int) -> tuple[Any, int]:
    kind, text = tokens[at]
    if kind == "ellipsis":
        return ANY, at + 1
    if kind in ("string", "literal"):
        return ("str", json.loads(text)) if kind == "string" else json.loads(text), at + 1
    if text == "{":
        return _object(tokens, at + 1)
    if text == "[":
        items, at = [], at + 1
        while tokens[at] != ("punct", "]"):
            item, at = _value(tokens, at)
            items.append(item)
            if tokens[at] == ("punct", ","):
                at += 1
        return ("arr", items), at + 1
    raise ShapeError(f"unexpected {text!r} in documented output")


def _object(tokens: list[tuple[str, str]], at: int) -> tuple[Any, int]:
    members: list[list[tuple[str, Any]]] = []  # each member: alternatives of (key, shape)
    while tokens[at] != ("punct", "}"):
        if tokens[at][0] == "ellipsis":
            at += 1
        else:
            alternatives = []
            while True:
                key = json.loads(tokens[at][1])
                at += 1
                shape = ANY
                if tokens[at] == ("punct", ":"):
                    shape, at = _atom_or_value(tokens, at + 1)
                alternatives.append((key, shape))
                if tokens[at] == ("punct", "|") and tokens[at + 1][0] == "string":
                    at += 1
                    continue
                break
            members.append(alternatives)
        if tokens[at] == ("punct", ","):
            at += 1
    return ("obj", members), at + 1


def _atom_or_value(tokens: list[tuple[str, str]], at: int) -> tuple[Any, int]:
    """A member's value: alternatives of values, but a ``| "key": ...`` starts another member."""
    options = []
    while True:
        option, at = _atom(tokens, at)
        options.append(option)
        is_value_alternative = (
            at + 2 < len(tokens)
            and tokens[at] == ("punct", "|")
            and tokens[at + 2] != ("punct", ":")
        )
        if not is_value_alternative:
            return (options[0] if len(options) == 1 else ("alt", options)), at
        at += 1


def mismatch(shape: Any, actual: Any, where: str = "", key: str = "") -> str | None:
    """Why ``actual`` does not have the documented shape, or None when it does."""
    if shape is ANY:
        return None
    if isinstance(shape, tuple) and shape[0] == "alt":
        reasons = [mismatch(option, actual, where, key) for option in shape[1]]
        return None if None in reasons else f"{where or '.'}: none of {reasons}"
    if isinstance(shape, tuple) and shape[0] == "str":
        pieces = ELLIPSIS.split(shape[1])
        pattern = ".*".join(re.escape(piece) for piece in pieces)
        if isinstance(actual, str) and re.fullmatch(pattern, actual, re.S):
            return None
        return f"{where}: documented {shape[1]!r}, got {actual!r}"
    if isinstance(shape, tuple) and shape[0] == "obj":
        if not isinstance(actual, dict):
            return f"{where}: documented an object, got {actual!r}"
        for alternatives in shape[1]:
            reasons = []
            for name, value in alternatives:
                if name not in actual:
                    reasons.append(f"{where}.{name}: missing")
                    continue
                reasons.append(mismatch(value, actual[name], f"{where}.{name}", name))
            if None in reasons:  # one of the member's alternatives matches
                continue
            return "; ".join(r for r in reasons if r)
        return None
    if isinstance(shape, tuple) and shape[0] == "arr":
        if not isinstance(actual, list):
            return f"{where}: documented a list, got {actual!r}"
        for index, item in enumerate(shape[1]):
            if item is ANY:
                continue
            if all(mismatch(item, found, f"{where}[{index}]") for found in actual):
                return f"{where}: no element like the documented [{index}] in {actual!r}"
        return None
    if isinstance(shape, bool) or shape is None:
        return None if actual is shape else f"{where}: documented {shape}, got {actual!r}"
    if key.endswith("_ms"):  # a timing: only its type is documented
        return None if isinstance(actual, int | float) else f"{where}: got {actual!r}"
    return None if actual == shape else f"{where}: documented {shape!r}, got {actual!r}"
