"""Request id, the request's trace span, early body-size limit, and the JSON error shape for
Django's own API errors."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse

from apps.core import tracing
from apps.core.exceptions import error_response, message_of, service_unavailable_for
from apps.core.request_context import accept_request_id, reset_request_id, set_request_id

logger = logging.getLogger("apps.core.request")

REQUEST_ID_HEADER = "X-Request-ID"

# What Django hands a middleware: a sync callable, or (async_capable ones under the ASGI
# handler) a coroutine function; the two-faced middlewares below serve both.
GetResponse = Callable[[HttpRequest], Any]


def is_api_path(path: str) -> bool:
    return path.startswith(settings.API_PATH_PREFIXES)


class RequestIdMiddleware:
    """Accepts a sane ``X-Request-ID`` or makes one; returns it on every response. Sync and
    async (the async front door runs it without a thread)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self._async:
            return self.__acall__(request)
        request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]  # ours, read by logging
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            reset_request_id(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]  # ours, read by logging
        token = set_request_id(request_id)
        try:
            response = await self.get_response(request)
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
    """413 for bodies over ``API_MAX_BODY_BYTES``, decided from Content-Length before parsing.

    A chunked body (``Transfer-Encoding: chunked``, no Content-Length) is read here, up to the
    limit, when the server hands it over de-chunked (``wsgi.input_terminated``: gunicorn; ASGI
    servers always) and then looks to Django and DRF like a body with a length; a server that
    cannot (the development server) gets ``411 length_required`` instead of a body silently
    read as empty.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.API_MAX_BODY_BYTES
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        if not raw_length and _is_chunked(request):
            refused = _read_chunked_body(request, limit)
            if refused is not None:
                return refused
            raw_length = request.META["CONTENT_LENGTH"]
        try:
            length = int(raw_length or "0")
        except ValueError:
            return error_response(400, "bad_request", "Invalid Content-Length header.")
        if length > limit and is_api_path(request.path):
            return _too_large(limit)
        return self.get_response(request)


def _too_large(limit: int) -> HttpResponse:
    return error_response(
        413, "payload_too_large", f"Request body is larger than the limit of {limit} bytes."
    )


def _is_chunked(request: HttpRequest) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()


def _read_chunked_body(request: HttpRequest, limit: int) -> HttpResponse | None:
    """Read a de-chunked body into the request (None), or the error response to send."""
    if isinstance(request, ASGIRequest):
        source = request._stream  # the whole body, already received by the ASGI handler
    elif request.META.get("wsgi.input_terminated"):
        source = request.META["wsgi.input"]
    else:
        return error_response(
            411,
            "length_required",
            "Send a Content-Length header (this server cannot read chunked request bodies).",
        )
    body = source.read(limit + 1)
    if len(body) > limit:
        return _too_large(limit)
    # Django's own attributes (what HttpRequest.read() reads): the stubs type the stream as a
    # plain BinaryIO and leave _read_started out.
    request._stream = LimitedStream(io.BytesIO(body), len(body))  # type: ignore[assignment]
    request._read_started = False  # type: ignore[attr-defined]
    request.META["CONTENT_LENGTH"] = str(len(body))
    return None


class ApiErrorMiddleware:
    """Under the API prefixes, Django's HTML error pages (404, 405, 500...) become JSON errors.
    Sync and async (the async front door runs it without a thread)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self._async:
            return self.__acall__(request)
        return self._as_json(request, self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        return self._as_json(request, await self.get_response(request))

    @staticmethod
    def _as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
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
        if unavailable := service_unavailable_for(exception):
            response = error_response(
                503,
                unavailable.error_code,
                message_of(unavailable),
                headers=unavailable.headers,
            )
            response._has_been_logged = True  # type: ignore[attr-defined]  # Django's: an outage, logged (throttled) once, not per 503
            return response
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "An internal error occurred.")
