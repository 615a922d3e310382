"""The built-in offline provider: tools, structured output, extractive answers."""

from __future__ import annotations

import json

import jsonschema
import pytest

from apps.providers.services import complete
from apps.providers.types import ToolSpec

pytestmark = pytest.mark.django_db

CALC = ToolSpec(
    name="calculator",
    description="Evaluate an arithmetic expression.",
    parameters={
        "type": "object",
        "properties": {"expression": {"type": "string"}},
        "required": ["expression"],
    },
)
CLOCK = ToolSpec(
    name="current_time",
    description="The current date and time.",
    parameters={"type": "object", "properties": {"timezone": {"type": "string"}}},
)
SEARCH = ToolSpec(
    name="search_docs",
    description="Search the knowledge base.",
    parameters={
        "type": "object",
        "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
        "required": ["query", "limit"],
    },
)
TOOLS = [CALC, CLOCK, SEARCH]


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def test_arithmetic_calls_the_calculator_with_the_expression():
    completion = complete(messages=user("What is (12 + 30) * 2?"), tools=TOOLS)
    assert completion.finish_reason == "tool_calls"
    (call,) = completion.tool_calls
    assert call.name == "calculator"
    assert json.loads(call.arguments) == {"expression": "(12 + 30) * 2"}
    assert call.id.startswith("call_")


def test_time_question_calls_the_time_tool():
    (call,) = complete(messages=user("What time is it now?"), tools=TOOLS).tool_calls
    assert call.name == "current_time"
    assert json.loads(call.arguments) == {}  # timezone is optional: the tool decides


def test_other_questions_go_to_the_search_tool_with_schema_arguments():
    (call,) = complete(messages=user("How do circuit breakers recover?"), tools=TOOLS).tool_calls
    assert call.name == "search_docs"
    assert json.loads(call.arguments) == {"query": "How do circuit breakers recover?", "limit": 0}


def test_no_fitting_tool_means_a_plain_answer():
    completion = complete(messages=user("Tell me about llamas."), tools=[CALC])
    assert completion.tool_calls == ()
    assert completion.finish_reason == "stop"
    assert completion.text


def test_after_a_tool_result_it_answers_with_the_output():
    first = complete(messages=user("What is 6*7?"), tools=TOOLS)
    call = first.tool_calls[0]
    conversation = [
        *user("What is 6*7?"),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call.id, "content": "42"},
    ]
    answer = complete(messages=conversation, tools=TOOLS)
    assert answer.tool_calls == ()
    assert "42" in answer.text
    assert "calculator" in answer.text
    # A new user turn starts over: a tool is called again.
    again = complete(messages=[*conversation, *user("And 2+3?")], tools=TOOLS)
    assert again.tool_calls[0].name == "calculator"


def test_deterministic():
    a = complete(messages=user("What is 1+1?"), tools=TOOLS)
    b = complete(messages=user("What is 1+1?"), tools=TOOLS)
    assert a.tool_calls == b.tool_calls
    assert a.usage == b.usage


CLASSIFY = {
    "type": "object",
    "properties": {
        "label": {"type": "string", "enum": ["billing", "technical", "complaint", "other"]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "rationale": {"type": "string", "maxLength": 120},
    },
    "required": ["label", "confidence", "rationale"],
    "additionalProperties": False,
}

NOTARY = {
    "type": "object",
    "properties": {
        "summary": {"type": "string"},
        "parties": {"type": "array", "items": {"type": "string"}},
        "dates": {"type": "array", "items": {"type": "string"}},
        "amounts": {"type": "array", "items": {"type": "string"}},
        "risk_level": {"type": "string", "enum": ["low", "medium", "high"]},
        "obligations": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "page_count": {"type": "integer", "minimum": 1},
        "signed": {"type": "boolean"},
        "notes": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["summary", "parties", "dates", "amounts", "risk_level", "obligations"],
}


def structured(schema: dict, text: str) -> dict:
    completion = complete(
        messages=[{"role": "system", "content": "Extract."}, *user(text)],
        response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
    )
    data = json.loads(completion.text)
    jsonschema.validate(data, schema)
    return data


def test_structured_classification_picks_the_overlapping_label():
    data = structured(CLASSIFY, "I want to complain about the rude technician. Fix it.")
    assert data["label"] in {"complaint", "technical"}
    assert 0 <= data["confidence"] <= 1
    billing = structured(CLASSIFY, "My billing statement shows a double charge.")
    assert billing["label"] == "billing"
    unknown = structured(CLASSIFY, "Lovely weather today.")
    assert unknown["label"] == "other"


def test_structured_extraction_of_a_contract():
    text = (
        "This lease is made on 2024-03-01 between Alice Martin and Bob Stone. "
        "The tenant pays $1,200.00 per month, due on 2024-04-01. A deposit of 500 EUR is held."
    )
    data = structured(NOTARY, text)
    assert data["summary"].startswith("This lease is made on 2024-03-01")
    assert data["parties"][:2] == ["Alice Martin", "Bob Stone"]
    assert data["dates"] == ["2024-03-01", "2024-04-01"]
    assert "$1,200.00" in data["amounts"]
    assert "500 EUR" in data["amounts"]
    assert data["risk_level"] in {"low", "medium", "high"}


def test_extractive_answer_uses_the_context():
    messages = [
        {
            "role": "system",
            "content": "Context: The breaker opens after five failures. Llamas are mammals.",
        },
        *user("When does the breaker open?"),
    ]
    completion = complete(messages=messages)
    assert "opens after five failures" in completion.text
    assert "Llamas" not in completion.text
    assert completion.usage.prompt_tokens == pytest.approx(
        len(messages[0]["content"] + messages[1]["content"]) / 4, abs=2
    )


def test_json_object_format():
    completion = complete(messages=user("Hello?"), response_format={"type": "json_object"})
    assert isinstance(json.loads(completion.text), dict)


def test_parties_skip_sentence_starts_and_merge_organisations():
    schema = {
        "type": "object",
        "properties": {
            "parties": {"type": "array", "items": {"type": "string"}},
            "reference": {"type": "string", "pattern": "^REF-[0-9]{4}$"},
        },
        "required": ["parties", "reference"],
    }
    text = (
        "This Agreement is signed by Acme Holdings Inc and Jane Doe. "
        "The Tenant accepts reference REF-2024 for the file."
    )
    data = structured(schema, text)
    assert data["parties"] == ["Acme Holdings Inc", "Jane Doe"]
    assert data["reference"] == "REF-2024"


def test_context_inside_the_user_message():
    text = (
        "Context: Redis keeps the breaker state. The offline provider needs no network. "
        "Question: Where is the breaker state kept?"
    )
    answer = complete(messages=user(text)).text
    assert answer.startswith("Redis keeps the breaker state.")
    assert "Question" not in answer
    plain = "Llamas hum. Alpacas spit. Which animals hum?"
    assert complete(messages=user(plain)).text == "Llamas hum."


def test_structured_answer_to_a_question_about_fenced_documents():
    """The ask flow's shape: documents in attributed fences, then a labelled question, and an
    ``answer`` field in the schema: the answer is the matching document sentence, never the
    fence markup."""
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
    }
    text = (
        '<document index="1">\nLlamas hum at dusk.\n</document>\n\n'
        '<document index="2">\nAcme Corp shall pay EUR 12,500 by 30 April 2025.\n</document>\n\n'
        "Question: When is the payment due?"
    )
    data = structured(schema, text)
    assert data["answer"] == "Acme Corp shall pay EUR 12,500 by 30 April 2025."
