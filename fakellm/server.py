"""The fake upstream: a small asyncio HTTP/1.1 server speaking the OpenAI and Anthropic APIs.

Why hand-written instead of aiohttp/uvicorn: the failure modes we need to reproduce live below
what a framework lets a handler do — close the socket without a status line, hang after reading
the request, send half a Content-Length body or a chunked stream without its terminator, or
write bytes that are not HTTP at all. A framework would "fix" those. The protocol subset is
small (request line, headers, Content-Length or chunked request bodies, keep-alive), and plain
asyncio streams hold thousands of idle or slow connections for a few kB each.

Behaviour is changed at run time through ``POST /_control`` (see ``Behaviour`` and the README in
this package's docstring of ``fakellm.testing``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

MODES = frozenset(
    {
        "ok",
        "slow",
        "fail",
        "rate_limit",
        "invalid_json",
        "html",
        "error_body",
        "hang",
        "drop",
        "partial_stream",
        "garbage",
    }
)

# Every key a behaviour may carry, with its default. ``POST /_control`` rejects other keys.
DEFAULT_BEHAVIOUR: dict[str, Any] = {
    "mode": "ok",
    "delay": None,  # seconds before answering (any mode); ``slow`` without delay means 1 s
    "reply": None,  # fixed reply text; None echoes a summary of the last user message
    "tool_calls": None,  # [{"name", "arguments": dict|str, "id"?}] (only if the request has tools)
    "finish_reason": None,  # override "stop"/"tool_calls" (e.g. "length")
    "status": None,  # fail: default 500
    "retry_after": None,  # Retry-After seconds: rate_limit (default 1); fail only when set
    "error_message": None,  # fail/rate_limit/error_body message text
    "chunks": 2,  # partial_stream: how many chunks are sent before the drop
    "chunk_delay": 0.0,  # seconds between streamed chunks
    "api_key": None,  # when set, requests without this key get 401
    "model": None,  # model name in responses (default: the requested one)
    "deltas": None,  # OpenAI streams: exactly these content deltas (the reply is their join)
    "set_cookie": None,  # a Set-Cookie header on every 200 answer (JSON and streams)
}

EMBEDDINGS_PATH = "/v1/embeddings"
GENERATION_PATHS = frozenset({"/v1/chat/completions", "/v1/messages", EMBEDDINGS_PATH})
EMBEDDING_DIMENSIONS = 8
DEFAULT_MODELS = ["fakellm-1", "fakellm-1-mini"]
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 32 * 1024 * 1024
REQUEST_LOG_SIZE = 100

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    529: "Overloaded",
}
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


class ControlError(ValueError):
    """A control request that cannot be applied (answered with 400)."""


def validate_behaviour(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(DEFAULT_BEHAVIOUR)
    if unknown:
        raise ControlError(f"unknown behaviour keys: {sorted(unknown)}")
    mode = data.get("mode", "ok")
    if mode not in MODES:
        raise ControlError(f"unknown mode {mode!r}; one of {sorted(MODES)}")
    for key in ("delay", "chunk_delay", "retry_after"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int | float) or value < 0):
            raise ControlError(f"{key} must be a non-negative number")
    chunks = data.get("chunks")
    if chunks is not None and (
        not isinstance(chunks, int) or isinstance(chunks, bool) or chunks < 0
    ):
        raise ControlError("chunks must be a non-negative integer")
    status = data.get("status")
    if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
        raise ControlError("status must be an HTTP status code")
    tool_calls = data.get("tool_calls")
    if tool_calls is not None and (
        not isinstance(tool_calls, list)
        or not all(isinstance(c, dict) and isinstance(c.get("name"), str) for c in tool_calls)
    ):
        raise ControlError('tool_calls must be a list of {"name": str, "arguments": ...}')
    deltas = data.get("deltas")
    if deltas is not None and (
        not isinstance(deltas, list) or not deltas or not all(isinstance(d, str) for d in deltas)
    ):
        raise ControlError("deltas must be a non-empty list of strings")
    cookie = data.get("set_cookie")
    if cookie is not None and (not isinstance(cookie, str) or any(c in cookie for c in "\r\n")):
        raise ControlError("set_cookie must be a string on one line")
    return data


@dataclass
class State:
    """Behaviour and counters of one server (one event loop: no locking needed)."""

    behaviour: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_BEHAVIOUR))
    # Pending one-shot behaviours: [behaviour overrides, remaining uses], consumed FIFO by
    # generation requests, each merged onto the global behaviour.
    queue: deque[list[Any]] = field(default_factory=deque)
    requests: Counter[str] = field(default_factory=Counter)
    responses: Counter[str] = field(default_factory=Counter)
    modes: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    connections: int = 0
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_SIZE))
    seq: int = 0

    def reset(self) -> None:
        self.behaviour = dict(DEFAULT_BEHAVIOUR)
        self.queue.clear()
        self.requests.clear()
        self.responses.clear()
        self.modes.clear()
        self.max_in_flight = self.in_flight
        self.log.clear()

    def control(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise ControlError("control body must be a JSON object")
        if "script" in data:
            if set(data) != {"script"} or not isinstance(data["script"], list):
                raise ControlError('"script" must be a list and come alone')
            steps = []
            for step in data["script"]:
                if not isinstance(step, dict):
                    raise ControlError("script steps must be objects")
                step = dict(step)
                count = self._count(step.pop("count", 1))
                steps.append([validate_behaviour(step), count])
            self.queue.extend(steps)
            return
        data = dict(data)
        if "count" in data:
            count = self._count(data.pop("count"))
            self.queue.append([validate_behaviour(data), count])
            return
        self.behaviour = {**DEFAULT_BEHAVIOUR, **validate_behaviour(data)}

    @staticmethod
    def _count(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ControlError("count must be a positive integer")
        return value

    def next_behaviour(self) -> tuple[dict[str, Any], bool]:
        """The behaviour for the next generation request, and whether it was a queued step."""
        if not self.queue:
            return self.behaviour, False
        entry = self.queue[0]
        entry[1] -= 1
        if entry[1] <= 0:
            self.queue.popleft()
        return {**self.behaviour, **entry[0]}, True

    def stats(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "total": sum(self.requests.values()),
            "responses": dict(self.responses),
            "modes": dict(self.modes),
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "connections": self.connections,
            "queued": sum(entry[1] for entry in self.queue),
            "behaviour": self.behaviour,
        }


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


# --------------------------------------------------------------------------- HTTP plumbing


def build_response(
    status: int,
    body: bytes,
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    keep_alive: bool = True,
    content_length: int | None = None,
) -> bytes:
    lines = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body) if content_length is None else content_length}",
        "Server: fakellm",
    ]
    if not keep_alive:
        lines.append("Connection: close")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """One request from the connection; None on a clean EOF between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    connection = headers.get("connection", "").lower()
    keep_alive = (version == "HTTP/1.1" and connection != "close") or connection == "keep-alive"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        length = int(headers.get("content-length") or 0)
        if length < 0 or length > MAX_BODY_BYTES:
            raise ValueError("bad Content-Length")
        body = await reader.readexactly(length) if length else b""
    return Request(method.upper(), target.split("?", 1)[0], headers, body, keep_alive)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    size_total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        if size == 0:
            # Trailers (rare) end with an empty line.
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return b"".join(parts)
        size_total += size
        if size_total > MAX_BODY_BYTES:
            raise ValueError("body too large")
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


