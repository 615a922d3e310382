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
        "model": {
            "type": "string",
            "description": "A provider, an operator's model alias (GET /v1/models) or default.",
        },
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


_EMBEDDINGS_INPUT = {
    "type": "object",
    "required": ["input"],
    "additionalProperties": False,
    "properties": {
        "input": {
            "oneOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "minItems": 1,
                    "maxItems": 2048,
                },
            ]
        },
        "model": {
            "type": "string",
            "description": "An OpenAI-compatible provider, an alias of one, or default.",
        },
        "encoding_format": {"enum": ["float", "base64"]},
        "dimensions": {"type": "integer", "minimum": 1},
        "user": {"type": "string"},
    },
}
_RESPONSES_INPUT = {
    "type": "object",
    "required": ["input"],
    "properties": {
        "model": {"type": "string", "description": "A provider, an alias, or default."},
        "instructions": {"type": "string", "description": "Sent as the system message."},
        "input": {
            "oneOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["role", "content"],
                        "properties": {
                            "type": {"enum": ["message"]},
                            "role": {"enum": ["user", "system", "developer", "assistant"]},
                            "content": {"oneOf": [{"type": "string"}, {"type": "array"}]},
                        },
                    },
                },
            ]
        },
        "stream": {"type": "boolean"},
        "max_output_tokens": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
    },
}
_MODEL = {
    "type": "object",
    "required": ["id", "object", "created", "owned_by"],
    "properties": {
        "id": {"type": "string"},
        "object": {"enum": ["model"]},
        "created": {"type": "integer"},
        "owned_by": {"type": "string", "description": "The provider's kind."},
        "provider": {
            "type": "string",
            "description": "AgentHub's: the provider an alias (or default) routes to.",
        },
    },
}
_PROVIDER_HEADER = {
    "X-AgentHub-Provider": {
        "description": "The provider that served the answer (a fallback's name when one did).",
        "schema": {"type": "string"},
    }
}


def add_openai_paths(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    schemes = result.get("components", {}).get("securitySchemes", {})
    security: list[dict[str, list[str]]] = [{name: []} for name in schemes]
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
                    "description": "An OpenAI chat.completion (with AgentHub's `provider`), or "
                    "chat.completion.chunk events (`provider` on the finish_reason chunk).",
                    "headers": _PROVIDER_HEADER,
                },
            },
        }
    }
    result["paths"]["/v1/models"] = {
        "get": {
            "operationId": "openai_models",
            "summary": "OpenAI-compatible model list (providers and operators' model aliases)",
            "tags": ["v1"],
            "security": security,
            "responses": {"200": {"description": "An OpenAI model list."}},
        }
    }
    result["paths"]["/v1/models/{model_id}"] = {
        "get": {
            "operationId": "openai_model",
            "summary": "One OpenAI model object (404 model_not_found lists the ids there are)",
            "tags": ["v1"],
            "security": security,
            "parameters": [
                {"name": "model_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "An OpenAI model.",
                    "content": {"application/json": {"schema": _MODEL}},
                }
            },
        }
    }
    result["paths"]["/v1/responses"] = {
        "post": {
            "operationId": "openai_responses",
            "summary": "OpenAI Responses API over the chat path (input guarded, output redacted; "
            "stream: true -> Responses events); tools and previous_response_id are refused",
            "tags": ["v1"],
            "security": security,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _RESPONSES_INPUT}},
            },
            "responses": {
                "200": {
                    "description": "An OpenAI response (with AgentHub's `provider`), or "
                    "Responses server-sent events.",
                    "headers": _PROVIDER_HEADER,
                }
            },
        }
    }
    result["paths"]["/v1/embeddings"] = {
        "post": {
            "operationId": "openai_embeddings",
            "summary": "OpenAI-compatible embeddings (secrets redacted, PII policy applied; "
            "OpenAI-compatible providers only, else 400 unsupported_for_provider)",
            "tags": ["v1"],
            "security": security,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _EMBEDDINGS_INPUT}},
            },
            "responses": {
                "200": {
                    "description": "An OpenAI embeddings list (with AgentHub's `provider`).",
                    "headers": _PROVIDER_HEADER,
                }
            },
        }
    }
    return result
