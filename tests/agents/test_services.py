import pytest
from django.core.exceptions import ValidationError

from apps.agents.models import Conversation, Message
from apps.agents.selectors import agent_spec_for, conversation_transcript
from apps.agents.services import (
    AgentNotFound,
    ConversationAgentMismatch,
    agent_chat,
    agent_create,
    agent_seed_defaults,
    agent_update,
)
from apps.core.principal import GuardContext


@pytest.mark.django_db(transaction=True)
def test_tenant_agents_shadow_global_ones_and_stay_private(tenant, other_tenant):
    agent_seed_defaults()
    agent_create(tenant=tenant, name="assistant", system_prompt="Tenant's own.", max_steps=3)
    agent_create(tenant=tenant, name="private", system_prompt="Only for tenant.")
    assert agent_spec_for(tenant=tenant, name="assistant").system_prompt == "Tenant's own."
    assert agent_spec_for(tenant=other_tenant, name="assistant").tenant_id is None
    assert agent_spec_for(tenant=other_tenant, name="private") is None
    with pytest.raises(AgentNotFound):
        agent_chat(
            tenant=other_tenant,
            agent="private",
            message="hi",
            ctx=GuardContext(tenant=other_tenant),
        )


@pytest.mark.django_db(transaction=True)
def test_edits_are_live(tenant):
    agent = agent_create(name="live", system_prompt="v1")
    assert agent_spec_for(tenant=tenant, name="live").system_prompt == "v1"
    agent_update(agent=agent, system_prompt="v2", allowed_tools=["calculator"])
    spec = agent_spec_for(tenant=tenant, name="live")
    assert spec.system_prompt == "v2"
    assert spec.allowed_tools == ("calculator",)


@pytest.mark.django_db
def test_validation():
    with pytest.raises(ValidationError) as excinfo:
        agent_create(name="bad", system_prompt="x", allowed_tools=["shell"])
    assert "allowed_tools" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        agent_create(name="bad", system_prompt="x", provider_chain=["nowhere"])
    assert "provider_chain" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        agent_create(name="bad", system_prompt="x", max_steps=0)
    with pytest.raises(ValidationError):
        agent_create(name="Not a slug!", system_prompt="x")


@pytest.mark.django_db(transaction=True)
def test_conversation_of_another_agent(tenant):
    first = agent_seed_defaults()
    agent_create(name="other", system_prompt="x")
    conversation = Conversation.objects.create(tenant=tenant, agent=first)
    with pytest.raises(ConversationAgentMismatch):
        agent_chat(
            tenant=tenant,
            agent="other",
            message="hi",
            conversation_id=conversation.pk,
            ctx=GuardContext(tenant=tenant),
        )


@pytest.mark.django_db
def test_transcript_last_messages_oldest_first(tenant):
    conversation = Conversation.objects.create(tenant=tenant, agent=agent_seed_defaults())
    for seq in range(1, 6):
        Message.objects.create(conversation=conversation, seq=seq, role="user", content=f"m{seq}")
    whole = conversation_transcript(conversation=conversation)
    assert [m["content"] for m in whole] == ["m1", "m2", "m3", "m4", "m5"]
    assert conversation_transcript(conversation=conversation, last=2) == whole[-2:]
    assert conversation_transcript(conversation=conversation, last=9) == whole
