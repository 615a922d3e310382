"""Issue #14's must-show, end to end: ``make run`` twice after the demo key was revoked and the
admin password changed — by an operator, over the API and the admin's own password form, on the
live server ``make run`` started: no key re-created, no stale password printed; the README's
recovery command then prints a password that logs in."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest

from tests.docs.conftest import PORTS
from tests.live_instance import ROOT, MakeRun, free_port, make_run

# three `make run`s (migrate, collectstatic, bootstrap, server start each): ~20 s on a quiet
# machine, a minute on a shared one
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

NEW_PASSWORD = "an-operator-chose-this-9f2k"


def _form(client: httpx.Client, path: str, fields: dict[str, str]) -> httpx.Response:
    """Submit a Django admin form the way a browser does: its CSRF token from the page."""
    page = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, f"no CSRF token on {path}"
    return client.post(path, data={"csrfmiddlewaretoken": token[1], **fields})


def _logs_in(url: str, username: str, password: str) -> bool:
    with httpx.Client(base_url=url, timeout=10) as client:
        answer = _form(
            client, "/admin/login/", {"username": username, "password": password, "next": "/"}
        )
        return answer.status_code == 302


def _key_works(url: str, key: str) -> bool:
    answer = httpx.get(
        f"{url}/api/v1/tenants/me", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    return answer.status_code == 200


def _revoke(run: MakeRun, key: str) -> None:
    """The demo key revoked over the API, by itself (it is its tenant's operator key)."""
    with httpx.Client(
        base_url=f"{run.url}/api/v1/tenants", headers={"Authorization": f"Bearer {key}"}
    ) as api:
        prefix = api.get("/me").json()["key_prefix"]
        listed = api.get("/keys").json()
        keys = listed["results"] if isinstance(listed, dict) else listed
        (mine,) = [k for k in keys if k["prefix"] == prefix]
        assert api.post(f"/keys/{mine['id']}/revoke").status_code == 200


def _change_password(run: MakeRun, username: str, old: str) -> None:
    with httpx.Client(base_url=run.url, timeout=10) as admin:
        login = {"username": username, "password": old, "next": "/"}
        assert _form(admin, "/admin/login/", login).status_code == 302
        change = {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        answer = _form(admin, "/admin/password_change/", change)
        assert answer.status_code == 302, answer.text[-2000:]


def test_make_run_twice_after_revoking_the_demo_key_and_changing_the_password(tmp_path):
    port = free_port(PORTS)
    with make_run(tmp_path, port) as first:
        assert first.admin_login, first.output
        assert first.demo_key, first.output
        username, first_password = first.admin_login
        key = first.demo_key
        _revoke(first, key)
        _change_password(first, username, first_password)
        assert not _key_works(first.url, key)

    for attempt in (2, 3):
        with make_run(tmp_path, port) as again:
            assert again.admin_login is None, again.output
            assert again.demo_key is None, again.output
            assert first_password not in again.output
            assert key not in again.output
            assert "Demo API key: issued earlier" in again.output
            assert "revoked, expired or its tenant inactive" in again.output
            assert "reset_admin_password" in again.output
            assert not _key_works(again.url, key)
            assert _logs_in(again.url, username, NEW_PASSWORD)
            assert not _logs_in(again.url, username, first_password)
            if attempt == 3:
                _reset_password_logs_in(again, username)


def _reset_password_logs_in(run: MakeRun, username: str) -> None:
    """The README's "Lost the admin password?" command prints one that works at once."""
    printed = subprocess.run(
        [sys.executable, "manage.py", "reset_admin_password"],
        cwd=ROOT,
        env=run.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    password = re.search(rf"Admin login:\s+{username} / (\S+)", printed)
    assert password, printed
    assert _logs_in(run.url, username, password[1])
    assert not _logs_in(run.url, username, NEW_PASSWORD)
