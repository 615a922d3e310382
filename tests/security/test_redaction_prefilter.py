"""The redactor's shortcuts find what running every keyword-matched rule finds.

Each is checked against the plain way: the required-text gate (a rule whose keyword occurs but
none of its pattern's required strings is skipped), one RE2 set pass for keywords and
keywordless rules together, ASCII text read by the rules as bytes, and a candidate's checks
remembered per rule.
"""

from __future__ import annotations

import random
import sys

import pytest
import re2

from apps.security.redaction import Finding, Redactor
from apps.security.required_text import CASELESS, matches_requirement, required_text
from apps.security.secret_rules.samples import ORDINARY_LINES, secret_samples, split_points
from apps.security.streaming import StreamRedactor


class PlainRedactor(Redactor):
    """Every rule whose keyword occurs runs (two set passes, no required-text gate), on the
    text as ``str``: the redactor as it was before the shortcuts."""

    def _candidates(self, text: str, data: bytes) -> list[int]:
        numbers: set[int] = set()
        for index in self._keyword_set.Match(text) or ():
            numbers.update(self._keyword_rules[index])
        for index in self._always_set.Match(text) or ():
            numbers.add(self._always[index])
        return sorted(numbers)

    def _rule_findings_in(self, rule, text, subject=None):
        return super()._rule_findings_in(rule, text, None)

    def _accepted(self, rule, secret, match, text):
        return self._accept(rule, secret, match, text)  # decided afresh every time


@pytest.fixture(scope="module")
def fast() -> Redactor:
    return Redactor(literals=["CorrectHorseBatteryStaple"])


@pytest.fixture(scope="module")
def plain() -> PlainRedactor:
    return PlainRedactor(literals=["CorrectHorseBatteryStaple"])


PROSE = (
    "They said every key is checked. Ask the task owner; the risk is theirs. The API token "
    "rotates, so keys expire: see the docs, then retry. Every survey shows money matters. "
)
NON_ASCII = "Schl\u00fcssel \u2014 \u212aey: \u017fk-" + "Zq9Xw8Vu7Ts6Rp5" * 2 + " \u5bc6\u94a5 "


def _texts() -> list[str]:
    rng = random.Random(3)
    texts = [PROSE, NON_ASCII, *ORDINARY_LINES]
    for sample in secret_samples(seed=5):
        for text in sample.placements().values():
            texts += [text, f"{PROSE}{text} {PROSE[:80]}", f"{NON_ASCII}{text}"]
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:=/+ \n\"'"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200))) for _ in range(200)]
    return texts


def _spans(findings: list[Finding]) -> list[tuple]:
    return [(f.start, f.end, f.name, f.match_start, f.match_end, f.rank) for f in findings]


def test_find_is_the_same_as_running_every_keyword_matched_rule(fast, plain):
    for text in _texts():
        assert _spans(fast.find(text)) == _spans(plain.find(text)), text


def test_long_texts_find_the_same_in_windows(fast, plain):
    samples = secret_samples(seed=6)
    rng = random.Random(4)
    for _ in range(3):
        parts = [PROSE]
        while sum(map(len, parts)) < 10_000:
            parts.append(rng.choice(samples).text if rng.random() < 0.2 else PROSE)
        text = "\n".join(parts)
        assert _spans(fast.find(text)) == _spans(plain.find(text))


def test_streams_release_the_same_delta_by_delta(fast, plain):
    rng = random.Random(8)
    for text in _texts()[::3]:
        for _ in range(3):
            pieces = split_points(text, rng.randint(2, 12), rng) if len(text) > 1 else [text]
            streams = [StreamRedactor(fast), StreamRedactor(plain)]
            for piece in pieces:
                assert streams[0].feed(piece) == streams[1].feed(piece), (text, pieces)
            assert streams[0].flush() == streams[1].flush()


