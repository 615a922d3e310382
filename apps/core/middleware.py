"""Request id, the request's trace span, early body-size limit, and the JSON error shape for
Django's own API errors."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from apps.core import tracing
from apps.core.exceptions import error_response
from apps.core.request_context import accept_request_id, reset_request_id, set_request_id

logger = logging.getLogger("apps.core.request")

REQUEST_ID_HEADER = "X-Request-ID"


def is_api_path(path: str) -> bool:
    return path.startswith(settings.API_PATH_PREFIXES)


class RequestIdMiddleware:
    """Accepts a sane ``X-Request-ID`` or makes one; returns it on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]  # ours, read by logging
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            reset_request_id(token)


class TracingMiddleware:
    """One span per request, "HTTP {method} {route}", named from the resolved route pattern
    (never the raw path, which carries ids). A pass-through when tracing is off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not tracing.enabled():
            return self.get_response(request)
        method = request.method or ""
        with tracing.span(f"HTTP {method}", **{"http.method": method}) as current:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            route = getattr(match, "route", "") if match is not None else ""
            if route:
                route = "/" + route.lstrip("^").rstrip("$")
                current.update_name(f"HTTP {method} {route}")
                current.set_attribute("http.route", route)
            current.set_attribute("http.status_code", response.status_code)
            if response.status_code >= 500:
                current.set_attribute("error_type", f"http_{response.status_code}")
            return response


class BodySizeLimitMiddleware:
    """413 for bodies over ``API_MAX_BODY_BYTES``, decided from Content-Length before parsing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.API_MAX_BODY_BYTES
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return error_response(400, "bad_request", "Invalid Content-Length header.")
        if length > limit and is_api_path(request.path):
            return error_response(
                413,
                "payload_too_large",
                f"Request body is larger than the limit of {limit} bytes.",
            )
        return self.get_response(request)


class ApiErrorMiddleware:
    """Under the API prefixes, Django's HTML error pages (404, 405, 500...) become JSON errors."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_path(request.path)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            kept = ("Allow", "Retry-After", "WWW-Authenticate")
            return error_response(
                response.status_code, headers={h: response[h] for h in kept if h in response}
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "An internal error occurred.")
