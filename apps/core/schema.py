"""OpenAPI: the error envelope documented on every operation, and paginated list responses.

``document_error_responses`` is a drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS):
every operation gets the 4xx answers it can give (401/403/429 when it needs a key; 400 when it
takes a body or query parameters; 404 when its path names an object; 411/413/415 when it takes a
body) and a ``default`` for the rest (5xx such as ``circuit_open``), all with the
``{"error": {"code", "message", "request_id"}}`` shape.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every 4xx/5xx answer of the API.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable, e.g. validation_error."},
                "message": {"type": "string"},
                "request_id": {"type": "string"},
                "details": {"description": "Per-field errors (validation errors only)."},
            },
            "required": ["code", "message", "request_id"],
        }
    },
    "required": ["error"],
}
_DESCRIPTIONS = {
    "400": "Invalid input (validation_error, malformed_request, input_rejected...).",
    "401": "No or an invalid API key.",
    "403": "The key may not do this (permission_denied).",
    "404": "No such object for this tenant (not_found).",
    "411": "A chunked body this server cannot read (length_required).",
    "413": "The body is larger than API_MAX_BODY_BYTES (payload_too_large).",
    "415": "Not a JSON body (unsupported_media_type).",
    "429": "Rate limited (rate_limited), with Retry-After.",
    "default": "Any other error, e.g. 503 circuit_open with Retry-After, 502 llm_provider_error.",
}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _error_response(status: str) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
        },
    }


def _statuses(path: str, operation: dict[str, Any]) -> list[str]:
    statuses: list[str] = []
    if operation.get("security") != [{}] and operation.get("security", True):
        statuses += ["401", "403", "429"]
    params = operation.get("parameters", [])
    if "requestBody" in operation or any(p.get("in") == "query" for p in params):
        statuses.append("400")
    if "{" in path:
        statuses.append("404")
    if "requestBody" in operation:
        statuses += ["411", "413", "415"]
    return [*statuses, "default"]


def document_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: see the module docstring."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, operation):
                responses.setdefault(status, _error_response(status))
    return result


def paginated(child: serializers.Serializer, name: str) -> serializers.Serializer:
    """The schema of a LimitOffsetPagination page of ``child`` items."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": child,
        },
    )


PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description="Items per page (default PAGE_SIZE)."),
    OpenApiParameter("offset", int, description="Items to skip."),
]
