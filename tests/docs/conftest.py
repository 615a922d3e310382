"""A live instance for the docs test: ``make run`` itself on a private SQLite file, and the fake
upstream for the commands that need a real OpenAI-compatible provider. One of each per session;
the ports are this folder's own range."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakellm.testing import FakeLLM, start_fakellm
from tests.live_instance import MakeRun, free_port, make_run

PORTS = range(18150, 18160)


@pytest.fixture(scope="session")
def docs_fake_upstream() -> Iterator[FakeLLM]:
    server = start_fakellm(port=free_port(PORTS))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def docs_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeRun]:
    with make_run(tmp_path_factory.mktemp("docs-instance"), free_port(PORTS)) as instance:
        assert instance.demo_key, f"make run printed no demo key:\n{instance.output}"
        yield instance
