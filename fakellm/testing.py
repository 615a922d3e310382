"""Run the fake upstream as a real subprocess and drive it from tests, demos and benchmarks.

    llm = start_fakellm()                 # subprocess on a free port, waits until it answers
    client = openai.OpenAI(base_url=llm.base_url, api_key="x")
    llm.set(mode="fail", status=503)      # every request from now on
    llm.set(mode="rate_limit", retry_after=7, count=2)   # only the next 2, then as before
    llm.script({"tool_calls": [{"name": "calc", "arguments": {"x": 1}}]}, {"reply": "done"})
    llm.stats()["requests"]["/v1/chat/completions"]
    llm.requests()                        # the last 100 request bodies/headers as received
    llm.reset(); llm.stop()

Behaviour keys (``fakellm.server.DEFAULT_BEHAVIOUR``): mode (ok, slow, fail, rate_limit,
invalid_json, html, error_body, hang, drop, partial_stream, garbage), delay, reply, tool_calls,
finish_reason, status, retry_after, error_message, chunks, chunk_delay, api_key, model.
``set()`` without ``count`` replaces the global behaviour; with ``count`` it queues a temporary
override merged onto the global one; ``script()`` queues one-shot steps in order.
``fail`` sends Retry-After only when ``retry_after`` is set. A "down" upstream is a port nobody
listens on: ``closed_port()``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx


def closed_port(host: str = "127.0.0.1") -> int:
    """A port on ``host`` where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class FakeLLM:
    """Handle on a running fake upstream (started here or already listening at ``url``)."""

    def __init__(self, url: str, process: subprocess.Popen[str] | None = None) -> None:
        self.url = url.rstrip("/")
        self.base_url = f"{self.url}/v1"
        self.port = int(self.url.rsplit(":", 1)[1])
        self.process = process
        self._control = httpx.Client(base_url=self.url, timeout=10)

    def set(self, **behaviour: Any) -> dict[str, Any]:
        return self._post("/_control", behaviour)

    def script(self, *steps: dict[str, Any]) -> dict[str, Any]:
        """Queue one behaviour per step for the next generation requests, in order."""
        return self._post("/_control", {"script": list(steps)})

    def reset(self) -> None:
        self._post("/_control/reset", {})

    def stats(self) -> dict[str, Any]:
        return self._get("/_control/stats")

    def requests(self) -> list[dict[str, Any]]:
        return self._get("/_control/requests")

    def _post(self, path: str, data: dict[str, Any]) -> dict[str, Any]:
        response = self._control.post(path, json=data)
        if response.status_code != 200:
            raise ValueError(f"fakellm control rejected {data!r}: {response.text}")
        return response.json()

    def _get(self, path: str) -> Any:
        response = self._control.get(path)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self._control.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> FakeLLM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _drain(stream: Any) -> None:
    for _line in stream:
        pass


def start_fakellm(port: int = 0, host: str = "127.0.0.1", *, timeout: float = 15) -> FakeLLM:
    """Start ``python -m fakellm`` in a subprocess and wait until it answers."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # Make the package importable from the subprocess regardless of the caller's cwd.
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "fakellm", "--host", host, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("fakellm listening on "):
        process.kill()
        rest = process.stdout.read()
        raise RuntimeError(f"fakellm did not start: {line}{rest}")
    # Keep draining its output (banner, --verbose lines) so a full pipe never blocks it.
    threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
    handle = FakeLLM(line.split()[-1], process)
    deadline = time.monotonic() + timeout
    while True:
        try:
            handle.stats()
            return handle
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                handle.stop()
                raise
            time.sleep(0.05)
