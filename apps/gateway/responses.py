"""The gateway's server-sent event answer."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from django.http import StreamingHttpResponse

# A chat stream's last event: the front door ends the response with the write that carries it.
LAST_EVENT = b"data: [DONE]\n\n"


class EventStreamResponse(StreamingHttpResponse):
    """A ``text/event-stream`` answer of already-encoded events. The gateway's ASGI handler
    (``apps.gateway.asgi.GatewayHandler``) sends ``events`` as they come; any other handler (the
    test client, ``runserver``) consumes it as the streaming response it also is."""

    def __init__(self, events: AsyncGenerator[bytes, None], *, headers: dict[str, str]) -> None:
        super().__init__(events, content_type="text/event-stream")
        self.events = events
        self["Cache-Control"] = "no-cache"
        self["X-Accel-Buffering"] = "no"
        for name, value in headers.items():
            self[name] = value
