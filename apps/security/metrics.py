"""Prometheus metrics of the guard, defined once per process.

Label values are bounded: ``validation_type`` is the guarded source (user_input,
context_document, tool_output, output) or ``scan``; ``result`` is allow, flag, block,
truncated or too_large; ``reason`` is rule, model, rule+model, judge, canary_leak or
input_too_large; the judge's ``outcome`` is yes, no, timeout, error, budget or unavailable.
"""

from prometheus_client import Counter, Histogram

VALIDATIONS = Counter(
    "ai_platform_security_validations_total",
    "Texts checked by the security guard, by what was checked and the outcome.",
    ["validation_type", "result"],
)

BLOCKS = Counter(
    "ai_platform_security_blocks_total",
    "Inputs or outputs blocked by the security guard, by reason.",
    ["reason"],
)

AUDIT_SPOOLED = Counter(
    "ai_platform_security_audit_spooled_total",
    "Audit records kept in the spool because the database write failed, by spool kind.",
    ["spool"],
)

JUDGE = Counter(
    "ai_platform_security_judge_total",
    "LLM judge consultations for uncertain inputs, by outcome (yes, no, timeout, error, budget, "
    "unavailable).",
    ["outcome"],
)

JUDGE_SECONDS = Histogram(
    "ai_platform_security_judge_duration_seconds",
    "How long the LLM judge took to answer (or to time out / fail).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0),
)
