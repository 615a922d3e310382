"""The front door under pressure: overload is shed with a fast 503, slow bodies get a 408, a
client that leaves ends its upstream call, and an incoherent process model refuses to start.
Against the real front door (uvicorn) and the fakellm upstream."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fakellm.testing import closed_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CHAT = {"model": "fake", "messages": [{"role": "user", "content": "Tell me a story"}]}


def _headers(key) -> dict[str, str]:
    return {"Authorization": f"Bearer {key.plaintext}"}


def _chat(live_gateway, key) -> httpx.Response:
    return httpx.post(
        f"{live_gateway.url}/v1/chat/completions", json=CHAT, headers=_headers(key), timeout=5
    )


@contextlib.contextmanager
def _slow_body_client(live_gateway) -> Iterator[socket.socket]:
    """A connection that sent its headers and the start of a 200-byte body, then nothing."""
    port = int(live_gateway.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
        slow.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 200\r\n\r\n{"messages": '
        )
        yield slow


def test_over_the_inflight_cap_is_a_fast_503_with_retry_after(live_gateway, upstream, tenant_key):
    live_gateway.app.max_inflight = 3
    upstream.set(mode="slow", delay=2)
    url = f"{live_gateway.url}/v1/chat/completions"

    async def scenario():
        async with httpx.AsyncClient(timeout=10, headers=_headers(tenant_key)) as client:
            held = [asyncio.create_task(client.post(url, json=CHAT)) for _ in range(3)]
            await asyncio.sleep(0.5)  # the three are in flight, waiting on the upstream
            started = time.monotonic()
            refused = await client.post(url, json=CHAT)
            refused_after = time.monotonic() - started
            health = await client.get(f"{live_gateway.url}/health")
            served = await asyncio.gather(*held)
            return refused, refused_after, health, served

    refused, refused_after, health, served = asyncio.run(scenario())
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["error"]["code"] == "overloaded"
    assert refused_after < 0.5
    assert health.status_code == 200  # /health is never shed
    assert [r.status_code for r in served] == [200, 200, 200]
    # Capacity comes back as soon as requests finish.
    upstream.set(mode="ok")
    again = httpx.post(url, json=CHAT, headers=_headers(tenant_key), timeout=10)
    assert again.status_code == 200


def test_a_request_that_waited_too_long_for_the_event_loop_is_a_fast_503(
    live_gateway, upstream, tenant_key
):
    """The server notes when a request's headers were parsed; a request that then waited longer
    than GATEWAY_MAX_QUEUE_DELAY for the loop is refused before any work (here every request
    waits longer than the tiny limit), and served again once the limit is off."""
    url = f"{live_gateway.url}/v1/chat/completions"
    live_gateway.app.max_queue_delay = 1e-9
    refused = httpx.post(url, json=CHAT, headers=_headers(tenant_key), timeout=10)
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "overloaded"
    assert refused.headers["Retry-After"] == "1"
    assert upstream.stats()["requests"].get("/v1/chat/completions", 0) == 0
    live_gateway.app.max_queue_delay = 0
    assert httpx.post(url, json=CHAT, headers=_headers(tenant_key), timeout=10).status_code == 200


def test_a_client_still_sending_its_body_holds_no_slot_of_the_cap(
    live_gateway, upstream, tenant_key
):
    live_gateway.app.max_inflight = 1
    with _slow_body_client(live_gateway):
        time.sleep(0.2)  # the slow body is being read
        assert _chat(live_gateway, tenant_key).status_code == 200


def test_a_slow_body_gets_408_and_does_not_hold_others(live_gateway, upstream, tenant_key):
    live_gateway.app.body_timeout = 0.5
    with _slow_body_client(live_gateway) as slow:
        assert _chat(live_gateway, tenant_key).status_code == 200
        started = time.monotonic()
        answer = b""
        while chunk := slow.recv(4096):  # the server closes the connection after the 408
            answer += chunk
        assert time.monotonic() - started < 1.5
        answer = answer.decode()
    assert answer.startswith("HTTP/1.1 408")
    assert '"request_timeout"' in answer


def test_client_disconnect_ends_the_upstream_stream_within_a_second(
    live_gateway, upstream, tenant_key
):
    upstream.set(reply="word " * 200, chunks=200, chunk_delay=0.05)
    url = f"{live_gateway.url}/v1/chat/completions"
    with (
        httpx.Client(timeout=10, headers=_headers(tenant_key)) as client,
        client.stream("POST", url, json={**CHAT, "stream": True}) as response,
    ):
        assert response.status_code == 200
        for line in response.iter_lines():
            if '"content":"' in line and '"content":""' not in line:
                break
        assert upstream.stats()["in_flight"] == 1
    left = time.monotonic()
    while upstream.stats()["in_flight"]:
        assert time.monotonic() - left < 1.0, "the upstream call outlived its client"
        time.sleep(0.02)


def _server(env: dict[str, str], port: int) -> subprocess.Popen:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS"))}
    return subprocess.Popen(
        [sys.executable, "-m", "agenthub.server"],
        cwd=ROOT,
        env={**base, "DJANGO_ENV": "development", "BIND": f"127.0.0.1:{port}", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_more_than_one_process_without_redis_refuses_to_start():
    process = _server({"WEB_CONCURRENCY": "3"}, closed_port())
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "refusing to start" in output
    assert "REDIS_URL" in output


def test_without_the_database_requests_that_need_it_are_fast_503s(tmp_path):
    """PostgreSQL down from the start: /health answers, a key lookup is a 503
    service_unavailable with Retry-After within a second, never a 500."""
    pytest.importorskip("psycopg")
    port = closed_port()
    process = _server(
        {
            "DATABASE_URL": f"postgres://nobody@127.0.0.1:{closed_port()}/none",
            "SECURITY_AUDIT_SPOOL_DIR": str(tmp_path),
        },
        port,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.2)
        started = time.monotonic()
        response = httpx.post(
            f"{url}/v1/chat/completions",
            json=CHAT,
            headers={"Authorization": "Bearer ah_0123456789ab_" + "x" * 43},
            timeout=5,
        )
        assert time.monotonic() - started < 1.5
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "service_unavailable"
        assert response.headers["Retry-After"] == "1"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_saturated_event_loop_sheds_new_requests(live_gateway, upstream, tenant_key):
    """The loop measures how late it runs; past GATEWAY_MAX_LOOP_LAG new /v1 requests are
    refused at once, whatever the in-flight count (here: the lag of a loop the test blocks)."""
    url = f"{live_gateway.url}/v1/chat/completions"
    assert httpx.post(url, json=CHAT, headers=_headers(tenant_key), timeout=10).status_code == 200
    live_gateway.app.max_lag = 0.2
    loop_blocked = threading.Event()

    async def block_the_loop() -> None:
        loop_blocked.set()
        time.sleep(0.6)  # CPU-bound work the loop cannot interleave

    future = asyncio.run_coroutine_threadsafe(
        block_the_loop(), live_gateway.app._heartbeat.get_loop()
    )
    loop_blocked.wait(5)
    future.result(5)
    time.sleep(0.05)  # the heartbeat wakes late: new requests are shed for a second
    refused = httpx.post(url, json=CHAT, headers=_headers(tenant_key), timeout=10)
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "overloaded"
    assert refused.headers["Retry-After"] == "1"
    time.sleep(1.2)  # heartbeats on time again: the shedding ends
    assert httpx.post(url, json=CHAT, headers=_headers(tenant_key), timeout=10).status_code == 200
