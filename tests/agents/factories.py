import factory

from apps.agents.models import Document
from apps.agents.services import agent_create
from tests.tenants.factories import TenantFactory


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    content = "Nothing in particular."


def make_agent(name, provider, tools, **fields):
    """An agent with a fixed test prompt, these tools and ``provider`` (or none) as its chain."""
    return agent_create(
        name=name,
        system_prompt="You are a test agent.",
        allowed_tools=tools,
        provider_chain=[provider] if provider else [],
        **fields,
    )
