"""What a server process does before it accepts: the request path warmed, and the processes of
one server waiting for each other."""

from __future__ import annotations

import asyncio
import logging
import os
import time

import pytest

from apps.gateway import startup


@pytest.mark.django_db
def test_warming_builds_the_request_path_and_names_what_it_built(upstream):
    warmed = startup.warm_request_path()
    assert {"guard", "redactor", "stream redactor", "pii"} <= set(warmed)
    assert "providers" in " ".join(warmed)  # the live caches, by namespace


def test_processes_wait_until_every_one_is_warm(tmp_path, monkeypatch):
    monkeypatch.setenv(startup.BARRIER_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(startup.BARRIER_PROCESSES_ENV, "2")

    async def scenario() -> tuple[int, float]:
        async def sibling_warms_later() -> None:
            await asyncio.sleep(0.3)
            (tmp_path / "sibling").touch()

        started = time.monotonic()
        sibling = asyncio.create_task(sibling_warms_later())
        ready = await startup.wait_for_sibling_processes(timeout=10)
        await sibling
        return ready, time.monotonic() - started

    ready, waited = asyncio.run(scenario())
    assert ready == 2
    assert 0.25 <= waited < 5
    assert (tmp_path / str(os.getpid())).exists()


def test_a_process_serves_anyway_when_a_sibling_never_warms(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(startup.BARRIER_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(startup.BARRIER_PROCESSES_ENV, "3")
    with caplog.at_level(logging.WARNING, logger="apps.gateway.startup"):
        ready = asyncio.run(startup.wait_for_sibling_processes(timeout=0.2))
    assert ready == 1
    assert "1 of 3 server processes warm" in caplog.text


def test_one_process_does_not_wait(monkeypatch):
    monkeypatch.delenv(startup.BARRIER_DIR_ENV, raising=False)
    started = time.monotonic()
    assert asyncio.run(startup.wait_for_sibling_processes(timeout=10)) == 1
    assert time.monotonic() - started < 0.1


def test_settling_the_heap_freezes_start_up_objects_and_raises_the_young_threshold():
    import gc

    before = gc.get_threshold()
    built_at_start_up = [object() for _ in range(10)]  # noqa: F841 (alive across the call)
    try:
        frozen = startup.settle_heap(young_threshold=12_345)
        # (the count can only drop afterwards: a frozen object another thread frees leaves it)
        assert frozen > 0
        assert 0 < gc.get_freeze_count() <= frozen
        assert gc.get_threshold() == (12_345, before[1], before[2])
        startup.settle_heap(young_threshold=0)  # 0: the interpreter's threshold is kept
        assert gc.get_threshold()[0] == 12_345
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
