"""The detection engine of the security app: pure Python, no Django models.

normalize -> rules (RE2) -> model (linear, hashed n-grams) -> decision. The Django side builds a
``CompiledRuleSet`` from its pattern table, loads an ``InjectionModel`` once per process and calls
``evaluate``; see the individual modules for details.
"""

from apps.security.guard.engine import Decision, Thresholds, evaluate
from apps.security.guard.model import DEFAULT_MODEL_PATH, InjectionModel, train_model
from apps.security.guard.normalize import Normalized, normalize
from apps.security.guard.rules import (
    CompiledRuleSet,
    PatternError,
    RuleMatch,
    RuleSpec,
    validate_pattern,
)

__all__ = [
    "DEFAULT_MODEL_PATH",
    "CompiledRuleSet",
    "Decision",
    "InjectionModel",
    "Normalized",
    "PatternError",
    "RuleMatch",
    "RuleSpec",
    "Thresholds",
    "evaluate",
    "normalize",
    "train_model",
    "validate_pattern",
]
