"""Request starts paced per turn of the event loop (apps.gateway.pacing), and the front door's
use of it: first come first started, a bounded number per turn, the queue delay still shed."""

from __future__ import annotations

import asyncio
import json
import time

from apps.gateway.asgi import FrontDoor
from apps.gateway.pacing import StartPacer
from apps.gateway.startup import RECEIVED_AT


async def _count_turns(turns: list[int], stop: asyncio.Event) -> None:
    """Counts the loop's turns: one call_soon chain link per turn."""
    loop = asyncio.get_running_loop()

    def tick() -> None:
        turns[0] += 1
        if not stop.is_set():
            loop.call_soon(tick)

    loop.call_soon(tick)


def test_at_most_per_turn_callers_start_per_turn_in_arrival_order():
    async def scenario() -> list[tuple[int, int]]:
        pacer = StartPacer(per_turn=2)
        turns, stop, started = [0], asyncio.Event(), []
        await _count_turns(turns, stop)

        async def request(number: int) -> None:
            await pacer.turn()
            started.append((number, turns[0]))

        await asyncio.gather(*(request(n) for n in range(7)))
        stop.set()
        return started

    started = asyncio.run(scenario())
    assert [number for number, _turn in started] == list(range(7))
    per_turn: dict[int, int] = {}
    for _number, turn in started:
        per_turn[turn] = per_turn.get(turn, 0) + 1
    assert max(per_turn.values()) == 2
    assert len(per_turn) == 4  # 7 starts at 2 a turn


def test_a_caller_that_leaves_while_waiting_takes_no_start():
    async def scenario() -> list[str]:
        pacer = StartPacer(per_turn=1)
        started: list[str] = []

        async def request(name: str) -> None:
            await pacer.turn()
            started.append(name)

        first = asyncio.create_task(request("first"))
        gone = asyncio.create_task(request("gone"))
        last = asyncio.create_task(request("last"))
        await asyncio.sleep(0)  # all three asked; only "first" went through
        gone.cancel()
        await asyncio.gather(first, last, return_exceptions=True)
        assert pacer.waiting == 0
        return started

    assert asyncio.run(scenario()) == ["first", "last"]


def test_zero_per_turn_lets_every_caller_through_at_once():
    async def scenario() -> int:
        pacer = StartPacer(per_turn=0)
        turns, stop = [0], asyncio.Event()
        await _count_turns(turns, stop)
        before = turns[0]
        for _ in range(100):
            await pacer.turn()
        stop.set()
        return turns[0] - before

    assert asyncio.run(scenario()) == 0


def test_relays_go_on_at_once_within_the_turn_budget():
    async def scenario() -> tuple[list[bool], int]:
        pacer = StartPacer(per_turn=2, relays_per_turn=3)
        allowed = [pacer.may_relay() for _ in range(5)]
        await asyncio.sleep(0)  # a later turn: a new budget
        return allowed, sum(pacer.may_relay() for _ in range(5))

    allowed, next_turn = asyncio.run(scenario())
    assert allowed == [True, True, True, False, False]
    assert next_turn == 3


async def _relay(pacer: StartPacer, name: str, turns: list[int], order: list) -> None:
    if not pacer.may_relay():
        await pacer.relay_turn()
    order.append((name, turns[0]))


def test_relays_over_the_budget_resume_a_few_per_turn_in_order():
    """Ten streams' chunks arrive in one turn: three go on, the others resume three a turn in
    the order they came."""

    async def scenario() -> list[tuple[str, int]]:
        pacer = StartPacer(per_turn=2, relays_per_turn=3)
        turns, stop, order = [0], asyncio.Event(), []
        await _count_turns(turns, stop)
        await asyncio.gather(*(_relay(pacer, f"r{n}", turns, order) for n in range(10)))
        stop.set()
        assert pacer.relays_waiting == 0
        return order

    order = asyncio.run(scenario())
    assert [name for name, _ in order] == [f"r{n}" for n in range(10)]
    per_turn: dict[int, int] = {}
    for _name, turn in order:
        per_turn[turn] = per_turn.get(turn, 0) + 1
    assert sorted(per_turn.values()) == [1, 3, 3, 3]


