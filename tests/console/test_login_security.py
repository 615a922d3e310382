"""Wrong admin logins lock the account (and are recorded); forged CSRF is refused."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("boss", "", PASSWORD)


def _login(client: Client, password: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "boss", "password": password},
        REMOTE_ADDR="203.0.113.9",
    )


def test_repeated_failures_lock_the_login_and_are_audited(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "wrong")
        assert response.status_code == 200  # the form again, with an error
    locked = _login(client, "wrong")
    assert locked.status_code == 429
    # even the right password is refused while locked
    assert _login(client, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username="boss")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert attempt.ip_address == "203.0.113.9"
    assert AccessFailureLog.objects.filter(username="boss").count() >= settings.AXES_FAILURE_LIMIT


def test_a_good_login_resets_the_count(client, staff):
    _login(client, "wrong")
    response = _login(client, PASSWORD)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="boss").exists()


def test_forged_csrf_is_refused(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post("/admin/security/injectionpattern/add/", {"name": "x"})
    assert response.status_code == 403


def test_lockouts_are_readable_in_admin(admin_client, client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong")
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "boss" in page.content.decode()


def test_login_records_never_hold_an_invalid_address():
    from django.test import RequestFactory

    from apps.console.login import axes_client_ip

    request = RequestFactory().get("/admin/login/", REMOTE_ADDR="")
    assert axes_client_ip(request) is None
    assert axes_client_ip(None) is None
    assert axes_client_ip(RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")) == "198.51.100.7"
