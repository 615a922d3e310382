"""Agent chats under the PII policy, against fakellm (a real HTTP upstream that records every
request it received): the model sees placeholders in the prompt, the history and the tool
results; tools run with the real values; the client's answer and the stored conversation get
them back; nothing the audit trail or the logs hold carries them."""

from __future__ import annotations

import json
import logging
import threading
from typing import ClassVar

import pytest
from django.apps import apps as django_apps
from django.core import serializers
from schwifty import IBAN

from apps.agents.models import AgentRun, AgentStep, Message
from apps.agents.tools import Tool, register, unregister
from apps.security.models import BlockedRequest, PiiAction
from apps.security.services import pii_policy_save
from tests.agents.factories import make_agent

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/ai/agents/chat"
EMAIL = "mary.shelley@example.org"
CARD = "4111 1111 1111 1111"  # the classic test number (Luhn-valid, not a real account)
IBAN_VALUE = IBAN.generate("DE", bank_code="37040044", account_code="0532013000").formatted
VALUES = (EMAIL, CARD, IBAN_VALUE, CARD.replace(" ", ""), IBAN_VALUE.replace(" ", ""))
PROMPT = f"Send the refund to {EMAIL}: card {CARD}, IBAN {IBAN_VALUE}."


class Remember(Tool):
    """Stores what it is given and says so (the values are in its output too)."""

    name = "remember"
    description = "Stores a customer's contact and payment details."
    parameters: ClassVar = {
        "type": "object",
        "properties": {"email": {"type": "string"}, "card": {"type": "string"}},
        "required": ["email", "card"],
    }
    received: ClassVar[list] = []
    lock = threading.Lock()

    def run(self, arguments, ctx):
        with self.lock:
            self.received.append(arguments)
        return f"stored {arguments['email']} with card {arguments['card']} (IBAN {IBAN_VALUE})"


class Lookup(Tool):
    """Returns a record with a card number nobody asked for."""

    name = "lookup"
    description = "Looks a customer up."
    parameters: ClassVar = {"type": "object", "properties": {}}

    def run(self, arguments, ctx):
        return f"customer pays with card {CARD}"


@pytest.fixture
def pii_tools():
    Remember.received.clear()
    register(Remember())
    register(Lookup())
    yield
    unregister("remember")
    unregister("lookup")


def chat(client, message, **extra):
    return client.post(URL, {"message": message, **extra}, format="json")


def _upstream_saw(fake) -> str:
    return json.dumps([r["body"] for r in fake.requests()])


def _stored_rows(*models) -> str:
    return "\n".join(serializers.serialize("json", m.objects.all()) for m in models)


def _audit_text() -> str:
    """Every audit and run record (blocked requests, agent runs and their steps)."""
    return _stored_rows(BlockedRequest, AgentRun, AgentStep)


@pytest.mark.parametrize("protocol", ["native", "text"])
def test_agent_run_masks_for_the_upstream_and_restores_for_tools_and_client(
    tenant_client, fakellm, fake_provider, pii_tools, caplog, protocol
):
    caplog.set_level(logging.DEBUG)
    provider = fake_provider(supports_tools=protocol == "native")
    make_agent("clerk", provider, ["remember"], tool_protocol=protocol)
    # The model can only refer to what it saw: the placeholders.
    arguments = {"email": "[EMAIL_1]", "card": "[CARD_1]"}
    if protocol == "native":
        first = {"tool_calls": [{"name": "remember", "arguments": arguments}]}
    else:
        first = {
            "reply": f"Thought: store it.\nAction: remember\nAction Input: {json.dumps(arguments)}"
        }
    final = "Done: [EMAIL_1] is on file with card [CARD_1] and IBAN [IBAN_1]."
    fakellm.script(first, {"reply": final if protocol == "native" else f"Final Answer: {final}"})

    response = chat(tenant_client, PROMPT, agent="clerk")
    assert response.status_code == 200, response.content
    body = response.json()

    sent = _upstream_saw(fakellm)
    assert len(fakellm.requests()) == 2
    for value in VALUES:
        assert value not in sent  # not in the prompt, nor in the tool's result
    for placeholder in ("[EMAIL_1]", "[CARD_1]", "[IBAN_1]"):
        assert placeholder in sent
    tool_result = fakellm.requests()[1]["body"]["messages"][-1]["content"]
    assert "stored [EMAIL_1] with card [CARD_1] (IBAN [IBAN_1])" in tool_result

    # The tool ran with the real values; the client gets them back.
    assert Remember.received == [{"email": EMAIL, "card": CARD}]
    assert body["reply"] == f"Done: {EMAIL} is on file with card {CARD} and IBAN {IBAN_VALUE}."
    assert body["steps"][0]["arguments"] == {"email": EMAIL, "card": CARD}
    assert body["steps"][0]["status"] == "ok"

    # The conversation is the tenant's own: stored as the user wrote it and as they were told.
    stored = list(
        Message.objects.filter(conversation_id=body["conversation_id"])
        .order_by("seq")
        .values_list("role", "content")
    )
    assert stored[0] == ("user", PROMPT)
    assert stored[-1] == ("assistant", body["reply"])

    # The run's audit records and every log line hold none of the values.
    audit = _audit_text()
    assert '"tool": "remember"' in audit
    for value in VALUES:
        assert value not in audit
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for value in VALUES:
        assert value not in logged


