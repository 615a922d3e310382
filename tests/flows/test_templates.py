"""Prompt templates: versioned (never edited in place), active pointer, live within 1 s, admin."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.flows.models import ImmutableRowError, PromptTemplate, PromptTemplateVersion
from apps.flows.selectors import active_template
from apps.flows.services import (
    TemplateUpdate,
    prompt_template_activate,
    prompt_template_update,
    prompt_template_version_create,
    prompt_templates_seed_defaults,
)


def test_defaults_are_seeded_and_seeding_is_idempotent(db):
    assert set(PromptTemplate.objects.values_list("name", flat=True)) >= {
        "notary",
        "classify",
        "ask",
    }
    assert prompt_templates_seed_defaults() == []
    assert PromptTemplateVersion.objects.filter(template__name="ask").count() == 1


def test_reading_a_missing_template_raises_and_writes_nothing(db):
    from django.core.management import call_command

    from apps.flows.exceptions import TemplateMissing
    from apps.flows.selectors import _active_templates

    PromptTemplate.objects.filter(name="ask").update(active_version=None)
    PromptTemplateVersion.objects.filter(template__name="ask").delete()
    PromptTemplate.objects.filter(name="ask").delete()
    _active_templates.invalidate()
    with pytest.raises(TemplateMissing, match="bootstrap"):
        active_template("ask")
    assert not PromptTemplate.objects.filter(name="ask").exists()  # a selector never writes
    call_command("migrate", verbosity=0)  # post_migrate seeds the defaults again
    _active_templates.invalidate()
    assert active_template("ask").template.name == "ask"


def test_a_change_is_a_new_version_and_old_ones_stay(db, django_capture_on_commit_callbacks):
    template = PromptTemplate.objects.get(name="ask")
    v1 = template.active_version
    with django_capture_on_commit_callbacks(execute=True):
        v2 = prompt_template_version_create(
            template=template,
            system_prompt="Answer like a pirate.",
            user_template="{{ context }}Q: {{ question }}",
            created_by="alice",
        )
    assert v2.version == 2
    v1.refresh_from_db()
    assert v1.system_prompt != "Answer like a pirate."
    assert active_template("ask").pk == v2.pk
    v1.system_prompt = "edited in place"
    with pytest.raises(ImmutableRowError):
        v1.save()
    with django_capture_on_commit_callbacks(execute=True):
        prompt_template_activate(template=template, version=v1)
    assert active_template("ask").pk == v1.pk


def test_template_update_rolls_back_adds_a_version_or_only_edits_the_description(db):
    template = PromptTemplate.objects.get(name="ask")
    v1 = template.active_version
    text = {"system_prompt": v1.system_prompt, "user_template": v1.user_template}

    same = prompt_template_update(template=template, description="Plain.", **text)
    assert same == TemplateUpdate()
    template.refresh_from_db()
    assert (template.description, template.active_version_id) == ("Plain.", v1.pk)

    changed = {**text, "system_prompt": "Answer tersely."}
    update = prompt_template_update(
        template=template, description="Plain.", note="terse", created_by="bob", **changed
    )
    assert update.activated is None
    assert update.created.version == 2
    assert (update.created.note, update.created.created_by) == ("terse", "bob")

    rollback = prompt_template_update(
        template=template, description="Plain.", active_version=v1, **changed
    )
    assert rollback == TemplateUpdate(activated=v1)
    template.refresh_from_db()
    assert template.active_version_id == v1.pk
    assert template.versions.count() == 2


def test_template_placeholders_are_checked(db):
    template = PromptTemplate.objects.get(name="classify")
    with pytest.raises(ValidationError) as info:
        prompt_template_version_create(
            template=template, system_prompt="x", user_template="{{ text }} {{ labelz }}"
        )
    assert "user_template" in info.value.message_dict
    assert PromptTemplateVersion.objects.filter(template=template).count() == 1


def test_new_version_is_used_by_the_next_flow_call(
    tenant_client, upstream, django_capture_on_commit_callbacks
):
    upstream.set(reply='{"answer": "ok"}')
    template = PromptTemplate.objects.get(name="ask")
    with django_capture_on_commit_callbacks(execute=True):
        prompt_template_version_create(
            template=template,
            system_prompt="SYSTEM-V2 marker",
            user_template="V2 {{ question }}",
        )
    response = tenant_client.post("/api/v1/ai/flows/ask", {"question": "hi?"}, format="json")
    assert response.status_code == 200
    assert response.json()["template"] == {"name": "ask", "version": 2}
    sent = upstream.requests()[-1]["body"]["messages"]
    assert sent[0]["content"].startswith("SYSTEM-V2 marker")
    assert sent[1]["content"] == "V2 hi?"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_change_reaches_another_process_within_one_second(settings):
    """Another process's cache (simulated by a fresh LiveCache) sees the change within 1 s."""
    from apps.core.live_config import LiveCache
    from apps.flows.selectors import TEMPLATES_NAMESPACE, _build_active_templates

    assert active_template("ask")  # migrate's (and flush's) post_migrate seeded the defaults
    other_process = LiveCache(TEMPLATES_NAMESPACE, _build_active_templates)
    before = other_process.get()["ask"].version
    template = PromptTemplate.objects.get(name="ask")
    prompt_template_version_create(
        template=template, system_prompt="s", user_template="{{ question }}"
    )
    deadline = time.monotonic() + 1.0
    while other_process.get()["ask"].version == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert other_process.get()["ask"].version == before + 1


