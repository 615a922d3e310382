"""The OpenAI-compatible front door: ``POST /v1/chat/completions`` and ``GET /v1/models``.

Async Django views, thin: authenticate (a key this process knows costs no database read),
rate-limit (``redis.asyncio``), validate (``serializers``), then a service does the work. An
application using the official ``openai`` client changes its ``base_url`` to AgentHub and its key
to a tenant key. Errors keep AgentHub's envelope ``{"error": {"code", "message", "request_id"}}``,
which the ``openai`` client reads as ``error.code`` / ``error.message``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf

from apps.core.exceptions import error_json_response
from apps.core.live_config import arefresh_all
from apps.core.parsers import parse_json_bytes
from apps.gateway import pacing, services
from apps.gateway.responses import EventStreamResponse
from apps.gateway.serializers import (
    ChatRequest,
    chat_request_from,
    embeddings_request_from,
    responses_request_from,
)
from apps.security.services import GuardContext
from apps.tenants.authentication import ApiKeyPrincipal, aauthenticate
from apps.tenants.throttling import athrottle

PROVIDER_HEADER = "X-AgentHub-Provider"


async def _principal(request: HttpRequest) -> ApiKeyPrincipal:
    await arefresh_all()
    principal = await aauthenticate(request.headers.get("Authorization", ""))
    # What GuardContext and the rate limits read: an API-key principal, not a Django user (the
    # stubs know only those), as DRF's authentication sets it on its requests.
    request.user = principal  # type: ignore[assignment]
    await athrottle(request, principal)
    return principal


def _json_body(request: HttpRequest):
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise drf.UnsupportedMediaType(content_type)
    # the API's limits: depth, finite numbers, no lone surrogates or NUL (400 malformed_request)
    return parse_json_bytes(request.body)


def _not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = error_json_response(drf.MethodNotAllowed(request.method or ""), request)
    response["Allow"] = allowed
    return response


@csrf_exempt
async def chat_completions(request: HttpRequest) -> HttpResponseBase:
    """OpenAI-compatible chat completion, guarded and resilient (``stream: true`` -> SSE)."""
    return await _chat_path(
        request, chat_request_from, services.chat_complete, services.chat_stream
    )


@csrf_exempt
async def responses(request: HttpRequest) -> HttpResponseBase:
    """OpenAI's Responses API (text in, text out) over the chat path: input guarded, output
    redacted, breakers and fallbacks as for chat (``stream: true`` -> Responses events)."""
    return await _chat_path(
        request, responses_request_from, services.responses_create, services.responses_stream
    )


async def _chat_path(
    request: HttpRequest,
    parse: Callable[[Any], ChatRequest],
    answer: Callable[..., Awaitable[tuple[dict[str, Any], str]]],
    stream: Callable[..., Awaitable[services.ChatStream]],
) -> HttpResponseBase:
    """What both chat-shaped endpoints do: ``parse`` the body into a chat request, then the
    guarded ``answer`` (JSON) or ``stream`` (server-sent events) of the service layer."""
    if request.method != "POST":
        return _not_allowed(request, "POST")
    try:
        await _principal(request)
        # The parsing and the guard ahead are the start's CPU: after the rate limit's round trip
        # a burst's requests take their turn again (apps.gateway.pacing), first come first served.
        await pacing.turn()
        chat = parse(_json_body(request))
        ctx = GuardContext.from_request(request, flow="chat")
        if chat.stream:
            return _event_stream(await stream(chat, ctx=ctx))
        body, provider = await answer(chat, ctx=ctx)
    except Exception as exc:
        return error_json_response(exc, request)
    return _json(body, provider)


def _json(body: dict[str, Any], provider: str) -> JsonResponse:
    response = JsonResponse(body)
    response[PROVIDER_HEADER] = provider
    return response


def _event_stream(stream: services.ChatStream) -> EventStreamResponse:
    return EventStreamResponse(stream.events, headers={PROVIDER_HEADER: stream.provider})


@csrf_exempt
async def embeddings(request: HttpRequest) -> HttpResponse:
    """OpenAI-compatible embeddings (OpenAI-compatible providers only), secrets redacted and the
    PII policy applied to the inputs; breakers, retries and fallbacks as for chat."""
    if request.method != "POST":
        return _not_allowed(request, "POST")
    try:
        await _principal(request)
        embeddings_request = embeddings_request_from(_json_body(request))
        ctx = GuardContext.from_request(request, flow="embeddings")
        body, provider = await services.embeddings(embeddings_request, ctx=ctx)
    except Exception as exc:
        return error_json_response(exc, request)
    return _json(body, provider)


async def models(request: HttpRequest) -> HttpResponse:
    """Models (providers) this gateway can route to, in OpenAI's list format."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(request, "GET, HEAD")
    try:
        await _principal(request)
    except Exception as exc:
        return error_json_response(exc, request)
    return JsonResponse(services.models())


async def model_detail(request: HttpRequest, model_id: str) -> HttpResponse:
    """One model (a provider or an operator's alias) in OpenAI's model format; 404
    ``model_not_found`` lists the models there are."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(request, "GET, HEAD")
    try:
        await _principal(request)
        body = services.model(model_id)
    except Exception as exc:
        return error_json_response(exc, request)
    return JsonResponse(body)
