"""PII on the request path: mask (or redact, or block) before a provider sees a prompt, restore
the placeholders in the answer, and scrub what is stored or logged.

The policy comes from the live snapshot (``PiiPolicy`` rows: global, per tenant, per API key;
a save bumps the policy version, so a change applies within a second everywhere).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.live_config import bump_version
from apps.core.principal import GuardContext
from apps.security import metrics
from apps.security.exceptions import PiiRejected
from apps.security.models import PII_ENTITIES, PiiPolicy, Source
from apps.security.pii.detect import Entity, detect
from apps.security.pii.masking import StreamRestorer, Vault, apply_actions
from apps.security.pii.rules import PiiRules
from apps.security.selectors import POLICY_NAMESPACE, policy_snapshot
from apps.security.services.audit import blocked_request_record
from apps.security.services.redaction import current_redactor

if TYPE_CHECKING:
    from apps.tenants.models import ApiKey, Tenant

logger = logging.getLogger(__name__)

# What never reaches a log line or an audit record, whatever a policy says.
STORAGE_ENTITIES = ("card", "iban", "ssn", "email", "phone")


def _secret_spans(text: str) -> list[tuple[int, int, str]]:
    return [(f.start, f.end, f.name) for f in current_redactor().find(text)]


def pii_rules_for(ctx: GuardContext) -> PiiRules:
    return policy_snapshot().pii_for(ctx.tenant.pk if ctx.tenant else None, ctx.api_key_id)


def pii_detect(text: str, rules: PiiRules) -> list[Entity]:
    return detect(text, rules.active, region=rules.phone_region, secrets=_secret_spans)


def pii_mask(
    texts: Iterable[str],
    *,
    ctx: GuardContext,
    vault: Vault | None = None,
    source: str = Source.USER_INPUT,
) -> tuple[list[str], Vault]:
    """Apply the caller's PII policy to each text (one vault for the whole request).

    Pass the request's ``vault`` when its texts arrive in several steps (an agent's turns and
    tool results): a value keeps its placeholder across all of them. Raises PiiRejected (400)
    when an entity whose action is ``block`` is present; the audit record (of ``source``) then
    holds the text with every entity redacted, never the values."""
    rules = pii_rules_for(ctx)
    vault = Vault() if vault is None else vault
    texts = list(texts)
    if not rules.active:
        return texts, vault
    out: list[str] = []
    blocked: set[str] = set()
    counts: dict[str, int] = {}
    for text in texts:
        entities = pii_detect(text, rules) if text else []
        for entity in entities:
            counts[entity.kind] = counts.get(entity.kind, 0) + 1
            if rules.action(entity.kind) == "block":
                blocked.add(entity.kind)
        out.append(apply_actions(text, entities, rules.action, vault))
    for kind, count in counts.items():
        metrics.PII_ENTITIES.labels(kind, rules.action(kind)).inc(count)
    if blocked:
        reason = "pii_" + "_".join(sorted(blocked))
        redacted = [
            apply_actions(t, pii_detect(t, rules), lambda _k: "redact", Vault()) for t in texts
        ]
        blocked_request_record(
            ctx=ctx,
            source=source,
            text="\n".join(redacted),
            reason=reason,
            decision=None,
        )
        metrics.BLOCKS.labels("pii").inc()
        logger.warning(
            "PII policy rejected a request: %s flow=%s", ",".join(sorted(blocked)), ctx.flow or "-"
        )
        raise PiiRejected()
    return out, vault


def pii_unmask(text: str, vault: Vault) -> str:
    """The answer with the request's placeholders replaced by the originals."""
    return vault.restore(text)


def pii_unmask_json(value: Any, vault: Vault) -> Any:
    """Decoded JSON with the request's placeholders restored in every string."""
    if not vault:
        return value
    if isinstance(value, str):
        return vault.restore(value)
    if isinstance(value, list):
        return [pii_unmask_json(v, vault) for v in value]
    if isinstance(value, dict):
        return {k: pii_unmask_json(v, vault) for k, v in value.items()}
    return value


def pii_stream_restorer(vault: Vault) -> StreamRestorer:
    """Restores placeholders across streamed deltas (``feed(delta) -> str``, ``flush()``)."""
    return StreamRestorer(vault)


def scrub_pii(text: str) -> str:
    """``text`` with personal data replaced by ``[REDACTED:<kind>]`` (for logs and audit)."""
    if not text:
        return text
    entities = detect(text, STORAGE_ENTITIES)
    return apply_actions(text, entities, lambda _kind: "redact", Vault()) if entities else text


def pii_policy_save(
    *,
    tenant: Tenant | None,
    api_key: ApiKey | None = None,
    actions: dict[str, str],
    phone_region: str | None = None,
    updated_by: str = "",
) -> PiiPolicy:
    """Create or change the PII policy of a tenant (or of one of its keys, or the global one
    when both are None); live everywhere within a second (policy version bump)."""
    with transaction.atomic():
        policy = (
            PiiPolicy.objects.select_for_update().filter(tenant=tenant, api_key=api_key).first()
        )
        if policy is None:
            base = policy_snapshot().pii_for(tenant.pk if tenant else None, None)
            policy = PiiPolicy(tenant=tenant, api_key=api_key, phone_region=base.phone_region)
            for entity, action in base.actions.items():
                setattr(policy, entity, action)
        for entity, action in actions.items():
            if entity not in PII_ENTITIES:
                raise ValidationError({entity: "Not a PII entity."})
            setattr(policy, entity, action)
        if phone_region is not None:
            policy.phone_region = phone_region
        policy.updated_by = updated_by[:150]
        policy.full_clean()
        policy.save()
    bump_version(POLICY_NAMESPACE)
    return policy


def pii_policy_delete(*, policy: PiiPolicy) -> None:
    """Remove a tenant's or key's policy (the next broader one applies again)."""
    if policy.tenant_id is None and policy.api_key_id is None:
        raise ValidationError("The global default PII policy cannot be deleted; edit it.")
    policy.delete()
    bump_version(POLICY_NAMESPACE)
