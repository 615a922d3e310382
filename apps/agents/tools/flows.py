"""The three flows (notary, classify, ask) as tools: an agent can summarise a contract, label a
text or answer from given context with the same guarded, audited path as the flow endpoints."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from apps.agents.tools.base import Tool, ToolContext, ToolError
from apps.core.exceptions import ApiError

# Fields of a flow's answer that the model doesn't need (bookkeeping, not content).
_DROP = {
    "usage",
    "latency_ms",
    "llm_latency_ms",
    "provider",
    "model",
    "request_id",
    "fallbacks",
    "template",
}
MAX_OUTPUT_CHARS = 4000


class FlowTool(Tool):
    flow: ClassVar[str]

    def run(self, arguments: dict[str, Any], ctx: ToolContext) -> str:
        from apps.flows.services import run_flow  # flows sit below agents; imported on use

        if ctx.guard is None:
            raise ToolError("flow tools need a request context")
        try:
            result = run_flow(flow=self.flow, payload=dict(arguments), ctx=ctx.guard)
        except ApiError as exc:
            # Typed API errors (bad labels, guard blocks...) carry a safe message and code.
            raise ToolError(f"{self.flow} failed ({exc.error_code}): {exc.detail}") from exc
        shown = {k: v for k, v in result.items() if k not in _DROP}
        return json.dumps(shown, ensure_ascii=False, default=str)[:MAX_OUTPUT_CHARS]


class FlowNotaryTool(FlowTool):
    name = "notary"
    flow = "notary"
    description = (
        "Extract a structured record from a legal or business document: summary, parties, "
        "dates, amounts, obligations. The record is stored immutably and its id returned."
    )
    parameters = {
        "type": "object",
        "properties": {"document": {"type": "string", "description": "the document text"}},
        "required": ["document"],
        "additionalProperties": False,
    }


class FlowClassifyTool(FlowTool):
    name = "classify"
    flow = "classify"
    description = "Classify a text into exactly one of the given labels, with a confidence."
    parameters = {
        "type": "object",
        "properties": {
            "text": {"type": "string", "description": "the text to classify"},
            "labels": {
                "type": "array",
                "items": {"type": "string"},
                "description": "the allowed labels (at least two)",
            },
        },
        "required": ["text", "labels"],
        "additionalProperties": False,
    }


class FlowAskTool(FlowTool):
    name = "ask"
    flow = "ask"
    description = "Answer a question, optionally grounded in the given context passages."
    parameters = {
        "type": "object",
        "properties": {
            "question": {"type": "string", "description": "the question"},
            "documents": {
                "type": "array",
                "items": {"type": "string"},
                "description": "optional context passages to answer from",
            },
        },
        "required": ["question"],
        "additionalProperties": False,
    }
