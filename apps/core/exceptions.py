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
from django.db import InterfaceError as DjangoInterfaceError
from django.db import OperationalError as DjangoOperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from apps.core.logging import log_throttled, redact_text
from apps.core.request_context import get_request_id

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("apps.core.request")


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


class ServiceUnavailable(ApiError):
    """A dependency the request truly needs (the database) did not answer in time."""

    status_code = 503
    default_code = "service_unavailable"
    default_detail = "A service this request needs is unavailable; retry shortly."

    def __init__(self, message: str | None = None, *, retry_after: int = 1, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("Retry-After", str(retry_after))


def _driver_unavailable_errors() -> tuple[type[BaseException], ...]:
    # The driver's own connection errors, in case one escapes Django's wrapping (pool timeout).
    try:
        import psycopg
    except ImportError:  # the embedded default (SQLite) has no psycopg
        return ()
    return (psycopg.OperationalError, psycopg.InterfaceError)


_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    DjangoOperationalError,
    DjangoInterfaceError,
    *_driver_unavailable_errors(),
)


def service_unavailable_for(exc: BaseException) -> ServiceUnavailable | None:
    """A 503 for a database that cannot be reached (down, restarting, pool exhausted), else
    None. Logged at WARNING without a stack: it is an outage, not a bug in this request."""
    if not isinstance(exc, _UNAVAILABLE_ERRORS):
        return None
    from django.conf import settings

    log_throttled(
        logger, logging.WARNING, "database unavailable: %s", type(exc).__name__, key="db-down"
    )
    retry_after = str(getattr(settings, "DB_UNAVAILABLE_RETRY_AFTER", 2))
    return ServiceUnavailable(headers={"Retry-After": retry_after})


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
    411: "length_required",
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
    """The error envelope. Message and details pass the registered redactor (the same one as
    logs): an upstream's error text may quote a key or a user's personal data."""
    error: dict[str, Any] = {
        "code": code,
        "message": redact_text(message) if isinstance(message, str) else message,
        "request_id": get_request_id(),
    }
    if details is not None:
        error["details"] = _redacted(details)
    return {"error": error}


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    return value


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
    status, body, headers = error_parts(exc)
    response = Response(body, status=status, headers=headers)
    _log_expected_once(response, context.get("request"), status, body)
    return response


def error_json_response(exc: Exception, request: Any = None) -> JsonResponse:
    """The error shape of ``exc`` as a plain Django response (async views outside DRF)."""
    status, body, headers = error_parts(exc)
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name] = value
    _log_expected_once(response, request, status, body)
    return response


def _log_expected_once(response: Any, request: Any, status: int, body: dict[str, Any]) -> None:
    if status == 500:
        return  # a fault: logged with its traceback, and by Django at ERROR
    error = body["error"]
    _log_expected(request, status, error["code"], error["message"])
    # Logged above, throttled: Django would log every 5xx again at ERROR (django.request).
    response._has_been_logged = True


def error_parts(exc: Exception) -> tuple[int, dict[str, Any], dict[str, str]]:
    """(status, body, headers) of any exception in the error shape; unknown ones are a logged
    500 ``internal_error`` whose message says nothing about the cause."""
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif unavailable := service_unavailable_for(exc):
        exc = unavailable
    elif isinstance(exc, DjangoValidationError):
        # Model validation raised by a service: a 400 with per-field details.
        exc = drf.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )

    if not isinstance(exc, drf.APIException):
        logger.exception("unhandled error in API view")
        return 500, error_body("internal_error", "An internal error occurred."), {}

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
    return exc.status_code, error_body(code, _message_of(exc), details), headers


def _log_expected(request: Any, status: int, code: str, message: str) -> None:
    """A typed API error is an expected condition (circuit open, rate limited, input rejected,
    upstream down...), never a fault of this service: WARNING for 429 and 5xx, INFO for other
    4xx, one line per status and code per LOG_THROTTLE_SECONDS."""
    level = logging.WARNING if status >= 500 or status == 429 else logging.INFO
    method = getattr(request, "method", "-")
    path = getattr(request, "path", "-")
    log_throttled(
        request_logger,
        level,
        "%s %s -> %d %s: %s",
        method,
        path,
        status,
        code,
        message[:200],
        key=f"api:{status}:{code}",
    )
