"""A chunked request body through real gunicorn (which de-chunks it and sets
``wsgi.input_terminated``) is read, not taken for an empty body, and still passes the limits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "SECURITY_AUDIT_SPOOL_DIR": str(tmp_path / "spool"),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    key = (
        subprocess.run(
            [*manage, "create_api_key", "--tenant", "chunked"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "agenthub.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _chunks(*parts: bytes):
    yield from parts


def test_chunked_bodies_through_gunicorn(gunicorn):
    base, headers = gunicorn
    url = f"{base}/api/v1/security/scan"
    ok = httpx.post(url, content=_chunks(b'{"text": "hello ', b'world"}'), headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["normalized_text"] == "hello world"

    deep = b'{"text": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    refused = httpx.post(url, content=_chunks(deep), headers=headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "malformed_request"

    huge = httpx.post(url, content=_chunks(b'{"text": "', b"x" * 1_100_000, b'"}'), headers=headers)
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "payload_too_large"
