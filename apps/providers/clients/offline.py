"""The built-in offline provider: deterministic answers without any network.

Good enough to run the embedded default end to end and to drive an agent loop:

* with tools and no tool result yet for the current user turn, it calls the best-fitting tool
  (arithmetic -> a "calc" tool, time/date/now -> a "time" tool, else a search-like tool);
* after a tool result, it answers with a sentence that includes the tool's output;
* with an OpenAI ``json_schema`` response format, it returns JSON valid against the schema,
  filled extractively from the user's content;
* otherwise, an extractive answer from the last user message and the context in the messages.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from apps.providers.clients.base import (
    ProviderClient,
    ProviderSpec,
    estimate_tokens,
    message_text,
)
from apps.providers.types import Completion, CompletionRequest, ToolCall, ToolSpec, Usage

OFFLINE_MODEL = "offline-extractive-1"

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9']+")
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]?")
_ARITHMETIC_RE = re.compile(
    r"[-+]?\(*\s*\d+(?:\.\d+)?(?:\s*\)*\s*(?:\*\*|[-+*/%^x\u00d7\u00f7])\s*\(*\s*[-+]?\d+(?:\.\d+)?\s*\)*)+"
)
_TIME_WORDS = {"time", "date", "now", "today", "clock", "day", "hour", "timezone"}
_SEARCH_HINTS = ("search", "lookup", "look_up", "retriev", "find", "knowledge", "docs", "wiki")
_NAME_PAIR_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")
_ORG_RE = re.compile(
    r"\b(?:[A-Z][A-Za-z&]+ )+(?:Inc|Ltd|LLC|GmbH|Corp|Corporation|Company|Co|SA|AG|plc)\b\.?"
)
_NOT_NAME_STARTS = frozenset(
    ["dear", "section", "article", "clause", "page", "hello", "hi", "thanks", "regards"]
)
_ISO_DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_TEXT_DATE_RE = re.compile(
    r"\b(?:\d{1,2} )?(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) (?:\d{1,2}, )?\d{4}\b"
)
_SLASH_DATE_RE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")
_MONEY_RE = re.compile(
    r"(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|k))?)"
    r"|(?:\b(?:USD|EUR|GBP|CHF|JPY)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|k))?)"
    r"|(?:\b\d[\d,]*(?:\.\d+)?\s?(?:USD|EUR|GBP|CHF|JPY|dollars|euros|pounds)\b)"
)
# Prompt templates wrap the material in tags (<document>...</document>): fill from the inside.
# A template's data fence, attributes allowed (the ask flow writes <document index="1">).
_TAGGED_RE = re.compile(r"<([a-z_]+)(?:\s[^<>]*)?>\s*(.*?)\s*</\1>", re.DOTALL)
_OBLIGATION_RE = re.compile(
    r"\b(?:shall|must|will|agrees? to|is required to|undertakes? to)\b", re.I
)
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "at",
        "as",
        "it",
        "this",
        "that",
        "what",
        "which",
        "who",
        "whom",
        "how",
        "why",
        "when",
        "where",
        "do",
        "does",
        "did",
        "can",
        "could",
        "would",
        "should",
        "will",
        "please",
        "me",
        "my",
        "you",
        "your",
        "we",
        "our",
        "i",
        "from",
        "about",
        "into",
        "than",
        "then",
        "there",
        "their",
        "them",
        "they",
        "its",
        "if",
        "not",
        "no",
        "yes",
    ]
)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(text)]


def _content_words(text: str) -> set[str]:
    return {w for w in _words(text) if w not in _STOPWORDS and len(w) > 1}


def _related(word: str, other: str) -> bool:
    """A crude stem match: a shared 5-letter prefix (complain ~ complaint) or a word of three
    letters or more that starts the other (pay ~ payment)."""
    if len(word) >= 5 and len(other) >= 5:
        return word[:5] == other[:5]
    shorter, longer = sorted((word, other), key=len)
    return len(shorter) >= 3 and longer.startswith(shorter)


def _overlap(a: set[str], b: set[str]) -> int:
    """Shared words, counting related forms (see ``_related``) as a match."""
    return sum(1 for word in a if word in b or any(_related(word, o) for o in b))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.findall(text) if len(s.strip()) > 1]


def _first_sentence(text: str, limit: int = 300) -> str:
    sentences = _sentences(text)
    first = sentences[0] if sentences else text.strip()
    return first[:limit]


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.strip()
        if key and key not in seen:
            seen.add(key)
            out.append(key)
    return out


# --- conversation ---------------------------------------------------------------------------


def _last_user_index(messages: list[dict]) -> int:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].get("role") == "user":
            return index
    return -1


def _tool_results_after(messages: list[dict], index: int) -> list[tuple[str, str]]:
    """(tool name, output) of every tool result after ``index``, names from the calls."""
    names: dict[str, str] = {}
    results = []
    for message in messages[index + 1 :]:
        if message.get("role") == "assistant":
            for call in message.get("tool_calls") or ():
                names[call.get("id", "")] = (call.get("function") or {}).get("name", "tool")
        elif message.get("role") == "tool":
            call_id = message.get("tool_call_id", "")
            name = message.get("name") or names.get(call_id, "the tool")
            results.append((name, message_text(message.get("content"))))
    return results


# --- tools ----------------------------------------------------------------------------------


def find_arithmetic(text: str) -> str | None:
    matches = [m.group(0).strip() for m in _ARITHMETIC_RE.finditer(text)]
    if not matches:
        return None
    expression = max(matches, key=len)
    return expression.replace("\u00d7", "*").replace("\u00f7", "/").replace("^", "**")


def choose_tool(tools: tuple[ToolSpec, ...], text: str) -> tuple[ToolSpec, str] | None:
    """The tool to call for ``text`` and the value for its main argument, or None."""
    lowered = {t.name.lower(): t for t in tools}
    expression = find_arithmetic(text)
    if expression:
        for name, tool in lowered.items():
            if "calc" in name or "math" in name or "arith" in name:
                return tool, expression
    if _TIME_WORDS & set(_words(text)):
        for name, tool in lowered.items():
            if "time" in name or "date" in name or "clock" in name:
                return tool, text.strip()
    words = _content_words(text)
    search_like = [t for n, t in lowered.items() if any(h in n for h in _SEARCH_HINTS)]
    if search_like:
        best = max(search_like, key=lambda t: _overlap(words, _content_words(t.description)))
        return best, text.strip()
    return None


def _argument_for(name: str, schema: dict, main_value: str, text: str) -> Any:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if schema.get("enum"):
        return _best_enum(schema["enum"], text)
    if kind == "string":
        lowered = name.lower()
        if "zone" in lowered or lowered == "tz":
            return "UTC"
        return main_value
    if kind in {"number", "integer"}:
        numbers = _NUMBER_RE.findall(text)
        value = float(numbers[0]) if numbers else schema.get("minimum", 0)
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return main_value


def tool_arguments(tool: ToolSpec, main_value: str, text: str) -> dict:
    """Arguments from the tool's JSON schema: the first required string property gets the main
    value (the expression, the question); other required properties get typed defaults."""
    schema = tool.parameters or {}
    properties: dict = schema.get("properties") or {}
    required = [r for r in schema.get("required") or () if r in properties]
    arguments: dict = {}
    main_taken = False
    for name in required:
        prop = properties[name] or {}
        if not main_taken and prop.get("type") == "string" and "enum" not in prop:
            arguments[name] = main_value
            main_taken = True
        else:
            arguments[name] = _argument_for(name, prop, main_value, text)
    if not main_taken and not required:
        # Nothing required: give the main value to the first string property, if any.
        for name, prop in properties.items():
            if (prop or {}).get("type") == "string" and "enum" not in (prop or {}):
                if "zone" in name.lower() or name.lower() == "tz":
                    continue
                arguments[name] = main_value
                break
    return arguments


def _call_id(name: str, arguments: str, turn: int) -> str:
    digest = hashlib.sha256(f"{turn}:{name}:{arguments}".encode()).hexdigest()
    return f"call_{digest[:16]}"


# --- structured output ----------------------------------------------------------------------


def _best_enum(options: list, text: str) -> Any:
    words = _content_words(text)
    best, best_score = None, 0
    for option in options:
        option_words = _content_words(str(option).replace("_", " ").replace("-", " "))
        score = _overlap(option_words, words)
        if score > best_score:
            best, best_score = option, score
    if best is not None:
        return best
    for option in options:
        if str(option).lower() in {"other", "unknown", "none", "general", "neutral"}:
            return option
    return options[0]


def _extract_items(name: str, text: str) -> list[str]:
    lowered = name.lower()
    if any(k in lowered for k in ("part", "name", "people", "person", "signator", "entit", "org")):
        items = _ORG_RE.findall(text) + _NAME_PAIR_RE.findall(text)
        # Capitalised pairs that start a sentence ("This Agreement") are not names.
        names = [
            i.rstrip(".")
            for i in items
            if i.split()[0].lower() not in _STOPWORDS | _NOT_NAME_STARTS
        ]
        # A name inside an organisation's name ("Acme Holdings" in "Acme Holdings Inc") is
        # the same party.
        names = _dedupe(names)
        return [n for n in names if not any(n != o and n in o for o in names)]
    if "date" in lowered or "deadline" in lowered:
        return _dedupe(
            _ISO_DATE_RE.findall(text) + _TEXT_DATE_RE.findall(text) + _SLASH_DATE_RE.findall(text)
        )
    if any(k in lowered for k in ("amount", "price", "money", "sum", "fee", "cost", "payment")):
        return _dedupe(m.strip() for m in _MONEY_RE.findall(text))
    if "obligation" in lowered or "duties" in lowered or "commitment" in lowered:
        return [x.strip() for x in _sentences(text) if _OBLIGATION_RE.search(x)][:10]
    if any(k in lowered for k in ("keyword", "topic", "tag", "term")):
        ranked = sorted(_content_words(text), key=lambda w: (-text.lower().count(w), w))
        return ranked[:5]
    return _sentences(text)[:3]


class _SchemaFiller:
    """Fills a JSON schema deterministically from ``text``."""

    def __init__(self, text: str, root: dict, question: str = "") -> None:
        self.text = text
        self.root = root
        # A question asked of ``text``: an answer-like field is answered from the text.
        self.question = question
        self.enum_matched = False

    def _resolve(self, schema: dict) -> dict:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = self.root
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            return self._resolve(node) if isinstance(node, dict) else {}
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if options:
                non_null = [o for o in options if o.get("type") != "null"]
                return self._resolve((non_null or options)[0])
        if schema.get("allOf"):
            merged: dict = {}
            for part in schema["allOf"]:
                merged.update(self._resolve(part))
            return merged
        return schema

    def fill(self, schema: dict, name: str = "") -> Any:
        schema = self._resolve(schema or {})
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            value = _best_enum(schema["enum"], self.text)
            self.enum_matched = (
                self.enum_matched
                or _overlap(_content_words(str(value).replace("_", " ")), _content_words(self.text))
                > 0
            )
            return value
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        method = getattr(self, f"_fill_{kind}", self._fill_string)
        return method(schema, name)

    def _fill_object(self, schema: dict, name: str) -> dict:
        properties = schema.get("properties") or {}
        # Enums first, so a confidence can reflect whether a label matched.
        order = sorted(properties, key=lambda p: 0 if "enum" in (properties[p] or {}) else 1)
        filled = {prop: self.fill(properties[prop] or {}, prop) for prop in order}
        return {prop: filled[prop] for prop in properties}

    def _fill_array(self, schema: dict, name: str) -> list:
        items = schema.get("items") or {}
        items = self._resolve(items) if isinstance(items, dict) else {}
        item_kind = items.get("type", "string")
        if items.get("enum"):
            values = [_best_enum(items["enum"], self.text)]
        elif item_kind == "string":
            values = _extract_items(name, self.text)
        elif item_kind in {"number", "integer"}:
            values = [float(n) for n in _NUMBER_RE.findall(self.text)]
            if item_kind == "integer":
                values = [int(v) for v in values]
        else:
            values = [self.fill(items, name)]
        minimum = int(schema.get("minItems") or 0)
        maximum = schema.get("maxItems")
        if len(values) < minimum:
            pad = (
                [s for s in _sentences(self.text) if s not in values]
                if item_kind == "string"
                else []
            )
            while len(values) < minimum:
                values.append(pad.pop(0) if pad else self.fill(items, f"{name}_{len(values)}"))
        if maximum is not None:
            values = values[: int(maximum)]
        return values

    def _fill_string(self, schema: dict, name: str) -> str:
        lowered = name.lower()
        fmt = schema.get("format", "")
        if fmt == "date" or lowered.endswith("date"):
            dates = _ISO_DATE_RE.findall(self.text)
            value = dates[0] if dates else "1970-01-01"
        elif fmt == "date-time":
            dates = _ISO_DATE_RE.findall(self.text)
            value = (dates[0] if dates else "1970-01-01") + "T00:00:00Z"
        elif "language" in lowered or lowered == "lang":
            value = "en"
        elif self.question and lowered in _ANSWER_FIELDS:
            value = extractive_answer(self.question, self.text)
        else:
            value = self._pattern_match(schema) or _first_sentence(self.text) or "n/a"
        min_length = int(schema.get("minLength") or 0)
        if len(value) < min_length:
            value = (value + " " + self.text.strip()).strip()
            value = value.ljust(min_length, ".")
        max_length = schema.get("maxLength")
        if max_length is not None:
            value = value[: int(max_length)]
        return value

    def _pattern_match(self, schema: dict) -> str:
        """The first piece of the text matching the schema's ``pattern``, if it has one."""
        pattern = schema.get("pattern")
        if not isinstance(pattern, str) or len(pattern) > 200:
            return ""
        try:
            found = re.search(pattern.lstrip("^").rstrip("$"), self.text)
        except re.error:
            return ""
        return found.group(0) if found else ""

    def _fill_number(self, schema: dict, name: str) -> float:
        lowered = name.lower()
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if any(k in lowered for k in ("confidence", "score", "probab", "certainty")):
            value = 0.8 if self.enum_matched else 0.5
            if high is not None and float(high) > 1:
                value *= float(high)
        else:
            numbers = _NUMBER_RE.findall(self.text)
            value = float(numbers[0]) if numbers else float(low or 0)
        if low is not None:
            value = max(value, float(low) + (1e-6 if "exclusiveMinimum" in schema else 0))
        if high is not None:
            value = min(value, float(high) - (1e-6 if "exclusiveMaximum" in schema else 0))
        return value

    def _fill_integer(self, schema: dict, name: str) -> int:
        value = round(self._fill_number(schema, name))
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None:
            value = max(value, int(low))
        if high is not None:
            value = min(value, int(high))
        return value

    def _fill_boolean(self, schema: dict, name: str) -> bool:
        return False

    def _fill_null(self, schema: dict, name: str) -> None:
        return None


