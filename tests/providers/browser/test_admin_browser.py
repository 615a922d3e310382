"""The operator's admin flow in a real browser (Debian's chromium via Playwright).

Slow; skipped when chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import shutil

import pytest

from apps.providers.breaker.config import State
from apps.providers.services import breaker_snapshot
from tests.providers.factories import make_provider

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs chromium"),
]


@pytest.fixture
def page(live_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright runs an event loop
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            yield browser.new_page()
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_operator_tests_a_provider_and_forces_its_breaker_open(
    page, live_server, django_user_model, fakellm
):
    django_user_model.objects.create_superuser("ops", "", "a-long-test-password")
    provider = make_provider("up", base_url=fakellm.base_url)
    fakellm.set(reply="pong")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "a-long-test-password")
    with page.expect_navigation():
        page.click("input[type=submit]")

    page.goto(f"{live_server.url}/admin/providers/provider/{provider.pk}/change/")
    with page.expect_navigation():
        page.click("text=Test connection")
    with page.expect_navigation():
        page.click("input[value='Send test completion']")
    assert page.inner_text("#test-result") == "OK"
    assert "pong" in page.content()

    page.goto(f"{live_server.url}/admin/providers/provider/")
    assert "CLOSED" in page.inner_text("#result_list")
    page.check(f"input[name=_selected_action][value='{provider.pk}']")
    page.select_option("select[name=action]", "force_open_breakers")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert "Forced open 1 breaker." in page.content()
    assert "FORCED OPEN" in page.inner_text("#result_list")
    assert breaker_snapshot(provider="up").state == State.FORCED_OPEN
