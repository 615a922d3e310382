"""A service's ValidationError during an admin save reaches the operator: the form comes back
with the error, nothing is saved, and no success message is shown."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.flows.models import LabelSet

pytestmark = pytest.mark.django_db


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_a_service_rejection_is_shown_on_the_form_and_nothing_is_saved(admin_client):
    # The form accepts any JSON list; the service (label_set_save) refuses duplicates.
    response = admin_client.post(
        reverse("admin:flows_labelset_add"),
        {"name": "tickets", "description": "", "labels": '["a", "A"]'},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the error below." in page
    form = response.context["adminform"].form
    assert form.errors["labels"]
    assert not LabelSet.objects.filter(name="tickets").exists()
    assert not any(level == "success" for level, _ in _messages(response))


def test_the_form_keeps_what_the_operator_entered(admin_client):
    response = admin_client.post(
        reverse("admin:flows_labelset_add"),
        {"name": "keep-me", "description": "typed by hand", "labels": '["a", "A"]'},
    )
    form = response.context["adminform"].form
    assert form.data["description"] == "typed by hand"


def test_a_valid_save_still_reports_success(admin_client):
    response = admin_client.post(
        reverse("admin:flows_labelset_add"),
        {"name": "tickets", "description": "", "labels": '["a", "b"]'},
        follow=True,
    )
    assert LabelSet.objects.filter(name="tickets").exists()
    assert any(level == "success" for level, _ in _messages(response))
