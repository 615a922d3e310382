"""A live AgentHub started the way a newcomer starts it: ``make run`` itself (migrate,
collectstatic, bootstrap, then ``python -m agenthub.server``), on the embedded default (SQLite,
no Redis, no broker) in a private directory, on a port the caller's test owns.

Any test can use it: ``with make_run(tmp_path, port) as instance: ...`` yields the base URL,
the environment the server runs with and what ``make run`` printed (the admin login and the demo
key on the run that creates them). Leaving the block stops ``make`` and the server with it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 90.0  # migrate + bootstrap + the server loading the guard model, on a busy host

_ADMIN_LOGIN = re.compile(r"^Admin login:\s+(\S+) / (\S+)", re.M)
_DEMO_KEY = re.compile(r"^Demo API key: (ah_\S+)", re.M)


@dataclass(frozen=True)
class MakeRun:
    url: str
    env: dict[str, str]
    output: str  # everything `make run` printed up to the moment the server answered

    @property
    def admin_login(self) -> tuple[str, str] | None:
        """(username, password) when this run created the admin user, else None."""
        match = _ADMIN_LOGIN.search(self.output)
        return (match[1], match[2]) if match else None

    @property
    def demo_key(self) -> str | None:
        """The demo API key when this run created it, else None."""
        match = _DEMO_KEY.search(self.output)
        return match[1] if match else None


def free_port(ports: range) -> int:
    """The first port of ``ports`` nothing listens on (each test file owns its range)."""
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


def embedded_env(directory: Path) -> dict[str, str]:
    """``make run``'s embedded default on a private SQLite file: development, no Redis, no
    broker. Set explicitly, so neither the caller's environment (CI exports PostgreSQL and Redis
    URLs) nor a developer's ``.env`` changes what is started."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS", "CELERY_", "PROMETHEUS_", "MAKE"))
        and key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "WEB_CONCURRENCY", "BIND", "PORT", "HOST"}
    }
    return {
        **inherited,
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "SECURITY_AUDIT_SPOOL_DIR": str(directory / "spool"),
        "LOG_LEVEL": "WARNING",
        "TMPDIR": str(directory),
    }


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (make and the server it started), SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            break
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
    # make may be gone while the server it started still runs in the group
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def make_run(directory: Path, port: int, **env: str) -> Iterator[MakeRun]:
    """Run ``make run`` (``PORT=<port>``) in ``directory``'s embedded default until its server
    answers ``/health``; stop it when the block ends. ``env`` adds or overrides variables.

    The venv is the one running the tests (``VENV=``); ``-o`` tells make not to re-install it
    when requirement files are newer than its stamp (a fresh worktree): ``make install`` is
    CI's own step, and this is about what ``make run`` does after it."""
    directory.mkdir(parents=True, exist_ok=True)
    run_env = {**embedded_env(directory), **env}
    venv = Path(sys.prefix)
    log = directory / f"make-run-{port}-{time.monotonic_ns()}.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            ["make", "-o", f"{venv}/.installed", "run", f"VENV={venv}", f"PORT={port}"],
            cwd=ROOT,
            env=run_env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"make run did not serve {url}:\n{log.read_text()[-4000:]}")
            time.sleep(0.2)
        yield MakeRun(url=url, env=run_env, output=log.read_text())
    finally:
        _stop(process)
