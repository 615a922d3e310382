"""The async front door: one ASGI application in front of Django.

- ``/v1/...`` (the OpenAI-compatible surface) and ``/health`` are served by
  :class:`GatewayHandler`, a lean Django ASGI handler: async views, one async middleware
  (request id), no per-request thread; everything else (admin, ``/api/...``) by Django's
  standard ``ASGIHandler`` with the full middleware stack.
- Overload is shed before any work: above ``GATEWAY_MAX_INFLIGHT`` requests in flight in this
  process (streams included, until their last byte), or while the event loop runs more than
  ``GATEWAY_MAX_LOOP_LAG`` seconds behind (the CPU cannot keep up, whatever the count), a
  ``/v1`` request gets a fast 503 ``overloaded`` with ``Retry-After``.
- Slow clients cannot hold the door: the body of a ``/v1`` request must arrive within
  ``GATEWAY_BODY_TIMEOUT`` (else 408 ``request_timeout``) and within ``API_MAX_BODY_BYTES``
  (else 413); headers are bounded by the server (``agenthub/server.py``).
- A client that disconnects cancels its request: Django's handler cancels the view (or the
  stream), which closes the upstream ``httpx`` response within the same loop iteration.
- Lifespan: start-up warms the live caches (provider snapshot, policy, rate limits) in a thread
  so the first burst finds them built; shutdown closes pooled upstream clients once uvicorn has
  drained the open requests (``--timeout-graceful-shutdown``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.exception import convert_exception_to_response
from django.urls import set_script_prefix
from django.utils.module_loading import import_string

from apps.core.aio import mark_serving_event_loop
from apps.core.exceptions import error_body
from apps.gateway.metrics import INFLIGHT, SHED

logger = logging.getLogger(__name__)

GATEWAY_PREFIX = "/v1/"
LEAN_PATHS = ("/health",)
# The gateway's middleware: async-native only (a sync one would cost a thread hop per request).
GATEWAY_MIDDLEWARE = (
    "apps.core.middleware.RequestIdMiddleware",
    "apps.core.middleware.ApiErrorMiddleware",
)


class GatewayHandler(ASGIHandler):
    """Django's ASGI handler for the hot paths, minus what costs a thread per request: no
    ``ThreadSensitiveContext``, no ``request_started`` signal (its receiver closes database
    connections this path never opens), the response closed inline. The disconnect handling
    (cancel the view or the stream when the client goes away) is Django's, kept as is."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        # BaseHandler's own inner handler (the one its load_middleware wraps); not in the stubs.
        handler = convert_exception_to_response(self._get_response_async)  # type: ignore[attr-defined]
        for path in reversed(GATEWAY_MIDDLEWARE):
            handler = convert_exception_to_response(import_string(path)(handler))
        self._middleware_chain = handler

    async def __call__(self, scope, receive, send) -> None:
        await self.handle(scope, receive, send)

    async def run_get_response(self, request):
        response = await super().run_get_response(request)
        # (CommonMiddleware's job in the full stack): a length, not a chunked body.
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response

    async def handle(self, scope, receive, send) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            assert error_response is not None  # create_request returns one or the other
            body_file.close()
            await self.send_response(error_response, send)
            error_response.close()
            return

        async def process_request(request, send):
            response = await self.run_get_response(request)
            with contextlib.suppress(asyncio.CancelledError):  # the client left mid-response
                await self.send_response(response, send)
            return response

        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(process_request(request, send)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                with contextlib.suppress(RequestAborted):
                    task.result()
            else:
                task.cancel()  # the client left: the view or its stream ends now
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        try:
            response = tasks[1].result()
        except asyncio.CancelledError:
            pass
        else:
            response.close()
        body_file.close()


async def _send_json(send, status: int, body: dict, headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class FrontDoor:
    """The process's ASGI application (see the module docstring)."""

    def __init__(self, django_app, gateway_app=None) -> None:
        self.django_app = django_app
        self.gateway_app = gateway_app or GatewayHandler()
        self.max_inflight = settings.GATEWAY_MAX_INFLIGHT
        self.body_timeout = settings.GATEWAY_BODY_TIMEOUT
        self.max_body = settings.API_MAX_BODY_BYTES
        self.max_lag = settings.GATEWAY_MAX_LOOP_LAG
        self.inflight = 0
        self.lag = 0.0  # how late the loop ran its last heartbeat (seconds)
        self.shed_until = 0.0  # after a late heartbeat, new /v1 requests are shed until then
        self._heartbeat: asyncio.Task | None = None

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return  # no websockets here
        mark_serving_event_loop()
        path = scope["path"]
        if path.startswith(GATEWAY_PREFIX):
            await self._gateway(scope, receive, send)
        elif path in LEAN_PATHS:
            await self.gateway_app(scope, receive, send)
        else:
            await self.django_app(scope, receive, send)

    async def _gateway(self, scope, receive, send) -> None:
        if self.inflight >= self.max_inflight or time.monotonic() < self.shed_until:
            SHED.labels(reason="overloaded").inc()
            await _send_json(
                send,
                503,
                error_body("overloaded", "The gateway is at capacity; retry shortly."),
                {"Retry-After": "1"},
            )
            return
        self.inflight += 1
        INFLIGHT.inc()
        try:
            declared = _content_length(scope)
            if declared is not None and declared > self.max_body:
                await _send_json(
                    send,
                    413,
                    error_body(
                        "payload_too_large",
                        f"Request body is larger than the limit of {self.max_body} bytes.",
                    ),
                    {},
                )
                return
            replay = await self._read_body(scope, receive, send)
            if replay is None:
                return
            await self.gateway_app(scope, replay, send)
        finally:
            self.inflight -= 1
            INFLIGHT.dec()

    async def _read_body(self, scope, receive, send):
        """The whole body within the deadline, then a ``receive`` that replays it and after it
        reports the client's disconnect; None when the request was answered (408/413) or the
        client left."""
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.body_timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise TimeoutError
                message = await asyncio.wait_for(receive(), remaining)
            except TimeoutError:
                SHED.labels(reason="body_timeout").inc()
                await _send_json(
                    send,
                    408,
                    error_body("request_timeout", "The request body was not received in time."),
                    {"Connection": "close"},
                )
                return None
            if message["type"] == "http.disconnect":
                return None
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_body:
                await _send_json(
                    send,
                    413,
                    error_body(
                        "payload_too_large",
                        f"Request body is larger than the limit of {self.max_body} bytes.",
                    ),
                    {"Connection": "close"},
                )
                return None
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return whole
            return await receive()  # the next message is the client's disconnect

        return replay

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await asyncio.to_thread(_startup)
                except Exception as exc:
                    logger.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                self._heartbeat = asyncio.create_task(self._measure_lag())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                from apps.providers.async_http import aclose_all
                from apps.providers.runtime import breakers

                if self._heartbeat is not None:
                    self._heartbeat.cancel()
                try:  # the last milliseconds of breaker successes, deferred on this loop
                    await breakers.aflush()
                except Exception:
                    logger.warning("could not flush deferred breaker successes", exc_info=True)
                await aclose_all()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _measure_lag(self, period: float = 0.1, hold: float = 1.0) -> None:
        """How late the loop wakes a 100 ms sleeper: the CPU-saturation signal for shedding.
        A late wake-up sheds new requests for ``hold`` seconds (the backlog drains meanwhile)."""
        while True:
            started = time.monotonic()
            await asyncio.sleep(period)
            woke = time.monotonic()
            self.lag = max(0.0, woke - started - period)
            if self.max_lag and self.lag > self.max_lag:
                self.shed_until = woke + hold


def _startup() -> None:
    """Refuse an incoherent deployment, then build the live caches before the first request."""
    from apps.gateway.checks import check_process_model

    check_process_model()
    from django.urls import get_resolver

    from apps.core.live_config import LiveCache

    _ = get_resolver().url_patterns  # import every view: their modules define live caches
    warmed = []
    for cache in LiveCache.instances():
        try:
            cache.warm()
        except Exception as exc:  # database down: requests build them (or answer 503)
            logger.warning("could not warm the live caches (%s); serving anyway", exc)
            break
        warmed.append(cache.namespace)
    logger.info("gateway ready; warmed live caches: %s", ", ".join(sorted(set(warmed))))
