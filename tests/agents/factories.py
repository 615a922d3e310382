import factory

from apps.agents.models import Document
from tests.tenants.factories import TenantFactory


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    content = "Nothing in particular."
