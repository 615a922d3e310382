"""Runs a page's commands, in page order, against a live instance, the way a reader pastes them
into a shell where the venv is active, in the repository root.

What the reader fills in, the runner fills in (and nothing else is changed):
- the addresses the pages use: ``127.0.0.1:8000`` (``make run``'s default) is the instance the
  test started, ``127.0.0.1:9100`` (``make fake-llm``'s) the fake upstream it started;
- the demo key placeholders ``ah_...`` / ``ah_xxxxxxxxxxxx_...`` are the key ``make run``
  printed;
- ``<id>`` and ``<job id>`` are the ``id`` of the previous command's JSON answer.
A ``<placeholder>`` it does not know fails the command.

Every command must exit 0. ``curl`` (and ``open``, which a terminal without a desktop cannot
do: it is fetched with curl, following redirects) reports its HTTP status; it must be 2xx, or the
status the page documents (``# → 400 {...}``), and the JSON answer must have the documented
shape (tests/docs/expected.py). Variables a command sets (``export AH=...``, ``KEY=ah_...``)
carry over to the page's later commands.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.docs.expected import mismatch, parse
from tests.docs.extract import ASSIGNMENT, ROOT, Command
from tests.live_instance import MakeRun

COMMAND_TIMEOUT = 30
STATUS = re.compile(r"^@@http (\d{3})$", re.M)
PRELUDE = r"""set -o pipefail
curl() { command curl --write-out '%{stderr}\n@@http %{http_code}\n' "$@"; }
open() { command curl --silent --show-error --location --output /dev/null \
  --write-out '%{stderr}\n@@http %{http_code}\n' "$1"; }
