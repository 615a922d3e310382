"""PII detection, reversible masking, the streamed restorer and the policy (live, per key)."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from schwifty import IBAN

from apps.core.principal import GuardContext
from apps.security import selectors
from apps.security.exceptions import PiiRejected
from apps.security.models import BlockedRequest, PiiAction, PiiPolicy
from apps.security.pii.detect import detect
from apps.security.pii.masking import StreamRestorer, Vault, apply_actions
from apps.security.services import (
    pii_mask,
    pii_policy_save,
    pii_rules_for,
    pii_unmask,
    redact_for_logging,
    scrub_pii,
)
from apps.security.services.audit import audit_spool_flush

ALL = ("card", "iban", "ssn", "email", "ip", "phone")


def kinds(text: str) -> list[tuple[str, str]]:
    return [(e.kind, e.value) for e in detect(text, ALL)]


def test_each_entity_is_found_with_its_exact_span():
    uk = phonenumbers.format_number(
        phonenumbers.example_number("GB"), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    iban = IBAN.generate("DE", bank_code="37040044", account_code="0532013000").formatted
    text = (
        f"mail ada.lovelace@example.co.uk or call {uk} or (415) 555-2671; card 4111 1111 1111 "
        f"1111, IBAN {iban}, SSN 123-45-6789, host 192.168.10.20 and 2001:db8::8a2e:370:7334."
    )
    assert kinds(text) == [
        ("email", "ada.lovelace@example.co.uk"),
        ("phone", uk),
        ("phone", "(415) 555-2671"),
        ("card", "4111 1111 1111 1111"),
        ("iban", iban),
        ("ssn", "123-45-6789"),
        ("ip", "192.168.10.20"),
        ("ip", "2001:db8::8a2e:370:7334"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2.3.4000 released",  # not an IP
        "the time is 12:30:45",  # not IPv6
        "SSN 000-12-3456 and 666-12-3456 and 912-12-3456",  # never issued
        "order 4111 1111 1111 1112",  # Luhn fails
        "DE00 3704 0044 0532 0130 00",  # IBAN checksum fails
        "build 20240501 took 12345 ms",  # digits, no phone
        "Meeting 2024-05-01 12:30, order 4711",  # a date and time, not a DC number
        "request e896b983aa6841c59621afca1eeaa6e8 took 1733300000.123 s",
        "contact: support at example dot com",
    ],
)
def test_lookalikes_are_not_pii(text):
    assert kinds(text) == []


def test_vault_gives_stable_placeholders_and_restores():
    vault = Vault()
    text = "a@example.org, b@example.org, again a@example.org"
    masked = apply_actions(text, detect(text, ["email"]), lambda _k: "mask", vault)
    assert masked == "[EMAIL_1], [EMAIL_2], again [EMAIL_1]"
    assert vault.restore("Reply to [EMAIL_2] and [EMAIL_1]; [EMAIL_9] stays") == (
        "Reply to b@example.org and a@example.org; [EMAIL_9] stays"
    )


def test_stream_restorer_handles_placeholders_split_anywhere():
    vault = Vault()
    vault.placeholder("email", "a@example.org")
    vault.placeholder("iban", "DE89 3704 0044 0532 0130 00")
    answer = "Send [EMAIL_1] the [IBAN_1] now [not a placeholder] [EMAIL_"
    rng = random.Random(5)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(answer)), rng.randint(1, 12)))
        pieces = [answer[a:b] for a, b in zip([0, *cuts], [*cuts, len(answer)], strict=True)]
        restorer = StreamRestorer(vault)
        out = "".join(restorer.feed(p) for p in pieces) + restorer.flush()
        assert out == vault.restore(answer)
    restorer = StreamRestorer(vault)
    assert restorer.feed("plain words ") == "plain words "  # nothing held without a bracket
    assert restorer.feed("and [EMA") == "and "


@pytest.mark.django_db
def test_default_policy_masks_and_the_audit_never_stores_pii(tenant):
    ctx = GuardContext(tenant=tenant)
    texts = ["mail bob@example.org, card 4111111111111111", "call +44 20 7946 0958"]
    masked, vault = pii_mask(texts, ctx=ctx)
    assert masked == ["mail [EMAIL_1], card [CARD_1]", "call [PHONE_1]"]
    assert pii_unmask("ok [EMAIL_1] [PHONE_1]", vault) == "ok bob@example.org +44 20 7946 0958"
    pii_policy_save(tenant=tenant, actions={"phone": PiiAction.BLOCK}, updated_by="t")
    with pytest.raises(PiiRejected):
        pii_mask(texts, ctx=ctx)
    audit_spool_flush()
    record = BlockedRequest.objects.get(reason="pii_phone")
    assert "7946" not in record.excerpt
    assert "bob@example.org" not in record.excerpt
    assert "4111111111111111" not in record.excerpt


@pytest.mark.django_db
def test_policy_precedence_key_over_tenant_over_global_and_live(tenant, tenant_key):
    ctx = GuardContext(tenant=tenant, api_key_id=tenant_key.api_key.pk)
    assert pii_rules_for(ctx).action("email") == "mask"
    pii_policy_save(tenant=None, actions={"email": PiiAction.REDACT}, updated_by="t")
    assert pii_rules_for(ctx).action("email") == "redact"
    pii_policy_save(tenant=tenant, actions={"email": PiiAction.OFF}, updated_by="t")
    assert pii_rules_for(ctx).action("email") == "off"
    pii_policy_save(
        tenant=tenant, api_key=tenant_key.api_key, actions={"email": "block"}, updated_by="t"
    )
    assert pii_rules_for(ctx).action("email") == "block"
    assert pii_rules_for(GuardContext(tenant=tenant)).action("email") == "off"
    assert PiiPolicy.objects.filter(tenant=tenant).count() == 2


@pytest.mark.django_db
def test_policy_api_reads_changes_and_validates(operator_client, tenant_client, tenant_key):
    url = "/api/v1/security/pii-policy"
    got = operator_client.get(url)
    assert got.status_code == 200
    assert got.json()["scope"] == "inherited"
    assert got.json()["card"] == "mask"
    changed = operator_client.patch(url, {"card": "block", "phone_region": "de"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["card"] == "block"
    assert changed.json()["phone_region"] == "DE"
    keyed = operator_client.patch(
        f"{url}?api_key={tenant_key.api_key.pk}", {"email": "off"}, format="json"
    )
    assert keyed.json()["scope"] == "api_key"
    assert keyed.json()["card"] == "block"  # a new key policy starts from the tenant's
    bad = operator_client.patch(url, {"email": "shred"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_error"
    assert operator_client.patch(url, {"phone_region": "QQ"}, format="json").status_code == 400
    assert tenant_client.patch(url, {"email": "off"}, format="json").status_code == 403
    assert operator_client.get(f"{url}?api_key=999999").status_code == 404
    assert operator_client.delete(f"{url}?api_key={tenant_key.api_key.pk}").status_code == 204
    selectors.POLICY.invalidate()
    assert operator_client.get(f"{url}?api_key={tenant_key.api_key.pk}").json()["email"] == "mask"


def test_logs_and_storage_scrub_pii_and_secrets():
    line = "user bob@example.org paid with 4111 1111 1111 1111 using key ghp_" + "a1B2" * 9
    out = redact_for_logging(line)
    assert "bob@example.org" not in out
    assert "4111" not in out
    assert "a1B2a1B2" not in out
    assert scrub_pii("no personal data here, 42 items") == "no personal data here, 42 items"
