"""The async front door: one ASGI application in front of Django.

- ``/v1/...`` (the OpenAI-compatible surface) and ``/health`` are served by
  :class:`GatewayHandler`, a lean Django ASGI handler: async views, one async middleware
  (request id), no per-request thread; everything else (admin, ``/api/...``) by Django's
  standard ``ASGIHandler`` with the full middleware stack.
- Overload is shed before any work: above ``GATEWAY_MAX_INFLIGHT`` requests in flight in this
  process (streams included, until their last byte), while the event loop runs more than
  ``GATEWAY_MAX_LOOP_LAG`` seconds behind (the CPU cannot keep up, whatever the count), or when
  the request itself waited more than ``GATEWAY_MAX_QUEUE_DELAY`` seconds for the loop after its
  headers arrived (a burst larger than the process can start promptly: the lag heartbeat, one
  timer among thousands of queued requests, would notice only after admitting them all), a
  ``/v1`` request gets a fast 503 ``overloaded`` with ``Retry-After``.
- A burst is started a few requests per turn of the event loop (``GATEWAY_STARTS_PER_TURN``,
  ``apps.gateway.pacing``), first come first started, so open streams and ``/health`` keep
  being served while it starts; a request still waiting for its turn after
  ``GATEWAY_MAX_QUEUE_DELAY`` gets the same 503. Waiting requests count against the cap.
- Slow clients cannot hold the door: the body of a ``/v1`` request must arrive within
  ``GATEWAY_BODY_TIMEOUT`` (else 408 ``request_timeout``) and within ``API_MAX_BODY_BYTES``
  (else 413); headers are bounded by the server (``agenthub/server.py``). A request counts
  against the cap only once its body is in.
- A client that disconnects cancels its request: a watcher cancels the view (or the stream),
  which closes the upstream ``httpx`` response within the same loop iteration.
- Lifespan: start-up builds what the first burst would otherwise build at once (live caches,
  redactor, guard model, PII detector; ``apps.gateway.startup``) before the
  process accepts a connection; shutdown closes pooled upstream clients once uvicorn has
  drained the open requests (``--timeout-graceful-shutdown``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import aclosing
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.exception import convert_exception_to_response
from django.urls import set_script_prefix
from django.utils.module_loading import import_string

from apps.core.aio import mark_serving_event_loop
from apps.core.exceptions import error_body
from apps.gateway import pacing
from apps.gateway.collector import CollectorGovernor
from apps.gateway.metrics import INFLIGHT, SHED
from apps.gateway.pacing import StartPacer
from apps.gateway.responses import LAST_EVENT, EventStreamResponse
from apps.gateway.startup import RECEIVED_AT

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = dict[str, Any]
ASGIReceiveCallable = Callable[[], Awaitable[Message]]
ASGISendCallable = Callable[[Message], Awaitable[None]]

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
    is Django's behaviour (the view or the stream is cancelled when the client goes away) with
    one task less per request: the view runs in the request's own task."""

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

    async def send_response(self, response, send) -> None:
        if not isinstance(response, EventStreamResponse):
            await super().send_response(response, send)
            return
        # A stream's events are sent as they come. Django's loop would pass each one through two
        # more async generators, a bytes conversion and a chunker, for events that are whole
        # bytes already (the gateway's middleware never rewrites a stream). Closing ``events``
        # (the client left: this task is cancelled) ends the upstream call.
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": _raw_headers(response),
            }
        )
        # The write that carries a chat stream's last event ends the response too (one write
        # less per stream); the generator still runs to its end (its bookkeeping).
        ended = False
        async with aclosing(response.events) as events:
            async for event in events:
                ended = event.endswith(LAST_EVENT)
                await send({"type": "http.response.body", "body": event, "more_body": not ended})
        if not ended:
            await send({"type": "http.response.body"})

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

        # The view runs in this task; one watcher task cancels it when the client leaves
        # (Django's own handle() runs the view in a second task and waits on both: one task
        # and one asyncio.wait per request more, for the same behaviour).
        current = asyncio.current_task()
        gone = False

        async def watch() -> None:
            nonlocal gone
            while (await receive())["type"] != "http.disconnect":
                pass
            gone = True
            if current is not None:
                current.cancel()  # the client left: the view or its stream ends now

        watcher = asyncio.create_task(watch())
        response = None
        try:
            response = await self.run_get_response(request)
            await self.send_response(response, send)
        except asyncio.CancelledError:
            if not gone or current is None:
                raise  # the server's cancellation, not the client's departure
            current.uncancel()
        finally:
            watcher.cancel()
            if response is not None:
                response.close()
            body_file.close()


def _raw_headers(response) -> list[tuple[bytes, bytes]]:
    """A response's headers as ASGI wants them (what ``ASGIHandler.send_response`` sends)."""
    headers = [
        (
            name.encode("ascii") if isinstance(name, str) else bytes(name),
            value.encode("latin1") if isinstance(value, str) else bytes(value),
        )
        for name, value in response.items()
    ]
    for cookie in response.cookies.values():
        headers.append((b"Set-Cookie", cookie.output(header="").encode("ascii").strip()))
    return headers