"""
DEMO_KEY = re.compile(r"ah_(?:x+_)?\.\.\.")
PLACEHOLDER = re.compile(r"<([a-z][a-z ]*)>")
FAKE_PROVIDER = "fakellm"


@dataclass
class PageRun:
    instance: MakeRun
    fake_upstream: str  # the fake upstream's base URL, http://127.0.0.1:PORT/v1
    variables: dict[str, str] = field(default_factory=dict)
    last_json: Any = None
    _platform_key: str | None = None
    _restore: list[tuple[int, dict]] = field(default_factory=list)
    _serving_before: str | None = None

    # --- filling in --------------------------------------------------------------------

    def fill_in(self, text: str) -> str:
        host = self.instance.url.removeprefix("http://")
        upstream = self.fake_upstream.removeprefix("http://").removesuffix("/v1")
        text = text.replace("127.0.0.1:8000", host).replace("127.0.0.1:9100", upstream)
        text = DEMO_KEY.sub(self.instance.demo_key or "no-demo-key-printed", text)

        def answer_id(match: re.Match) -> str:
            if match[1] not in ("id", "job id"):
                raise AssertionError(f"the docs test does not know the placeholder {match[0]}")
            if not isinstance(self.last_json, dict) or "id" not in self.last_json:
                raise AssertionError(f"{match[0]}: the previous answer had no id")
            return str(self.last_json["id"])

        return PLACEHOLDER.sub(answer_id, text)

    def _env(self) -> dict[str, str]:
        # the venv is active, as in a reader's shell after `make run` (`python` is its python)
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        return {**self.instance.env, **self.variables, "PATH": path, "PYTHONPATH": str(ROOT)}

    # --- running -----------------------------------------------------------------------

    def run(self, command: Command) -> str | None:
        """Run one command; None when it did what the page says, else why not."""
        try:
            if command.kind == "python":
                return self._run_python(command)
            return self._run_shell(command)
        except AssertionError as error:
            return str(error)

    def _execute(self, argv: list[str]) -> subprocess.CompletedProcess:
        """Run in a process group of its own, killed afterwards: a command that leaves
        something running (``... &``) or overruns its time leaves nothing behind."""
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self._env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise AssertionError(f"still running after {COMMAND_TIMEOUT} s") from None
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)

    def _run_python(self, command: Command) -> str | None:
        done = self._execute([sys.executable, "-c", self.fill_in(command.text)])
        if done.returncode:
            return f"exit {done.returncode}: {done.stderr[-2000:]}"
        return None

    def _run_shell(self, command: Command) -> str | None:
        text = self.fill_in(command.text)
        words = shlex.split(text, comments=True)
        names = [w.split("=", 1)[0] for w in words if ASSIGNMENT.match(w)]
        if words and all(ASSIGNMENT.match(w) or w == "export" for w in words):
            # an assignment: keep what the shell assigned for the page's later commands
            show = " ".join(f'"${name}"' for name in names)
            text = f"{text}\nprintf '%s\\0' {show}"
        done = self._execute(["bash", "-c", PRELUDE + text])
        statuses = [int(code) for code in STATUS.findall(done.stderr)]
        if done.returncode:
            return f"exit {done.returncode}: {STATUS.sub('', done.stderr)[-2000:]}"
        if names and not statuses:
            self.variables.update(zip(names, done.stdout.split("\0"), strict=False))
            return None
        return self._check_answer(command, done.stdout, statuses)

    def _check_answer(self, command: Command, stdout: str, statuses: list[int]) -> str | None:
        expected = parse(command.expected)
        # `curl -i`: the body follows the headers' blank line
        body = stdout
        if stdout.startswith("HTTP/"):
            body = re.split(r"\r?\n\r?\n", stdout, maxsplit=1)[-1]
        try:
            self.last_json = json.loads(body)
        except ValueError:
            self.last_json = None
        if expected.status is not None:
            if statuses[-1:] != [expected.status]:
                return f"documented HTTP {expected.status}, got {statuses}: {body[:500]}"
        elif any(not 200 <= status < 300 for status in statuses):
            return f"HTTP {statuses}: {body[:500]}"
        if command.expected:
            if self.last_json is None:
                return f"documented a JSON answer, got {body[:500]!r}"
            reason = mismatch(expected.shape, self.last_json)
            if reason:
                return f"answer differs from the page: {reason}"
        return None

    # --- an OpenAI-compatible default provider on the fake upstream ---------------------

    def _api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(
            method,
            f"{self.instance.url}/api/v1/providers/{path}",
            headers={"Authorization": f"Bearer {self._admin_key()}"},
            timeout=10,
            **kwargs,
        )
        assert response.status_code < 300, response.text
        return response.json()

    def _admin_key(self) -> str:
        """A platform administrator's key (only they change providers), made as the README
        says: ``manage.py create_api_key --platform-admin`` prints it last."""
        if self._platform_key is None:
            done = subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "create_api_key",
                    "--tenant",
                    "docs-platform",
                    "--platform-admin",
                ],
                cwd=ROOT,
                env=self.instance.env,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=True,
            )
            self._platform_key = done.stdout.strip().splitlines()[-1]
        return self._platform_key

    def _default_provider(self) -> str | None:
        answer = httpx.get(
            f"{self.instance.url}/v1/models/default",
            headers={"Authorization": f"Bearer {self.instance.demo_key}"},
            timeout=5,
        )
        return answer.json().get("provider") if answer.status_code == 200 else None

    def _wait_default_is(self, provider: str) -> None:
        """Provider changes are live within LIVE_CONFIG_CHECK_INTERVAL: wait for the front door
        to route ``default`` to ``provider``."""
        deadline = time.monotonic() + 10
        while self._default_provider() != provider:
            assert time.monotonic() < deadline, f"the default model did not move to {provider}"
            time.sleep(0.1)

    def use_fake_upstream(self) -> None:
        """Make an OpenAI-compatible provider on the fake upstream the default, remembering
        what to put back."""
        serving = self._default_provider()
        listed = self._api("GET", "")
        previous = next((p for p in listed if p["is_default"]), None)
        fake = next((p for p in listed if p["name"] == FAKE_PROVIDER), None)
        change = {"enabled": True, "is_default": True}
        if fake is None:
            fake = self._api(
                "POST",
                "",
                json={
                    "name": FAKE_PROVIDER,
                    "kind": "openai_compatible",
                    "base_url": self.fake_upstream,
                    "model": "fake-model",
                    "max_attempts": 1,
                    **change,
                },
            )
        else:
            self._api("PATCH", str(fake["id"]), json=change)
        self._restore = [(fake["id"], {"enabled": False, "is_default": False})]
        if previous is not None:
            self._restore.append((previous["id"], {"is_default": True}))
        self._serving_before = serving
        self._wait_default_is(FAKE_PROVIDER)

    def restore_default_provider(self) -> None:
        for provider_id, change in self._restore:
            self._api("PATCH", str(provider_id), json=change)
        self._restore = []
        if self._serving_before:
            self._wait_default_is(self._serving_before)


def run_page(session: PageRun, commands: list[Command]) -> list[str]:
    """Run a page's commands in order; the failures, each naming its line."""
    failures = []
    upstream = False
    for command in commands:
        if (command.mode == "upstream") != upstream:
            upstream = not upstream
            if upstream:
                session.use_fake_upstream()
            else:
                session.restore_default_provider()
        reason = session.run(command)
        if reason:
            failures.append(f"{command.id}: {command.text[:120]}\n    {reason}")
    if upstream:
        session.restore_default_provider()
    return failures
