"""The relay of a stream, piece by piece: content events encoded once per stream around their
text are the bytes the generic encoder writes, and the gateway's ASGI handler sends an event
stream's events as they come and closes it when the client's side stops."""

from __future__ import annotations

import asyncio
import json

import pytest

from apps.gateway.asgi import GatewayHandler
from apps.gateway.responses import LAST_EVENT, EventStreamResponse
from apps.gateway.services import _chunk, _content_chunks, _sse_events
from apps.providers.types import Completion, StreamDelta, Usage
from apps.security.pii.masking import Vault
from apps.security.services.redaction import current_redactor

TEXTS = [
    "",
    " word1 word2",
    'quotes " and \\ backslashes',
    "lines\nand\ttabs\r\x00\x1f controls",
    "accents é ü, CJK 漢字, emoji 🦜",
    "a lone surrogate \ud800 as the upstream's JSON may carry",
    "</script> & <b>",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("model", ["", "gpt-4o-mini", 'odd "model"\n'])
def test_content_events_are_the_bytes_of_the_generic_encoder(text, model):
    content = _content_chunks("chatcmpl-abc", 1_700_000_000, model)
    assert content(text) == _chunk("chatcmpl-abc", 1_700_000_000, model, {"content": text})
    assert json.loads(content(text)[6:])["choices"][0]["delta"] == {"content": text}


class _Events:
    """An event stream that records whether it was closed."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.closed = False

    async def events(self):
        try:
            for number in range(self.count):
                yield b"data: %d\n\n" % number
        finally:
            self.closed = True


def _response(source: _Events) -> EventStreamResponse:
    return EventStreamResponse(source.events(), headers={"X-AgentHub-Provider": "fake"})


def test_each_event_is_one_body_message_then_the_end():
    source, sent = _Events(3), []

    async def send(message):
        sent.append(message)

    asyncio.run(GatewayHandler().send_response(_response(source), send))

    start, *bodies = sent
    assert start["status"] == 200
    headers = dict(start["headers"])
    assert headers[b"Content-Type"] == b"text/event-stream"
    assert headers[b"Cache-Control"] == b"no-cache"
    assert headers[b"X-AgentHub-Provider"] == b"fake"
    assert bodies == [
        {"type": "http.response.body", "body": b"data: 0\n\n", "more_body": True},
        {"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True},
        {"type": "http.response.body", "body": b"data: 2\n\n", "more_body": True},
        {"type": "http.response.body"},
    ]
    assert source.closed


def _chat_events(rest, *, include_usage: bool = False):
    """A chat stream's events: the first delta ("one ") already in, then ``rest``. Call
    ``current_redactor()`` before the event loop runs (the server's start-up builds it: it reads
    the secret rules from the database)."""
    return _sse_events(
        StreamDelta(text="one ", provider="fake"),
        rest,
        "chatcmpl-x",
        1,
        include_usage=include_usage,
        vault=Vault(),
    )


def test_the_write_with_a_chat_streams_last_event_ends_the_response():
    """A chat stream's last write carries ``data: [DONE]``: it ends the response itself (no
    separate empty message), and the generator still runs to its end."""
    finished = []

    async def events():
        yield b"data: 0\n\n"
        yield b"data: {}\n\n" + LAST_EVENT
        finished.append(True)

    sent = []

    async def send(message):
        sent.append(message)

    response = EventStreamResponse(events(), headers={})
    asyncio.run(GatewayHandler().send_response(response, send))
    assert sent[1:] == [
        {"type": "http.response.body", "body": b"data: 0\n\n", "more_body": True},
        {"type": "http.response.body", "body": b"data: {}\n\n" + LAST_EVENT, "more_body": False},
    ]
    assert finished == [True]


@pytest.mark.django_db
def test_a_chat_stream_writes_the_role_with_the_first_content_and_the_end_at_once():
    """Three upstream deltas: the role event leaves with the first content (one write), each
    later delta is a write of its own, and the finish event, usage and [DONE] are one write."""

    async def upstream():
        yield StreamDelta(text="two ")
        yield StreamDelta(text="three")
        yield Completion(
            text="one two three",
            tool_calls=(),
            finish_reason="stop",
            provider="fake",
            model="m",
            usage=Usage(prompt_tokens=1, completion_tokens=3, total_tokens=4),
            latency_ms=1.0,
        )

    async def collect() -> list[bytes]:
        return [event async for event in _chat_events(upstream(), include_usage=True)]

    current_redactor()
    writes = asyncio.run(collect())
    parsed = [
        [json.loads(line[6:]) for line in write.split(b"\n\n") if line and line != b"data: [DONE]"]
        for write in writes
    ]
    assert parsed[0][0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert parsed[0][1]["choices"][0]["delta"] == {"content": "one "}
    assert len(parsed[0]) == 2
    text = "".join(
        event["choices"][0]["delta"].get("content", "")
        for write in parsed
        for event in write
        if event["choices"]
    )
    assert text == "one two three"
    assert writes[-1].endswith(LAST_EVENT)
    last = parsed[-1]
    assert last[-2]["choices"][0]["finish_reason"] == "stop"
    assert last[-1]["usage"]["total_tokens"] == 4
    assert all(not write.endswith(LAST_EVENT) for write in writes[:-1])


@pytest.mark.django_db
@pytest.mark.parametrize(("relays_per_turn", "turns_used"), [(1, 4), (100, 1)])
def test_a_flowing_stream_relays_within_the_turn_budget(relays_per_turn, turns_used):
    """Four deltas ready at once after the first content: with a budget of one relay a turn
    they leave over four turns (the stream waits at the pacer in between); with a budget to
    spare, in the turn they came. The first content itself never waits."""
    from apps.gateway import pacing
    from apps.gateway.pacing import StartPacer

    async def scenario() -> list[tuple[int, bytes]]:
        pacing.install(StartPacer(per_turn=1, relays_per_turn=relays_per_turn))
        turns = [0]
        loop = asyncio.get_running_loop()

        def tick() -> None:
            turns[0] += 1
            loop.call_soon(tick)

        async def upstream():
            for word in ("two ", "three ", "four ", "five "):
                yield StreamDelta(text=word)

        events = _chat_events(upstream())
        loop.call_soon(tick)
        try:
            return [(turns[0], event) async for event in events]
        finally:
            pacing.install(None)

    current_redactor()
    sent = asyncio.run(scenario())
    contents = [
        json.loads(line[6:])["choices"][0]["delta"].get("content")
        for _turn, event in sent
        for line in event.split(b"\n\n")
        if line.startswith(b"data: {")
    ]
    assert "".join(c for c in contents if c) == "one two three four five "
    content_turns = {turn for turn, event in sent[1:5]}
    assert len(content_turns) == turns_used
    assert sent[0][0] == 0  # role + first content: before any turn passed


def test_the_stream_is_closed_when_sending_stops_midway():
    """The client left (the request's task is cancelled while an event is being sent): the
    event stream is closed, which ends its upstream call."""
    source, sent = _Events(10), []

    async def send(message):
        sent.append(message)
        if len(sent) == 3:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(GatewayHandler().send_response(_response(source), send))
    assert source.closed
    assert len(sent) == 3


def test_an_event_stream_is_still_an_ordinary_streaming_response():
    """Outside the gateway's handler (the test client, ``runserver``) Django streams it."""
    source = _Events(2)

    async def read() -> bytes:
        return b"".join([part async for part in _response(source).streaming_content])

    assert asyncio.run(read()) == b"data: 0\n\ndata: 1\n\n"