def test_no_relay_goes_on_while_starts_wait_but_waiting_relays_still_resume():
    async def scenario() -> list[tuple[str, int]]:
        pacer = StartPacer(per_turn=1, relays_per_turn=2)
        turns, stop, order = [0], asyncio.Event(), []
        await _count_turns(turns, stop)

        async def start(number: int) -> None:
            await pacer.turn()
            order.append((f"start{number}", turns[0]))

        starts = [asyncio.create_task(start(n)) for n in range(4)]
        await asyncio.sleep(0)  # one went through; three wait for their turn
        assert pacer.waiting == 3
        assert not pacer.may_relay()
        await asyncio.gather(*starts, *(_relay(pacer, f"r{n}", turns, order) for n in range(4)))
        stop.set()
        return order

    order = asyncio.run(scenario())
    relays = [turn for name, turn in order if name.startswith("r")]
    last_start = max(turn for name, turn in order if name.startswith("start"))
    assert len(relays) == 4
    assert min(relays) <= last_start  # they did not wait for the whole queue of starts


def test_a_relay_that_leaves_while_waiting_is_skipped():
    async def scenario() -> list[str]:
        pacer = StartPacer(per_turn=1, relays_per_turn=1)
        resumed: list[str] = []

        async def relay(name: str) -> None:
            await pacer.relay_turn()
            resumed.append(name)

        gone = asyncio.create_task(relay("gone"))
        last = asyncio.create_task(relay("last"))
        await asyncio.sleep(0)
        assert pacer.relays_waiting == 2
        gone.cancel()
        await asyncio.gather(last, gone, return_exceptions=True)
        assert pacer.relays_waiting == 0
        return resumed

    assert asyncio.run(scenario()) == ["last"]


def _request(path: str = "/v1/chat/completions") -> tuple[dict, object]:
    scope = {"type": "http", "path": path, "headers": [], RECEIVED_AT: time.monotonic()}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    return scope, receive


def test_a_request_whose_turn_comes_after_the_queue_delay_is_a_fast_503(settings):
    """Three requests arrive together, one start per turn, and each start keeps the loop busy
    longer than the queue delay: the first is served, the two whose turn came too late are
    refused with 503 overloaded + Retry-After, without reaching the gateway."""
    settings.GATEWAY_STARTS_PER_TURN = 1
    settings.GATEWAY_MAX_QUEUE_DELAY = 0.05
    reached: list[int] = []

    async def busy_gateway(scope, receive, send) -> None:
        reached.append(1)
        await asyncio.sleep(0)  # its first wait (the others are queued at the pacer by now)
        time.sleep(0.1)  # then a start's CPU: the loop cannot turn meanwhile
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def scenario() -> list[tuple[int, dict, bytes]]:
        door = FrontDoor(django_app=None, gateway_app=busy_gateway)
        answers: list[tuple[int, dict, bytes]] = []

        async def one() -> None:
            scope, receive = _request()
            sent: list[dict] = []

            async def send(message: dict) -> None:
                sent.append(message)

            await door(scope, receive, send)
            headers = {k.decode(): v.decode() for k, v in sent[0].get("headers", [])}
            answers.append((sent[0]["status"], headers, sent[1]["body"]))

        await asyncio.gather(*(one() for _ in range(3)))
        assert door.inflight == 0
        return answers

    answers = asyncio.run(scenario())
    assert len(reached) == 1
    assert sorted(status for status, _h, _b in answers) == [200, 503, 503]
    for status, headers, body in answers:
        if status == 503:
            assert headers["retry-after"] == "1"
            assert json.loads(body)["error"]["code"] == "overloaded"