def test_a_continued_conversation_masks_the_history_too(tenant_client, fakellm, fake_provider):
    provider = fake_provider()
    make_agent("memory", provider, [])
    fakellm.script({"reply": "Noted: [EMAIL_1]."}, {"reply": "It is [EMAIL_1]."})
    first = chat(tenant_client, f"My e-mail is {EMAIL}.", agent="memory").json()
    assert first["reply"] == f"Noted: {EMAIL}."
    second = chat(
        tenant_client,
        f"And my card is {CARD}. What was my e-mail?",
        agent="memory",
        conversation_id=first["conversation_id"],
    ).json()
    assert second["reply"] == f"It is {EMAIL}."
    history_sent = fakellm.requests()[-1]["body"]["messages"]
    assert [m["content"] for m in history_sent[1:]] == [
        "My e-mail is [EMAIL_1].",
        "Noted: [EMAIL_1].",
        "And my card is [CARD_1]. What was my e-mail?",
    ]
    assert EMAIL not in _upstream_saw(fakellm)


def test_block_action_refuses_the_chat_before_the_upstream(
    tenant_client, tenant, fakellm, fake_provider
):
    provider = fake_provider()
    make_agent("strict", provider, [])
    pii_policy_save(tenant=tenant, actions={"iban": PiiAction.BLOCK}, updated_by="test")
    response = chat(tenant_client, PROMPT, agent="strict")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "pii_rejected"
    assert error["request_id"]
    assert fakellm.requests() == []  # the upstream never saw it
    assert Message.objects.count() == 0  # nor was anything stored
    record = BlockedRequest.objects.get(reason="pii_iban")
    assert "[REDACTED:iban]" in record.excerpt
    audit = _audit_text()
    for value in VALUES:
        assert value not in audit


def test_a_tool_result_with_a_blocked_entity_ends_the_run(
    tenant_client, tenant, fakellm, fake_provider, pii_tools
):
    provider = fake_provider()
    make_agent("nosy", provider, ["lookup"])
    pii_policy_save(tenant=tenant, actions={"card": PiiAction.BLOCK}, updated_by="test")
    fakellm.script(
        {"tool_calls": [{"name": "lookup", "arguments": {}}]},
        {"reply": "never asked"},
    )
    body = chat(tenant_client, "How does the customer pay?", agent="nosy").json()
    assert body["fallback_reason"] == "tool_blocked"
    assert body["steps"][0]["status"] == "blocked"
    assert len(fakellm.requests()) == 1  # the blocked result never went to the model
    assert CARD not in _upstream_saw(fakellm)
    record = BlockedRequest.objects.get(reason="pii_card")
    assert record.source == "tool_output"
    assert CARD not in _audit_text()


def test_redact_action_and_per_key_policy(
    tenant_client, tenant, tenant_key, fakellm, fake_provider
):
    provider = fake_provider()
    make_agent("plain", provider, [])
    pii_policy_save(tenant=tenant, actions={"email": PiiAction.OFF}, updated_by="test")
    pii_policy_save(
        tenant=tenant,
        api_key=tenant_key.api_key,
        actions={"email": PiiAction.REDACT},
        updated_by="t",
    )
    fakellm.set(reply=None)  # echoes the (redacted) prompt
    body = chat(tenant_client, PROMPT, agent="plain").json()
    sent = _upstream_saw(fakellm)
    assert "[REDACTED:email]" in sent
    assert EMAIL not in sent
    assert EMAIL not in body["reply"]  # redacted is gone for good


def test_nothing_stored_outside_the_conversation_holds_the_values(
    tenant_client, fakellm, fake_provider, pii_tools
):
    """Every row of every table except the tenant's own conversation messages."""
    provider = fake_provider()
    make_agent("clerk", provider, ["remember"])
    fakellm.script(
        {
            "tool_calls": [
                {"name": "remember", "arguments": {"email": "[EMAIL_1]", "card": "[CARD_1]"}}
            ]
        },
        {"reply": "Done."},
    )
    assert chat(tenant_client, PROMPT, agent="clerk").status_code == 200
    models = [
        m
        for m in django_apps.get_models()
        if m._meta.managed and not m._meta.proxy and m is not Message
    ]
    rows = _stored_rows(*models)
    assert "agentstep" in rows
    for value in VALUES:
        assert value not in rows


def test_a_queued_chat_applies_the_same_policy(
    tenant_client, tenant, tenant_key, fakellm, fake_provider
):
    """The job runs with the caller's tenant and key: a per-key policy still applies."""
    provider = fake_provider()
    make_agent("queued", provider, [])
    pii_policy_save(
        tenant=tenant,
        api_key=tenant_key.api_key,
        actions={"email": PiiAction.REDACT},
        updated_by="test",
    )
    fakellm.set(reply="Card [CARD_1] noted.")
    accepted = chat(tenant_client, PROMPT, agent="queued", **{"async": True})
    assert accepted.status_code == 202
    job = tenant_client.get(accepted.json()["url"]).json()
    assert job["status"] == "succeeded", job
    assert job["result"]["reply"] == f"Card {CARD} noted."
    sent = _upstream_saw(fakellm)
    assert "[REDACTED:email]" in sent
    for value in VALUES:
        assert value not in sent
