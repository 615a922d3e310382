"""The security app's use cases, one module per concern:

- ``guard``: guard_input / guard_output / scan (sanitize -> evaluate -> block + audit)
- ``sanitization``: the policy's text clean-up
- ``redaction``: the live secret redactor (and the one redaction for logs and storage)
- ``pii``: PII masking before a provider, restore in the answer
- ``audit``: the append-only audit trail and its durable spool
- ``policy``: writes to patterns and policy objects
- ``training``: model versions, examples, retraining
- ``seeding``: defaults for a fresh install

Callers import from ``apps.security.services``; the names below are the public surface.
"""

from apps.core.principal import GuardContext
from apps.security.services.audit import (
    audit_purge,
    audit_record_build,
    audit_spool,
    audit_spool_flush,
    audit_spool_pending,
    blocked_request_record,
    blocked_requests_set_verdict,
)
from apps.security.services.guard import (
    GuardResult,
    guard_input,
    guard_output,
    new_canary,
    sanitize_for,
    scan,
)
from apps.security.services.pii import (
    pii_mask,
    pii_policy_delete,
    pii_policy_save,
    pii_rules_for,
    pii_stream_restorer,
    pii_unmask,
    pii_unmask_json,
    scrub_pii,
)
from apps.security.services.policy import (
    PATTERN_FIELDS,
    ImportResult,
    PolicyObject,
    injection_pattern_create,
    injection_pattern_delete,
    injection_pattern_update,
    injection_patterns_import,
    injection_patterns_set_enabled,
    policy_object_delete,
    policy_object_save,
    secret_patterns_set_enabled,
    tenant_detection_policy_set,
)
from apps.security.services.redaction import (
    current_redactor,
    redact,
    redact_for_logging,
    redact_json,
    redact_json_for_logging,
)
from apps.security.services.sanitization import (
    STORED_CONTROL,
    sanitize_text,
    scrub_surrogates,
)
from apps.security.services.seeding import (
    security_seed,
)
from apps.security.services.training import (
    MIN_EXAMPLES_PER_CLASS,
    ExampleImportResult,
    injection_model_retrain,
    injection_model_version_activate,
    injection_model_version_create,
    training_examples_import,
)

__all__ = [
    "MIN_EXAMPLES_PER_CLASS",
    "PATTERN_FIELDS",
    "STORED_CONTROL",
    "ExampleImportResult",
    "GuardContext",
    "GuardResult",
    "ImportResult",
    "PolicyObject",
    "audit_purge",
    "audit_record_build",
    "audit_spool",
    "audit_spool_flush",
    "audit_spool_pending",
    "blocked_request_record",
    "blocked_requests_set_verdict",
    "current_redactor",
    "guard_input",
    "guard_output",
    "injection_model_retrain",
    "injection_model_version_activate",
    "injection_model_version_create",
    "injection_pattern_create",
    "injection_pattern_delete",
    "injection_pattern_update",
    "injection_patterns_import",
    "injection_patterns_set_enabled",
    "new_canary",
    "pii_mask",
    "pii_policy_delete",
    "pii_policy_save",
    "pii_rules_for",
    "pii_stream_restorer",
    "pii_unmask",
    "pii_unmask_json",
    "policy_object_delete",
    "policy_object_save",
    "redact",
    "redact_for_logging",
    "redact_json",
    "redact_json_for_logging",
    "sanitize_for",
    "sanitize_text",
    "scan",
    "scrub_pii",
    "scrub_surrogates",
    "secret_patterns_set_enabled",
    "security_seed",
    "tenant_detection_policy_set",
    "training_examples_import",
]