async def _send_json(send, status: int, body: dict, headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


async def _overloaded(send: ASGISendCallable) -> None:
    SHED.labels(reason="overloaded").inc()
    await _send_json(
        send,
        503,
        error_body("overloaded", "The gateway is at capacity; retry shortly."),
        {"Retry-After": "1"},
    )


async def _too_large(send: ASGISendCallable, limit: int, headers: dict[str, str]) -> None:
    message = f"Request body is larger than the limit of {limit} bytes."
    await _send_json(send, 413, error_body("payload_too_large", message), headers)


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
        self.max_queue_delay = settings.GATEWAY_MAX_QUEUE_DELAY
        self.inflight = 0
        self.lag = 0.0  # how late the loop ran its last heartbeat (seconds)
        self.shed_until = 0.0  # after a late heartbeat, new /v1 requests are shed until then
        self._heartbeat: asyncio.Task | None = None
        self.pacer = StartPacer(settings.GATEWAY_STARTS_PER_TURN, settings.GATEWAY_RELAYS_PER_TURN)
        self.collector = CollectorGovernor(
            settings.GATEWAY_GC_DEFER_ABOVE, settings.GATEWAY_GC_MAX_DEFER
        )

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

    def _shed(self, scope: Scope) -> bool:
        """Whether a new ``/v1`` request is refused before any work (see the module docstring)."""
        if self.inflight >= self.max_inflight:
            return True
        if time.monotonic() < self.shed_until:
            return True
        return self._waited_too_long(scope)

    def _waited_too_long(self, scope: Scope) -> bool:
        received = scope.get(RECEIVED_AT)
        return bool(
            self.max_queue_delay and received and time.monotonic() - received > self.max_queue_delay
        )

    async def _gateway(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if self._shed(scope):
            await _overloaded(send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await _too_large(send, self.max_body, {})
            return
        # The body is read before the request counts as in flight: a client trickling it holds
        # a socket and a timer until the body deadline, not a slot of the cap.
        replay = await self._read_body(receive, send)
        if replay is None:
            return
        self.inflight += 1  # waiting for its turn counts: the cap bounds the queue too
        INFLIGHT.inc()
        try:
            await self.pacer.turn()
            # Its turn came late (a burst larger than the process starts within the queue
            # delay): refused now, as it would have been on arrival.
            if self._waited_too_long(scope):
                await _overloaded(send)
                return
            await self.gateway_app(scope, replay, send)
        finally:
            self.inflight -= 1
            INFLIGHT.dec()

    async def _read_body(
        self, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> ASGIReceiveCallable | None:
        """The whole body within the deadline, then a ``receive`` that replays it and after it
        reports the client's disconnect; None when the request was answered (408/413) or the
        client left."""
        chunks: list[bytes] = []
        size = 0
        # One deadline for the whole body (a timer per request, not a task per message).
        try:
            async with asyncio.timeout(self.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    body = message.get("body", b"")
                    size += len(body)
                    if size > self.max_body:
                        await _too_large(send, self.max_body, {"Connection": "close"})
                        return None
                    chunks.append(body)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            SHED.labels(reason="body_timeout").inc()
            await _send_json(
                send,
                408,
                error_body("request_timeout", "The request body was not received in time."),
                {"Connection": "close"},
            )
            return None
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return whole
            return await receive()  # the next message is the client's disconnect

        return replay

    async def _lifespan(self, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        from apps.gateway import startup

        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await asyncio.to_thread(_startup)
                    processes = await startup.wait_for_sibling_processes()
                except Exception as exc:
                    logger.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                logger.info("gateway ready: %d server processes warm", processes)
                self._heartbeat = asyncio.create_task(self._measure_lag())
                # The stream relays yield to this process's starts, for as long as this loop
                # serves (the pacer's turns run on it).
                pacing.install(self.pacer)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                from apps.providers.async_http import aclose_all
                from apps.providers.runtime import breakers

                pacing.install(None)
                if self._heartbeat is not None:
                    self._heartbeat.cancel()
                self.collector.resume()
                try:  # the last milliseconds of breaker successes, deferred on this loop
                    await breakers.aflush()
                except Exception:
                    logger.warning("could not flush deferred breaker successes", exc_info=True)
                await aclose_all()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _measure_lag(self, period: float = 0.1, hold: float = 1.0) -> None:
        """How late the loop wakes a 100 ms sleeper: the CPU-saturation signal for shedding.
        A late wake-up sheds new requests for ``hold`` seconds (the backlog drains meanwhile).
        Each beat also lets the collector governor see how busy the process is."""
        while True:
            started = time.monotonic()
            await asyncio.sleep(period)
            woke = time.monotonic()
            self.lag = max(0.0, woke - started - period)
            if self.max_lag and self.lag > self.max_lag:
                self.shed_until = woke + hold
            self.collector.update(self.inflight)


def _startup() -> None:
    """Refuse an incoherent deployment, then build what the first requests would (blocking: run
    in a thread before the process accepts connections)."""
    from apps.gateway.checks import check_process_model
    from apps.gateway.startup import settle_heap, warm_request_path

    check_process_model()
    warmed = warm_request_path()
    frozen = settle_heap(settings.GATEWAY_GC_YOUNG_THRESHOLD)
    logger.info(
        "gateway warm: %s; %d start-up objects frozen", ", ".join(sorted(set(warmed))), frozen
    )
