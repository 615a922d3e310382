"""One error shape for every API error: ``{"error": {"code", "message", "request_id"}}``.

Apps raise an :class:`ApiError` subclass (or any DRF exception); :func:`api_exception_handler`
renders it. Django's own errors under the API prefixes are rendered by
``apps.core.middleware.ApiErrorMiddleware`` in the same shape.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from apps.core.request_context import get_request_id

logger = logging.getLogger(__name__)


class ApiError(drf.APIException):
    """Base for AgentHub's typed API errors: a status, a stable code and a safe message.

    ``headers`` lets an error add response headers (``Retry-After`` for 429/503).
    """

    status_code = 400
    default_code = "bad_request"
    default_detail = "Bad request."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail=message or self.default_detail, code=code or self.default_code)
        self.error_code = code or self.default_code
        self.details = details
        self.headers = headers or {}


class PayloadTooLarge(ApiError):
    status_code = 413
    default_code = "payload_too_large"
    default_detail = "Request body is larger than the configured limit."


# DRF's own exceptions, mapped to stable codes that clients can switch on.
_DRF_CODES: dict[type[drf.APIException], str] = {
    drf.ParseError: "malformed_request",
    drf.AuthenticationFailed: "authentication_failed",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "rate_limited",
    drf.ValidationError: "validation_error",
}

_STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


def error_code_for_status(status: int) -> str:
    return _STATUS_CODES.get(status, "error")


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "request_id": get_request_id()}
    if details is not None:
        error["details"] = details
    return {"error": error}


def message_of(exc: drf.APIException) -> str:
    """The safe message of an API exception, as the error shape shows it."""
    return _message_of(exc)


def api_error_body(exc: ApiError) -> dict[str, Any]:
    """The error shape of a typed error caught outside a view (e.g. a job's stored error)."""
    return error_body(exc.error_code, message_of(exc), exc.details)


def error_response(
    status: int,
    code: str | None = None,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """A plain Django JSON response in the error shape (for middleware and Django handlers)."""
    if message is None:
        try:
            message = HTTPStatus(status).phrase + "."
        except ValueError:
            message = "Error."
    response = JsonResponse(
        error_body(code or error_code_for_status(status), message), status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _message_of(exc: drf.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, str):
        return str(detail)
    if isinstance(exc, drf.ValidationError):
        return "Invalid input."
    return str(exc.default_detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: every exception becomes the error shape; never a stack trace."""
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError):
        # Model validation raised by a service: a 400 with per-field details.
        exc = drf.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )

    if not isinstance(exc, drf.APIException):
        logger.exception("unhandled error in API view")
        return Response(
            error_body("internal_error", "An internal error occurred."),
            status=500,
        )

    headers: dict[str, str] = {}
    details = None
    if isinstance(exc, ApiError):
        code = exc.error_code
        details = exc.details
        headers.update(exc.headers)
    else:
        known = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), None)
        code = known or error_code_for_status(exc.status_code)
        if isinstance(exc, drf.ValidationError):
            details = exc.detail
    auth_header = getattr(exc, "auth_header", None)  # NotAuthenticated, AuthenticationFailed
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)  # Throttled
    if wait:
        headers["Retry-After"] = str(max(1, int(wait)))
    return Response(
        error_body(code, _message_of(exc), details), status=exc.status_code, headers=headers
    )
