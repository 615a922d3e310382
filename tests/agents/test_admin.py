import pytest
from django.urls import reverse

from apps.agents.models import Agent, AgentRun, AgentStep, Conversation, Message
from apps.agents.selectors import agent_spec_for
from apps.agents.services import agent_seed_defaults
from apps.agents.tools import BUILTIN_TOOLS
from tests.agents.factories import DocumentFactory


@pytest.fixture
def recorded_run(tenant):
    agent = agent_seed_defaults()
    conversation = Conversation.objects.create(tenant=tenant, agent=agent)
    Message.objects.create(conversation=conversation, seq=1, role="user", content="2+2?")
    Message.objects.create(conversation=conversation, seq=2, role="assistant", content="4")
    run = AgentRun.objects.create(
        tenant=tenant, agent=agent, conversation=conversation, status="ok"
    )
    AgentStep.objects.create(
        run=run, step=1, tool="calculator", arguments={"expression": "2+2"}, status="ok"
    )
    return run


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["agent", "conversation", "agentrun", "agentstep", "document"])
def test_changelists(admin_client, recorded_run, model):
    DocumentFactory(tenant=recorded_run.tenant)
    response = admin_client.get(reverse(f"admin:agents_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_runs_and_conversations_are_read_only(admin_client, recorded_run):
    conversation = recorded_run.conversation
    page = admin_client.get(reverse("admin:agents_conversation_change", args=[conversation.pk]))
    assert page.status_code == 200
    assert b"2+2?" in page.content
    assert b'name="messages-0-content"' not in page.content  # shown, not editable
    assert admin_client.get(reverse("admin:agents_agentrun_add")).status_code == 403
    run_page = admin_client.get(reverse("admin:agents_agentrun_change", args=[recorded_run.pk]))
    assert b"calculator" in run_page.content


@pytest.mark.django_db(transaction=True)
def test_create_agent_in_admin_is_live(admin_client, tenant):
    response = admin_client.post(
        reverse("admin:agents_agent_add"),
        {
            "tenant": tenant.pk,
            "name": "helper",
            "description": "",
            "system_prompt": "Be brief.",
            "allowed_tools": ["calculator", "current_time"],
            "provider_chain": "offline",
            "tool_protocol": "auto",
            "max_steps": 4,
            "timeout_seconds": 20,
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content
    agent = Agent.objects.get(name="helper")
    assert agent.allowed_tools == ["calculator", "current_time"]
    assert agent.provider_chain == ["offline"]
    spec = agent_spec_for(tenant=tenant, name="helper")
    assert spec is not None
    assert spec.max_steps == 4


@pytest.mark.django_db
def test_admin_rejects_unknown_tools_and_providers(admin_client):
    response = admin_client.post(
        reverse("admin:agents_agent_add"),
        {
            "name": "bad",
            "system_prompt": "x",
            "allowed_tools": ["rm_rf"],
            "provider_chain": "nowhere",
            "tool_protocol": "auto",
            "max_steps": 4,
            "timeout_seconds": 20,
        },
    )
    assert response.status_code == 200  # the form again, with errors
    assert not Agent.objects.filter(name="bad").exists()
    assert b"nowhere" in response.content


@pytest.mark.django_db
def test_seed_is_idempotent_and_keeps_edits():
    agent = agent_seed_defaults()
    assert set(agent.allowed_tools) == set(BUILTIN_TOOLS)
    Agent.objects.filter(pk=agent.pk).update(system_prompt="Edited by an operator.")
    again = agent_seed_defaults()
    assert again.pk == agent.pk
    assert Agent.objects.get(pk=agent.pk).system_prompt == "Edited by an operator."
    assert Agent.objects.filter(name="assistant").count() == 1


@pytest.mark.django_db(transaction=True)
def test_deleting_an_agent_in_admin_is_live(admin_client, tenant):
    from apps.agents.services import agent_create

    agent = agent_create(name="temp", system_prompt="x")
    assert agent_spec_for(tenant=tenant, name="temp") is not None
    response = admin_client.post(
        reverse("admin:agents_agent_delete", args=[agent.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert agent_spec_for(tenant=tenant, name="temp") is None