def material_of(text: str) -> str:
    """The material a prompt carries: the inside of its tagged blocks, else the whole text."""
    blocks = [inner for _, inner in _TAGGED_RE.findall(text) if inner.strip()]
    return "\n\n".join(blocks) if blocks else text


def fill_schema(schema: dict, text: str, question: str = "") -> Any:
    return _SchemaFiller(text, schema, question).fill(schema)


# --- extractive answer ----------------------------------------------------------------------


_ANSWER_FIELDS = frozenset({"answer", "response", "reply"})
_QUESTION_LABEL_RE = re.compile(r"\b(?:question|query)\s*:\s*", re.IGNORECASE)
_CONTEXT_LABEL_RE = re.compile(
    r"^(?:context|document|text|passage|source|excerpt)\s*:\s*", re.IGNORECASE
)


def split_question(text: str) -> tuple[str, str]:
    """(question, inline context) of a user message that carries its own context."""
    labelled = list(_QUESTION_LABEL_RE.finditer(text))
    if labelled:
        last = labelled[-1]
        return text[last.end() :].strip(), text[: last.start()].strip()
    sentences = _sentences(text)
    if len(sentences) > 1 and sentences[-1].endswith("?"):
        question = sentences[-1]
        return question, text[: text.rfind(question)].strip()
    return text, ""


