"""The gateway's typed API errors (rendered in the common ``{"error": {...}}`` shape)."""

from __future__ import annotations

from apps.core.exceptions import ApiError


class InvalidRequest(ApiError):
    status_code = 400
    default_code = "validation_error"
    default_detail = "The request is invalid."


class ModelNotFound(ApiError):
    status_code = 404
    default_code = "model_not_found"
    default_detail = "No such model."


class Overloaded(ApiError):
    """This process holds as many requests as it is configured to (GATEWAY_MAX_INFLIGHT)."""

    status_code = 503
    default_code = "overloaded"
    default_detail = "The gateway is at capacity; retry shortly."


class RequestBodyTimeout(ApiError):
    status_code = 408
    default_code = "request_timeout"
    default_detail = "The request body was not received in time."
