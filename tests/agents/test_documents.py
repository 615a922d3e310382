import pytest

from apps.agents.selectors import document_search, search_terms
from apps.agents.tools import ToolContext, get_tool
from tests.agents.factories import DocumentFactory
from tests.support import bearer_client


@pytest.fixture
def docs(tenant, other_tenant):
    DocumentFactory(
        tenant=tenant,
        title="Refund policy",
        content="Customers may ask for a refund within 30 days. Refunds go to the card used.",
    )
    DocumentFactory(
        tenant=tenant,
        title="Shipping",
        content="We ship worldwide. A refund of shipping costs is not possible.",
    )
    DocumentFactory(tenant=tenant, title="Holidays", content="The office closes in August.")
    DocumentFactory(
        tenant=other_tenant, title="Refund policy", content="Other tenant refund: 90 days."
    )


def test_search_terms_drop_stop_words():
    assert search_terms("What is our REFUND policy, please?") == ["refund", "policy"]
    assert search_terms("the of and") == []


@pytest.mark.django_db
def test_ranked_and_tenant_scoped(tenant, other_tenant, docs):
    hits = document_search(tenant=tenant, query="refund policy", limit=5)
    assert [h.title for h in hits] == ["Refund policy", "Shipping"]
    assert all("90 days" not in h.content for h in hits)
    assert [h.title for h in document_search(tenant=other_tenant, query="refund")] == [
        "Refund policy"
    ]
    assert document_search(tenant=tenant, query="submarine") == []


@pytest.mark.django_db
def test_partial_words_are_found(tenant, docs):
    # "closes" is found from "close" by stemming on PostgreSQL, by substring elsewhere.
    assert [h.title for h in document_search(tenant=tenant, query="close")] == ["Holidays"]


@pytest.mark.django_db
def test_search_tool_output(tenant, docs):
    tool = get_tool("search_documents")
    output = tool.run({"query": "refund"}, ToolContext(tenant=tenant))
    assert output.startswith("[1] Refund policy: Customers may ask for a refund")
    assert "90 days" not in output
    assert tool.run({"query": "submarine"}, ToolContext(tenant=tenant)) == "No matching documents."


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_full_text_ranks_by_relevance(tenant):
    DocumentFactory(tenant=tenant, title="Misc", content="A word about invoices.")
    DocumentFactory(
        tenant=tenant, title="Invoices", content="Invoices are sent monthly. Invoice disputes..."
    )
    hits = document_search(tenant=tenant, query="invoice")
    assert hits[0].title == "Invoices"  # title matches weigh more
    assert hits[0].score > hits[1].score


@pytest.mark.django_db
def test_documents_api_is_tenant_scoped(tenant_client, other_tenant):
    from apps.tenants.services import api_key_create

    url = "/api/v1/ai/agents/documents"
    created = tenant_client.post(
        url, {"title": "Warranty", "content": "Two years on all parts."}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["title"] == "Warranty"
    listed = tenant_client.get(url).json()
    assert listed["count"] == 1
    assert listed["results"][0]["content"] == "Two years on all parts."

    other_key = api_key_create(tenant=other_tenant, name="other").plaintext
    api_client = bearer_client(other_key)
    assert api_client.get(url).json()["count"] == 0

    bad = tenant_client.post(url, {"title": "", "content": "x"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_error"