# --------------------------------------------------------------------------- content helpers


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: words and punctuation marks."""
    return len(_TOKEN_RE.findall(text))


def _text_of(content: Any) -> str:
    """Text of an OpenAI/Anthropic message content (a string or a list of parts/blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    texts.append(part["text"])
                elif part.get("type") == "tool_result":
                    texts.append(_text_of(part.get("content")))
        return " ".join(texts)
    return ""


def _is_tool_result(message: dict[str, Any]) -> bool:
    if message.get("role") == "tool":
        return True
    content = message.get("content")
    return isinstance(content, list) and any(
        isinstance(p, dict) and p.get("type") == "tool_result" for p in content
    )


def reply_text(behaviour: dict[str, Any], messages: list[Any]) -> str:
    if behaviour.get("deltas"):
        return "".join(behaviour["deltas"])
    if behaviour.get("reply") is not None:
        return str(behaviour["reply"])
    last_user = next(
        (m for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), None
    )
    summary = " ".join(_text_of(last_user.get("content")).split()) if last_user else ""
    if len(summary) > 200:
        summary = summary[:197] + "..."
    return f"fakellm reply to: {summary}"


def planned_tool_calls(
    behaviour: dict[str, Any], body: dict[str, Any], queued: bool, seq: int
) -> list[dict[str, Any]]:
    """Tool calls to answer with. Only when the request offers tools; the global ``tool_calls``
    answer stops once the conversation ends with a tool result (so an agent loop finishes),
    while a queued/scripted step returns its calls regardless."""
    calls = behaviour.get("tool_calls")
    if not calls or not body.get("tools"):
        return []
    messages = body.get("messages") or []
    last = messages[-1] if messages else None
    if not queued and isinstance(last, dict) and _is_tool_result(last):
        return []
    planned = []
    for index, call in enumerate(calls):
        arguments = call.get("arguments", {})
        planned.append(
            {
                "id": call.get("id") or f"call_{seq}_{index}",
                "name": call["name"],
                # A string is sent verbatim so tests can feed malformed arguments.
                "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
            }
        )
    return planned


def prompt_tokens(body: dict[str, Any]) -> int:
    total = 0
    system = body.get("system")
    if system:
        total += count_tokens(_text_of(system))
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            total += count_tokens(_text_of(message.get("content")))
    return total


# --------------------------------------------------------------------------- the server


class FakeLLMServer:
    def __init__(self, *, verbose: bool = False) -> None:
        self.state = State()
        self.verbose = verbose

    async def handle_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        state = self.state
        state.connections += 1
        try:
            while True:
                try:
                    request = await read_request(reader)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                except ValueError:
                    writer.write(
                        build_response(400, json_bytes({"error": "bad request"}), keep_alive=False)
                    )
                    await writer.drain()
                    return
                if request is None:
                    return
                if self.verbose:
                    print(f"fakellm: {request.method} {request.path}", flush=True)
                keep_open = await self.dispatch(request, reader, writer)
                if not keep_open or not request.keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            state.connections -= 1
            with contextlib.suppress(Exception):
                writer.close()

    async def dispatch(
        self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; False when the connection must be closed afterwards."""
        if request.path.startswith("/_control"):
            writer.write(self.control(request))
            await writer.drain()
            return True
        state = self.state
        state.requests[request.path] += 1
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            return await self.serve_api(request, reader, writer)
        finally:
            state.in_flight -= 1

    def control(self, request: Request) -> bytes:
        state = self.state
        path = request.path.rstrip("/")
        if path == "/_control/stats" and request.method == "GET":
            return build_response(200, json_bytes(state.stats()))
        if path == "/_control/requests" and request.method == "GET":
            return build_response(200, json_bytes(list(state.log)))
        if path == "/_control/reset" and request.method == "POST":
            state.reset()
            return build_response(200, json_bytes({"ok": True}))
        if path == "/_control" and request.method == "POST":
            try:
                state.control(json.loads(request.body or b"{}"))
            except (ValueError, ControlError) as exc:
                return build_response(400, json_bytes({"error": str(exc)}))
            return build_response(200, json_bytes({"ok": True, **state.stats()}))
        if path == "/_control" and request.method == "GET":
            return build_response(200, json_bytes(state.stats()))
        return build_response(404, json_bytes({"error": "unknown control endpoint"}))

    async def serve_api(
        self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        state = self.state
        keep = request.keep_alive
        if request.path == "/v1/models":
            if request.method != "GET":
                return self._send(writer, 405, {"error": {"message": "method not allowed"}}, keep)
            data = [
                {"id": m, "object": "model", "created": 1700000000, "owned_by": "fakellm"}
                for m in DEFAULT_MODELS
            ]
            return self._send(writer, 200, {"object": "list", "data": data}, keep)
        if request.path not in GENERATION_PATHS:
            return self._send(writer, 404, {"error": {"message": "unknown path"}}, keep)
        if request.method != "POST":
            return self._send(writer, 405, {"error": {"message": "method not allowed"}}, keep)

        anthropic = request.path == "/v1/messages"
        behaviour, queued = state.next_behaviour()
        mode = behaviour["mode"]
        state.modes[mode] += 1
        state.seq += 1
        seq = state.seq
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        state.log.append(
            {
                "seq": seq,
                "path": request.path,
                "headers": request.headers,
                "body": body if body is not None else request.body.decode("utf-8", "replace"),
                "mode": mode,
            }
        )

        api_key = behaviour.get("api_key")
        if api_key:
            sent = request.headers.get("x-api-key") or request.headers.get(
                "authorization", ""
            ).removeprefix("Bearer ")
            if sent != api_key:
                return self._error(writer, 401, "invalid api key", anthropic, keep)
        if request.path == EMBEDDINGS_PATH:
            if embedding_inputs(body) is None:
                return self._error(
                    writer, 400, "body must be JSON with an input string or list", False, keep
                )
        elif not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return self._error(
                writer, 400, "body must be JSON with a messages list", anthropic, keep
            )

        delay = behaviour.get("delay")
        if delay is None and mode == "slow":
            delay = 1.0
        if delay:
            await asyncio.sleep(delay)

        if mode in ("ok", "slow") and request.path == EMBEDDINGS_PATH:
            return self._send(writer, 200, embeddings_body(body), keep)
        if mode in ("ok", "slow"):
            return await self._answer(writer, behaviour, body, queued, seq, anthropic, keep)
        if mode == "fail":
            status = behaviour.get("status") or 500
            retry = behaviour.get("retry_after")
            headers = None if retry is None else {"Retry-After": _seconds(retry)}
            message = behaviour.get("error_message")
            return self._error(writer, status, message, anthropic, keep, headers=headers)
        if mode == "rate_limit":
            retry_after = _seconds(behaviour.get("retry_after") or 1)
            return self._error(
                writer,
                429,
                behaviour.get("error_message") or "rate limit reached",
                anthropic,
                keep,
                headers={"Retry-After": retry_after},
            )
        if mode == "invalid_json":
            state.responses["200"] += 1
            writer.write(
                build_response(200, b'{"id": "broken", "choices": [{"mess', keep_alive=keep)
            )
            await writer.drain()
            return True
        if mode == "html":
            page = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
            state.responses["200"] += 1
            writer.write(build_response(200, page, content_type="text/html", keep_alive=keep))
            await writer.drain()
            return True
        if mode == "error_body":
            message = behaviour.get("error_message") or "The server had an error"
            error = {"message": message, "type": "server_error", "param": None, "code": None}
            payload = (
                {"type": "error", "error": {"type": "api_error", "message": message}}
                if anthropic
                else {"error": error}
            )
            return self._send(writer, 200, payload, keep)
        if mode == "hang":
            # Never answer; return only when the client gives up (EOF) so in_flight drops.
            with contextlib.suppress(ConnectionError):
                while await reader.read(65536):
                    pass
            return False
        if mode == "drop":
            state.responses["dropped"] += 1
            return False
        if mode == "garbage":
            state.responses["garbage"] += 1
            writer.write(b"\x00\xffTHIS IS NOT HTTP\r\n\x13\x37garbage\r\n\r\n")
            await writer.drain()
            return False
        if mode == "partial_stream":
            return await self._answer(
                writer, behaviour, body, queued, seq, anthropic, keep, partial=True
            )
        raise AssertionError(mode)  # validate_behaviour() keeps this unreachable

    def _send(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        payload: Any,
        keep: bool,
        headers: dict[str, str] | None = None,
    ) -> bool:
        self.state.responses[str(status)] += 1
        writer.write(build_response(status, json_bytes(payload), headers=headers, keep_alive=keep))
        # Small responses fit the transport buffer; the connection loop's next read applies
        # back-pressure, so no drain() round-trip per response.
        return True

    def _error(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        message: str | None,
        anthropic: bool,
        keep: bool,
        headers: dict[str, str] | None = None,
    ) -> bool:
        message = message or f"fakellm: upstream error {status}"
        if anthropic:
            kind = {
                400: "invalid_request_error",
                401: "authentication_error",
                429: "rate_limit_error",
                529: "overloaded_error",
            }.get(status, "api_error")
            payload: dict[str, Any] = {"type": "error", "error": {"type": kind, "message": message}}
        else:
            kind, code = {
                400: ("invalid_request_error", None),
                401: ("invalid_request_error", "invalid_api_key"),
                429: ("requests", "rate_limit_exceeded"),
            }.get(status, ("server_error", None))
            payload = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        return self._send(writer, status, payload, keep, headers)

    async def _answer(
        self,
        writer: asyncio.StreamWriter,
        behaviour: dict[str, Any],
        body: dict[str, Any],
        queued: bool,
        seq: int,
        anthropic: bool,
        keep: bool,
        *,
        partial: bool = False,
    ) -> bool:
        messages = body["messages"]
        calls = planned_tool_calls(behaviour, body, queued, seq)
        text = None if calls else reply_text(behaviour, messages)
        model = behaviour.get("model") or body.get("model") or DEFAULT_MODELS[0]
        usage_in = prompt_tokens(body)
        usage_out = count_tokens(text) if text else sum(count_tokens(c["arguments"]) for c in calls)
        finish = behaviour.get("finish_reason")
        builder = AnthropicReply if anthropic else OpenAIReply
        reply = builder(seq, model, text, calls, finish, usage_in, usage_out)
        if text is not None and behaviour.get("deltas"):
            reply.pieces = list(behaviour["deltas"])
        if body.get("stream"):
            return await self._stream(writer, reply, behaviour, body, keep, partial)
        payload = json_bytes(reply.message())
        if partial:
            # Announce the whole body, send half, then close: a truncated response.
            self.state.responses["partial"] += 1
            writer.write(
                build_response(
                    200, payload[: len(payload) // 2], content_length=len(payload), keep_alive=keep
                )
            )
            await writer.drain()
            return False
        self.state.responses["200"] += 1
        cookie = behaviour.get("set_cookie")
        headers = {"Set-Cookie": str(cookie)} if cookie else None
        writer.write(build_response(200, payload, headers=headers, keep_alive=keep))
        return True

    async def _stream(
        self,
        writer: asyncio.StreamWriter,
        reply: OpenAIReply | AnthropicReply,
        behaviour: dict[str, Any],
        body: dict[str, Any],
        keep: bool,
        partial: bool,
    ) -> bool:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        events = reply.stream_events(include_usage)
        limit = max(0, int(behaviour.get("chunks") or 0)) if partial else len(events)
        head = [
            "HTTP/1.1 200 OK",
            "Content-Type: text/event-stream",
            "Cache-Control: no-cache",
            "Transfer-Encoding: chunked",
            "Server: fakellm",
        ]
        if behaviour.get("set_cookie"):
            head.append(f"Set-Cookie: {behaviour['set_cookie']}")
        if not keep:
            head.append("Connection: close")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        chunk_delay = behaviour.get("chunk_delay") or 0
        for index, event in enumerate(events[:limit]):
            if chunk_delay and index:
                await asyncio.sleep(chunk_delay)
            writer.write(b"%x\r\n%s\r\n" % (len(event), event))
            await writer.drain()
        if partial:
            self.state.responses["partial"] += 1
            return False  # no terminating chunk: the client sees a cut stream
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        self.state.responses["200"] += 1
        return True


def embedding_inputs(body: Any) -> list[str] | None:
    """The texts of an embeddings request (a string or a list of strings), None when malformed."""
    value = body.get("input") if isinstance(body, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    return None


def embedding_vector(text: str) -> list[float]:
    """A deterministic unit-free vector of a text (the same text, the same vector)."""
    digest = hashlib.sha256(text.encode()).digest()
    return [round(byte / 255 * 2 - 1, 6) for byte in digest[:EMBEDDING_DIMENSIONS]]


def embeddings_body(body: dict[str, Any]) -> dict[str, Any]:
    texts = embedding_inputs(body) or []
    tokens = sum(count_tokens(text) for text in texts)
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": index, "embedding": embedding_vector(text)}
            for index, text in enumerate(texts)
        ],
        "model": body.get("model") or DEFAULT_MODELS[0],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _words(text: str) -> list[str]:
    """Split text into stream deltas that concatenate back to exactly the text."""
    return re.findall(r"\S+\s*|\s+", text) or [text]


@dataclass
class OpenAIReply:
    seq: int
    model: str
    text: str | None
    calls: list[dict[str, Any]]
    finish: str | None
    usage_in: int
    usage_out: int
    pieces: list[str] | None = None  # streamed content deltas (default: word by word)

    @property
    def finish_reason(self) -> str:
        return self.finish or ("tool_calls" if self.calls else "stop")

    def _usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.usage_in,
            "completion_tokens": self.usage_out,
            "total_tokens": self.usage_in + self.usage_out,
        }

    def _calls(self, with_index: bool = False) -> list[dict[str, Any]]:
        return [
            {
                **({"index": i} if with_index else {}),
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": c["arguments"]},
            }
            for i, c in enumerate(self.calls)
        ]

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": self.text}
        if self.calls:
            message["tool_calls"] = self._calls()
        return {
            "id": f"chatcmpl-fake{self.seq}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": self.finish_reason}],
            "usage": self._usage(),
        }

    def stream_events(self, include_usage: bool) -> list[bytes]:
        base = {
            "id": f"chatcmpl-fake{self.seq}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            data = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if include_usage:
                data["usage"] = None
            return b"data: " + json_bytes(data) + b"\n\n"

        events = [chunk({"role": "assistant", "content": "" if self.text is not None else None})]
        if self.calls:
            events.append(chunk({"tool_calls": self._calls(with_index=True)}))
        else:
            pieces = self.pieces or _words(self.text or "")
            events.extend(chunk({"content": piece}) for piece in pieces)
        events.append(chunk({}, self.finish_reason))
        if include_usage:
            usage = {**base, "choices": [], "usage": self._usage()}
            events.append(b"data: " + json_bytes(usage) + b"\n\n")
        events.append(b"data: [DONE]\n\n")
        return events


@dataclass
class AnthropicReply(OpenAIReply):
    @property
    def finish_reason(self) -> str:
        return self.finish or ("tool_use" if self.calls else "end_turn")

    def _blocks(self) -> list[dict[str, Any]]:
        if not self.calls:
            return [{"type": "text", "text": self.text or ""}]
        blocks = []
        for call in self.calls:
            try:
                arguments = json.loads(call["arguments"])
            except ValueError:
                arguments = {"_raw": call["arguments"]}
            blocks.append(
                {"type": "tool_use", "id": call["id"], "name": call["name"], "input": arguments}
            )
        return blocks

    def _head(self, content: list[Any], usage_out: int) -> dict[str, Any]:
        return {
            "id": f"msg_fake{self.seq}",
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": content,
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": self.usage_in, "output_tokens": usage_out},
        }

    def message(self) -> dict[str, Any]:
        message = self._head(self._blocks(), self.usage_out)
        message["stop_reason"] = self.finish_reason
        return message

    def stream_events(self, include_usage: bool) -> list[bytes]:
        def event(kind: str, data: dict[str, Any]) -> bytes:
            return b"event: %s\ndata: %s\n\n" % (kind.encode(), json_bytes({"type": kind, **data}))

        events = [event("message_start", {"message": self._head([], 1)})]
        for index, block in enumerate(self._blocks()):
            if block["type"] == "text":
                events.append(
                    event(
                        "content_block_start",
                        {"index": index, "content_block": {"type": "text", "text": ""}},
                    )
                )
                for piece in _words(block["text"]):
                    delta = {"type": "text_delta", "text": piece}
                    events.append(event("content_block_delta", {"index": index, "delta": delta}))
            else:
                start = {**block, "input": {}}
                events.append(
                    event("content_block_start", {"index": index, "content_block": start})
                )
                delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
                events.append(event("content_block_delta", {"index": index, "delta": delta}))
            events.append(event("content_block_stop", {"index": index}))
        events.append(
            event(
                "message_delta",
                {
                    "delta": {"stop_reason": self.finish_reason, "stop_sequence": None},
                    "usage": {"output_tokens": self.usage_out},
                },
            )
        )
        events.append(event("message_stop", {}))
        return events


async def serve(
    host: str,
    port: int,
    *,
    verbose: bool = False,
    initial: dict[str, Any] | None = None,
    ready: Any = None,
) -> None:
    """Run until cancelled. ``ready(port)`` is called once the socket listens."""
    app = FakeLLMServer(verbose=verbose)
    if initial:
        app.state.control(initial)
    server = await asyncio.start_server(
        app.handle_connection, host, port, backlog=2048, limit=MAX_HEADER_BYTES
    )
    bound_port = server.sockets[0].getsockname()[1]
    if ready is not None:
        ready(bound_port)
    async with server:
        await server.serve_forever()