def test_admin_save_creates_a_version(admin_client, db):
    template = PromptTemplate.objects.get(name="notary")
    url = reverse("admin:flows_prompttemplate_change", args=[template.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "You are a meticulous" in page.content.decode()
    response = admin_client.post(
        url,
        {
            "description": template.description,
            "active_version": template.active_version_id,
            "system_prompt": "A new notary prompt.",
            "user_template": "Doc: {{ document }}",
            "note": "tighter",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": template.active_version_id,
            "versions-0-template": template.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template.refresh_from_db()
    assert template.active_version.version == 2
    assert template.active_version.note == "tighter"
    assert template.active_version.created_by == "admin"
    assert template.versions.get(version=1).system_prompt != "A new notary prompt."


def test_admin_rejects_a_template_missing_its_placeholder(admin_client, db):
    template = PromptTemplate.objects.get(name="notary")
    url = reverse("admin:flows_prompttemplate_change", args=[template.pk])
    response = admin_client.post(
        url,
        {
            "description": "",
            "active_version": template.active_version_id,
            "system_prompt": "x",
            "user_template": "no placeholder",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "missing placeholder" in response.content.decode()
    assert template.versions.count() == 1


def test_admin_notary_records_are_read_only(admin_client, db):
    url = reverse("admin:flows_notaryrecord_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(reverse("admin:flows_notaryrecord_add")).status_code == 403


def test_admin_label_set_save_validates(admin_client, db):
    from apps.flows.models import LabelSet

    url = reverse("admin:flows_labelset_add")
    response = admin_client.post(
        url, {"name": "tickets", "description": "", "labels": '["a", "b", "c"]'}
    )
    assert response.status_code == 302
    assert LabelSet.objects.get(name="tickets").labels == ["a", "b", "c"]


@pytest.mark.parametrize(
    "name",
    [
        "admin:flows_prompttemplate_changelist",
        "admin:flows_prompttemplate_add",
        "admin:flows_prompttemplateversion_changelist",
        "admin:flows_labelset_changelist",
        "admin:flows_job_changelist",
        "admin:flows_notaryrecord_changelist",
    ],
)
def test_admin_pages_render(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 200


def test_admin_creates_a_template_with_its_first_version(admin_client, db):
    response = admin_client.post(
        reverse("admin:flows_prompttemplate_add"),
        {
            "name": "support-bot",
            "flow": "",
            "description": "for agents",
            "system_prompt": "You help customers.",
            "user_template": "{{ anything }}",
            "note": "",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template = PromptTemplate.objects.get(name="support-bot")
    assert template.active_version.version == 1
    assert template.active_version.created_by == "admin"
