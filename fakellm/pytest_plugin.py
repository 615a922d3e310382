"""pytest fixtures that start the fake upstream as a real server in a subprocess.

``fakellm_server`` (session): one ``python -m fakellm`` per test session.
``fakellm`` (function): the same server, reset before each test (behaviour, queue, counters).
``fakellm_factory`` (function): ``fakellm_factory()`` starts another, independent server (e.g. a
primary and a fallback upstream in one test); all are stopped when the test ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from fakellm.testing import FakeLLM, start_fakellm


@pytest.fixture(scope="session")
def fakellm_server() -> Iterator[FakeLLM]:
    server = start_fakellm()
    yield server
    server.stop()


@pytest.fixture
def fakellm(fakellm_server: FakeLLM) -> FakeLLM:
    fakellm_server.reset()
    return fakellm_server


@pytest.fixture
def fakellm_factory() -> Iterator[Callable[[], FakeLLM]]:
    started: list[FakeLLM] = []

    def start() -> FakeLLM:
        server = start_fakellm()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