def extractive_answer(question: str, context: str) -> str:
    """The context sentences that best overlap the question; else the question's gist."""
    question_words = _content_words(question)
    scored = []
    for position, raw in enumerate(_sentences(context)):
        sentence = _CONTEXT_LABEL_RE.sub("", raw)
        score = _overlap(question_words, _content_words(sentence))
        if score:
            scored.append((-score, position, sentence))
    if scored:
        best = [s for _score, _pos, s in sorted(scored)[:2]]
        return " ".join(best)
    gist = _first_sentence(question)
    if not gist:
        return "I have nothing to answer yet: the request was empty."
    return f"Offline answer (no upstream model is configured): {gist}"


class OfflineClient(ProviderClient):
    def complete(self, spec: ProviderSpec, request: CompletionRequest) -> Completion:
        messages = request.messages
        user_index = _last_user_index(messages)
        user_text = message_text(messages[user_index].get("content")) if user_index >= 0 else ""
        prompt_text = "\n".join(message_text(m.get("content")) for m in messages)
        text, calls, finish = self._answer(request, messages, user_index, user_text)
        if request.max_tokens and not calls and request.response_format is None:
            limit = request.max_tokens * 4
            if len(text) > limit:
                text, finish = text[:limit], "length"
        prompt_tokens = estimate_tokens(prompt_text)
        completion_tokens = estimate_tokens(text) + sum(
            estimate_tokens(c.name + c.arguments) for c in calls
        )
        return Completion(
            text=text,
            tool_calls=calls,
            finish_reason=finish,
            provider=spec.name,
            model=spec.model or OFFLINE_MODEL,
            usage=Usage(prompt_tokens, completion_tokens, prompt_tokens + completion_tokens),
            latency_ms=0.0,
        )

    def _answer(
        self, request: CompletionRequest, messages: list[dict], user_index: int, user_text: str
    ) -> tuple[str, tuple[ToolCall, ...], str]:
        results = _tool_results_after(messages, user_index) if user_index >= 0 else []
        if request.tools and not results:
            chosen = choose_tool(request.tools, user_text)
            if chosen is not None:
                tool, main_value = chosen
                arguments = json.dumps(tool_arguments(tool, main_value, user_text))
                call = ToolCall(_call_id(tool.name, arguments, user_index), tool.name, arguments)
                return "", (call,), "tool_calls"
        if results:
            name, output = results[-1]
            output = output.strip()[:2000]
            return f"According to {name}, the answer is: {output}", (), "stop"

        response_format = request.response_format or {}
        if response_format.get("type") == "json_schema":
            schema = (response_format.get("json_schema") or {}).get("schema") or {"type": "object"}
            question, inline_context = split_question(user_text)
            asked = question if inline_context else ""
            return json.dumps(fill_schema(schema, material_of(user_text), asked)), (), "stop"
        context = "\n".join(
            message_text(m.get("content"))
            for i, m in enumerate(messages)
            if i != user_index and m.get("role") in {"system", "user", "tool", "developer"}
        )
        question, inline_context = split_question(user_text)
        answer = extractive_answer(question, f"{context}\n{inline_context}")
        if response_format.get("type") == "json_object":
            return json.dumps({"answer": answer}), (), "stop"
        return answer, (), "stop"