def test_the_gate_skips_the_rules_english_triggers(fast):
    """What the gate is for: "ey", "sk", "key"... occur in the prose, their rules do not run."""
    text = PROSE * 3
    candidates = {fast._rules[n].spec.name for n in fast._candidates(text, text.encode())}
    assert "gitleaks-jwt" not in candidates  # keyword "ey", needs ".ey"
    assert "twilio-api-key" not in candidates  # keyword "sk", needs "SK"
    hit = {fast._rules[n].spec.name for n in PlainRedactor._candidates(fast, text, b"")}
    assert {"gitleaks-jwt", "twilio-api-key"} <= hit


# --- the required strings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        (r"\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9_-]{17,})", (".ey",)),
        (r"\bSK[0-9a-fA-F]{32}\b", ("SK",)),
        (r"(?:AKIA|ASIA)[A-Z0-9]{16}", ("KIA", "SIA")),  # Python factors out the "A"
        (r"(?i)token\s*(?:=|:|=>)\s*\S{8,}", (":", "=")),  # letters fold: only ":" "=" count
        (r"(?i)api_key", ("_",)),
        (r"(?i)key", ()),
        (r"x(?i:abc)-y", ("-y",)),
        (r"(?i)a(?-i:BC)d", ("BC",)),
        (r"ab?c", ("a",)),  # "b" is optional: "a" and "c" are required, each alone
        (r"(?:abc)?def", ("def",)),
        (r"(?:abc)*", ()),
        (r"(?:xyz)+q", ("xyz",)),
        (r"(?:abc|d)ef", ("ef",)),
        (r"(?:abc|\w)", ()),  # one branch needs nothing
        (r"[[:alpha:]]x", ()),  # POSIX class: Python would read a literal "]"
        (r"\Qa.b\E", ()),
        (r"\pLabc", ()),
        (r"abc\z", ()),
        (r"(?#x)abc", ()),
    ],
)
def test_required_text(pattern, required):
    assert required_text(pattern) == required


def test_every_shipped_rule_matches_only_where_its_required_text_occurs(fast):
    """Soundness on everything a rule matches in the samples and the mixed texts."""
    texts = _texts()
    checked = 0
    for rule in fast._rules:
        if not rule.required:
            continue
        for text in texts:
            if rule.regex.search(text) is not None:
                assert matches_requirement(text, rule.required), (rule.spec.name, text)
                checked += 1
    assert checked > 50


def test_caseless_characters_match_only_themselves_under_case_folding():
    """RE2 folds letters over Unicode (``(?i)k`` matches the Kelvin sign); the characters the
    gate keeps in case-insensitive parts must fold to nothing else."""
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    caseless = sorted(CASELESS)
    pattern = re2.compile("(?i)[" + "".join(re2.escape(c) for c in caseless) + "]")
    assert sorted(pattern.findall(every)) == caseless


def test_ascii_text_read_as_bytes_finds_the_same(fast):
    for text in _texts():
        if not text.isascii():
            continue
        for rule in fast._rules:
            as_bytes = list(fast._rule_findings_in(rule, text, text.encode()))
            assert as_bytes == list(fast._rule_findings_in(rule, text)), (rule.spec.name, text)


def test_remembered_decisions_are_bounded_and_keyed_by_what_they_read():
    from apps.security import redaction

    redactor = Redactor()
    rule = next(r for r in redactor._rules if r.spec.name == "secret_assignment")
    assert rule.reads_match
    assert not rule.reads_line

    def remembered() -> list[tuple]:
        return [key for key in redactor._decisions if key[0] == id(rule)]

    names = {f.name for f in redactor.find("api_key = 'Zq9Xw8Vu7Ts6Rp5Zq9'")}
    assert "secret_assignment" in names
    assert len(remembered()) == 1
    # the same secret after a label its allowlist exempts: decided again, not taken from memory
    names = {f.name for f in redactor.find("max_tokens = 'Zq9Xw8Vu7Ts6Rp5Zq9'")}
    assert "secret_assignment" not in names
    assert len(remembered()) == 2
    for n in range(redaction._DECISIONS_MAX + 5):
        redactor.find(f"token = 'Zq9Xw8Vu7Ts6Rp5-{n}'")
    assert len(redactor._decisions) <= redaction._DECISIONS_MAX
