"""The ``/v1`` endpoints in the OpenAPI document.

They are async Django views (drf-spectacular documents DRF views only), so this post-processing
hook adds them; ``apps.core.schema.document_error_responses`` (the next hook) documents their
error responses like every other operation's. The body is OpenAI's; the fields AgentHub reads
are listed (see ``apps.gateway.serializers``, which also accepts OpenAI's other fields).
"""

from __future__ import annotations

from typing import Any

_CHAT_INPUT = {
    "type": "object",
    "required": ["messages"],
    "properties": {
        "model": {"type": "string", "description": "A provider name (GET /v1/models) or default."},
        "messages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["role"],
                "properties": {
                    "role": {"enum": ["system", "developer", "user", "assistant", "tool"]},
                    "content": {"oneOf": [{"type": "string"}, {"type": "array"}]},
                },
            },
        },
        "stream": {"type": "boolean"},
        "stream_options": {"type": "object"},
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "max_tokens": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "max_completion_tokens": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "tools": {"type": "array", "items": {"type": "object"}},
        "response_format": {"type": "object"},
    },
}


def add_openai_paths(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    schemes = result.get("components", {}).get("securitySchemes", {})
    security = [{name: []} for name in schemes]
    body = _CHAT_INPUT
    result["paths"]["/v1/chat/completions"] = {
        "post": {
            "operationId": "openai_chat_completions",
            "summary": "OpenAI-compatible chat completion (stream: true -> server-sent events)",
            "tags": ["v1"],
            "security": security,
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                "200": {
                    "description": "An OpenAI chat.completion, or chat.completion.chunk events."
                },
            },
        }
    }
    result["paths"]["/v1/models"] = {
        "get": {
            "operationId": "openai_models",
            "summary": "OpenAI-compatible model list (the providers this gateway routes to)",
            "tags": ["v1"],
            "security": security,
            "responses": {"200": {"description": "An OpenAI model list."}},
        }
    }
    return result
