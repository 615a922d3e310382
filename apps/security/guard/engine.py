"""One decision per input: normalize -> rules -> model -> thresholds.

How the layers combine (see ``Thresholds`` for the numbers and how they were chosen):

* a rule whose action is ``block`` and whose severity is at least ``rule_block_severity`` blocks;
* a model score at or above ``model_block`` blocks;
* any other rule match, or a model score at or above ``model_flag``, flags (allowed, recorded);
* a rule that only matched after de-obfuscation or decoding adds the ``obfuscation`` /
  ``encoded_payload`` category, so the audit trail shows how the attack was hidden.

``score`` is a single number for dashboards and sorting: the noisy-OR of the strongest rule
(severity / 100) and the model score.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.security.guard.model import InjectionModel
from apps.security.guard.normalize import Normalized, normalize
from apps.security.guard.rules import CompiledRuleSet, RuleMatch

__all__ = ["Decision", "Thresholds", "evaluate", "evaluate_normalized"]

_OBFUSCATION_VIEWS = ("despaced", "deleet")
_ENCODED_VIEWS = ("base64", "hex", "url", "html", "rot13")
_OBFUSCATION_SIGNALS = frozenset(
    {"zero_width", "bidi_control", "homoglyph", "tag_characters", "mixed_script"}
)
# The model also scores de-obfuscated / decoded views (max), at most this many besides "text".
_MAX_EXTRA_MODEL_VIEWS = 2
_MAX_EXTRA_VIEW_CHARS = 8000


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds (operators tune them live).

    Defaults were chosen on out-of-fold model scores over the shared labelled examples
    (stratified 5-fold, see ``bench/security/run.py``): ``model_block`` keeps the benign false-
    positive rate of rules + model under 2 % with recall above 0.9; ``model_flag`` marks the
    grey zone for review without blocking.
    """

    model_block: float = 0.80
    model_flag: float = 0.50
    rule_block_severity: int = 50


@dataclass(frozen=True)
class Decision:
    action: str  # "allow" | "flag" | "block"
    score: float
    model_score: float | None
    matches: tuple[RuleMatch, ...]
    categories: tuple[str, ...]
    normalized_text: str
    signals: tuple[str, ...]

    @property
    def blocked(self) -> bool:
        return self.action == "block"

    @property
    def rule_keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.matches)

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "blocked": self.blocked,
            "score": round(self.score, 4),
            "model_score": None if self.model_score is None else round(self.model_score, 4),
            "matches": [
                {
                    "key": m.key,
                    "name": m.name,
                    "category": m.category,
                    "severity": m.severity,
                    "action": m.action,
                    "view": m.view,
                }
                for m in self.matches
            ],
            "categories": list(self.categories),
            "normalized_text": self.normalized_text,
            "signals": list(self.signals),
        }


def evaluate(
    text: str,
    *,
    rules: CompiledRuleSet,
    model: InjectionModel | None,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 (frozen dataclass: immutable default)
) -> Decision:
    """Decide on one input. Never raises for any ``str``."""
    return evaluate_normalized(normalize(text), rules=rules, model=model, thresholds=thresholds)


def evaluate_normalized(
    normalized: Normalized,
    *,
    rules: CompiledRuleSet,
    model: InjectionModel | None,
    thresholds: Thresholds = Thresholds(),  # noqa: B008
) -> Decision:
    matches = tuple(rules.match(normalized))
    model_score = _model_score(normalized, model) if model is not None else None

    rule_blocks = any(
        m.action == "block" and m.severity >= thresholds.rule_block_severity for m in matches
    )
    if rule_blocks or (model_score is not None and model_score >= thresholds.model_block):
        action = "block"
    elif matches or (model_score is not None and model_score >= thresholds.model_flag):
        action = "flag"
    else:
        action = "allow"

    rule_score = max((m.severity for m in matches), default=0) / 100.0
    score = 1.0 - (1.0 - rule_score) * (1.0 - (model_score or 0.0))

    categories = {m.category for m in matches}
    for match in matches:
        base_view = match.view.split("+", 1)[0]
        if base_view in _OBFUSCATION_VIEWS or "+despaced" in match.view or "+deleet" in match.view:
            categories.add("obfuscation")
        if base_view in _ENCODED_VIEWS:
            categories.add("encoded_payload")
    if matches and normalized.signals & _OBFUSCATION_SIGNALS:
        categories.add("obfuscation")

    return Decision(
        action=action,
        score=min(max(score, 0.0), 1.0),
        model_score=model_score,
        matches=matches,
        categories=tuple(sorted(categories)),
        normalized_text=normalized.text,
        signals=tuple(sorted(normalized.signals)),
    )


def _model_score(normalized: Normalized, model: InjectionModel) -> float:
    score = model.score_normalized(normalized.text)
    # decoded / de-obfuscated views first; long near-copies of the text add cost, not signal
    extra = [
        value
        for name, value in normalized.views
        if name != "text" and value and len(value) <= _MAX_EXTRA_VIEW_CHARS
    ]
    extra.sort(key=lambda v: v in (normalized.view("despaced"), normalized.view("deleet")))
    for value in extra[:_MAX_EXTRA_MODEL_VIEWS]:
        score = max(score, model.score_normalized(value))
    return score
