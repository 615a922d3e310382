"""``make run`` with no Redis, in a real browser: the production server (``python -m
agenthub.server``, uvicorn) serves from one process, so an operator's breaker reset in the
console is the state every later page shows (issue #12: "a breaker reset in the console sticks
across 10 reloads"). And asked for two processes without Redis, it refuses to start.

The server runs as ``make run`` runs it (migrate, bootstrap, then the server with
``WEB_CONCURRENCY=1``), on a throwaway SQLite file, not on the test database: its breakers live
in its own process, which is the point.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from apps.providers.selectors import BUILTIN_OFFLINE_NAME
from tests.browser.conftest import screenshot
from tests.faults.harness import ROOT, manage, web_server
from tests.live_instance import embedded_env, free_port

pytestmark = [pytest.mark.slow]

PORTS = range(19400, 19500)  # this test's own range on a shared machine
RELOADS = 10


@dataclass(frozen=True)
class MakeRun:
    env: dict[str, str]
    url: str
    username: str
    password: str


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[MakeRun]:
    """``make run``'s steps: migrate, bootstrap (its printed admin login), then the server."""
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    printed = manage(
        env, "bootstrap", "--legacy-credentials-file", str(tmp_path / "no-legacy-credentials")
    )
    login = re.search(r"Admin login:\s+(\S+) / (\S+)", printed)
    assert login, f"bootstrap printed no admin login:\n{printed}"
    # web_server: python -m agenthub.server, WEB_CONCURRENCY=1, its own process group, stopped
    # (SIGTERM, then SIGKILL to the group) when the test ends, passed or not.
    with web_server(env, free_port(PORTS), tmp_path / "server.log") as url:
        yield MakeRun(env=env, url=url, username=login[1], password=login[2])


def _breaker_action(page, provider_id: str, action: str, done: str) -> None:
    page.goto("/admin/providers/provider/")
    page.check(f"input[name=_selected_action][value='{provider_id}']")
    page.select_option("select[name=action]", action)
    with page.expect_navigation():
        page.click("button[name=index]")
    assert f"{done} 1 breaker." in page.inner_text(".messagelist")


def _live_state(page) -> str:
    # "CLOSED · 0 failures / 0 calls in window · ..." on the provider's page
    return page.inner_text(".field-breaker_live .readonly").split("·")[0].strip()


def test_make_run_without_redis_a_console_breaker_reset_sticks_across_reloads(browser, make_run):
    context = browser.new_context(base_url=make_run.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto("/admin/login/")
        page.fill("#id_username", make_run.username)
        page.fill("#id_password", make_run.password)
        with page.expect_navigation():
            page.click("input[type=submit]")
        assert page.is_visible("#dashboard")

        page.goto("/admin/providers/provider/")
        row = page.locator("#result_list tbody tr", has_text=BUILTIN_OFFLINE_NAME)
        provider_id = row.locator("input[name=_selected_action]").get_attribute("value")
        change_url = f"/admin/providers/provider/{provider_id}/change/"

        _breaker_action(page, provider_id, "force_open_breakers", "Forced open")
        assert "FORCED OPEN" in row.inner_text()
        for _ in range(3):  # the server keeps the state: not a page that always says "closed"
            page.goto(change_url)
            assert _live_state(page) == "FORCED OPEN"
        screenshot(page, "make-run-breaker-forced-open")

        _breaker_action(page, provider_id, "reset_breakers", "Reset")
        assert "CLOSED" in row.inner_text()
        page.goto(change_url)
        states = [_live_state(page)]
        for _ in range(RELOADS):
            page.reload()
            states.append(_live_state(page))
        assert states == ["CLOSED"] * (RELOADS + 1)
        screenshot(page, "make-run-breaker-reset-after-reloads")
    finally:
        context.close()


def test_make_run_with_two_processes_and_no_redis_refuses_to_start(tmp_path):
    env = {
        **embedded_env(tmp_path),
        "WEB_CONCURRENCY": "2",
        "BIND": f"127.0.0.1:{free_port(PORTS)}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "agenthub.server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:  # it started serving after all: stop it and its workers
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    assert process.returncode == 2, output
    assert "refusing to start" in output
    assert "WEB_CONCURRENCY=2 asks for 2 server processes, but REDIS_URL is not set" in output
