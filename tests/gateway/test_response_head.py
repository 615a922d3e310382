"""A response's head leaves with the start of its body (``agenthub.http_protocol``): one write
where uvicorn makes two, never a head held back behind a body that is not ready, never out of
order with what the connection says next."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from agenthub.http_protocol import _HeadWithBody

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default=None):
        return ("127.0.0.1", 1) if name == "peername" else default


def test_the_head_and_the_first_body_leave_in_one_write() -> None:
    async def scenario() -> list[bytes]:
        transport = RecordingTransport()
        held = _HeadWithBody(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
        held.write(HEAD)
        assert transport.writes == []
        held.write(b"ok")
        held.write(b"more")
        await asyncio.sleep(0)  # the release scheduled for the head finds nothing left
        return transport.writes

    assert asyncio.run(scenario()) == [HEAD + b"ok", b"more"]


def test_a_head_without_a_body_in_the_same_step_leaves_on_the_next_turn() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes]]:
        transport = RecordingTransport()
        held = _HeadWithBody(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
        held.write(HEAD)
        before = list(transport.writes)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        held.write(b"ok")
        return before, transport.writes

    before, after = asyncio.run(scenario())
    assert before == []
    assert after == [HEAD, b"ok"]


def test_close_sends_a_held_head_first_and_other_calls_reach_the_transport() -> None:
    async def scenario() -> RecordingTransport:
        transport = RecordingTransport()
        held = _HeadWithBody(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
        held.write(HEAD)
        assert held.get_extra_info("peername") == ("127.0.0.1", 1)
        held.close()
        assert held.is_closing()
        return transport

    transport = asyncio.run(scenario())
    assert transport.writes == [HEAD]
    assert transport.closed


# --- against the real front door -------------------------------------------------------------

pytestmark_live = pytest.mark.django_db(transaction=True)


def _port(live_gateway) -> int:
    return int(live_gateway.url.rsplit(":", 1)[1])


@pytest.fixture
def slow_body_app(live_gateway):
    """An application that starts its answer, then takes 0.4 s before the body."""
    front_door = live_gateway.app
    original = front_door.gateway_app

    async def slow(scope, receive, send):
        if scope["type"] != "http" or scope["path"] != "/v1/slow-body":
            await original(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(0.4)
        await send({"type": "http.response.body", "body": b"late", "more_body": False})

    front_door.gateway_app = slow
    yield
    front_door.gateway_app = original


@pytestmark_live
def test_a_head_is_not_held_behind_a_body_that_is_not_ready(live_gateway, slow_body_app) -> None:
    with socket.create_connection(("127.0.0.1", _port(live_gateway)), timeout=5) as sock:
        sock.sendall(b"GET /v1/slow-body HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        started = time.monotonic()
        first = sock.recv(65536)
        head_after = time.monotonic() - started
        rest = b""
        while b"0\r\n\r\n" not in first + rest:
            rest += sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"late" not in first  # the head came on its own, before the body existed
    assert head_after < 0.3
    assert b"4\r\nlate\r\n0\r\n\r\n" in first + rest


@pytestmark_live
def test_pipelined_answers_arrive_whole_and_in_order(live_gateway) -> None:
    request = b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: %d\r\n\r\n"
    with socket.create_connection(("127.0.0.1", _port(live_gateway)), timeout=5) as sock:
        sock.sendall(b"".join(request % n for n in range(5)))
        answer = b""
        while answer.count(b"HTTP/1.1 ") < 5 or not answer.endswith(b"}"):
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection early"
            answer += chunk
    answers = answer.split(b"HTTP/1.1 ")[1:]
    assert len(answers) == 5
    for number, one in enumerate(answers):
        assert one.startswith(b"401 Unauthorized\r\n")  # Django's answer: a head and a body
        assert b"\r\nx-request-id: %d\r\n" % number in one.lower()
        body = one.partition(b"\r\n\r\n")[2]
        assert body.startswith(b"{")
        assert body.endswith(b"}")
