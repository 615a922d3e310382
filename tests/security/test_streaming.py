"""Redaction across streamed chunks: a secret split between deltas is still redacted."""

from __future__ import annotations

import random
import re

import pytest

from apps.security.streaming import StreamRedactor

SECRET = re.compile(r"sk-[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|password\s*[:=]\s*\S+")


def toy_redact(text: str) -> str:
    return SECRET.sub("[REDACTED]", text)


def stream(text: str, sizes: list[int]) -> str:
    redactor = StreamRedactor(toy_redact)
    out, pos, i = [], 0, 0
    while pos < len(text):
        size = sizes[i % len(sizes)]
        out.append(redactor.feed(text[pos : pos + size]))
        pos += size
        i += 1
    out.append(redactor.flush())
    return "".join(out)


TEXT = (
    "Here is the config you asked for. The key is sk-abcdefghijklmnopqrstuvwxyz0123 and the "
    "AWS id AKIAABCDEFGHIJKLMNOP, password: hunter2-very-secret. Never share them. " * 5
)


@pytest.mark.parametrize("sizes", [[1], [2, 3], [7], [13, 1, 5], [200], [10_000]])
def test_secret_split_across_chunks_is_redacted(sizes):
    out = stream(TEXT, sizes)
    assert out == toy_redact(TEXT)
    assert "sk-abc" not in out
    assert "hunter2" not in out
    assert "AKIA" not in out


def test_random_chunkings_match_whole_text_redaction():
    rng = random.Random(7)
    for _ in range(50):
        sizes = [rng.randint(1, 40) for _ in range(20)]
        assert stream(TEXT, sizes) == toy_redact(TEXT)


def test_text_is_released_before_the_end_of_the_stream():
    redactor = StreamRedactor(toy_redact)
    released = "".join(redactor.feed(word + " ") for word in ["lorem"] * 100)
    assert len(released) == 600  # nothing held: no word could become a secret
    assert released + redactor.flush() == "lorem " * 100


def test_pem_block_is_held_until_its_end():
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\nkqhkiG9w0BAQEF\n-----END PRIVATE KEY-----"

    def redact_pem(text: str) -> str:
        return re.sub(r"-----BEGIN[^-]*-----.*?-----END[^-]*-----", "[PEM]", text, flags=re.S)

    redactor = StreamRedactor(redact_pem)
    text = "intro words here " + pem + " outro words here and more"
    out = "".join(redactor.feed(ch) for ch in text) + redactor.flush()
    assert out == redact_pem(text)
    assert "MIIE" not in out


def test_with_the_real_redactor_secrets_never_leak_across_chunkings(db):
    from apps.security.services import redact

    secrets = [
        "sk-proj-" + "Zq9Xw8Vu7Ts6Rp5" * 3,
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2,
    ]
    text = " ".join(f"filler {i} words here. key {s} more text." for i, s in enumerate(secrets * 3))
    whole = redact(text)
    assert not any(s in whole for s in secrets)
    rng = random.Random(11)
    for _ in range(30):
        redactor = StreamRedactor(redact)
        out, pos = [], 0
        while pos < len(text):
            size = rng.randint(1, 25)
            out.append(redactor.feed(text[pos : pos + size]))
            pos += size
        out.append(redactor.flush())
        streamed = "".join(out)
        assert not any(s in streamed for s in secrets)
        assert not any(s[:12] in streamed for s in secrets)
        assert streamed == whole


# --- with the real rule set: exact, and streaming (#11) ---------------------------------------

from apps.security.redaction import Redactor  # noqa: E402
from apps.security.secret_rules.samples import (  # noqa: E402
    leaked,
    secret_samples,
    split_points,
)


@pytest.fixture(scope="module")
def real() -> Redactor:
    return Redactor()


def _streamed(redactor, pieces: list[str]) -> tuple[str, list[str]]:
    stream_redactor = StreamRedactor(redactor)
    released = [stream_redactor.feed(piece) for piece in pieces]
    released.append(stream_redactor.flush())
    return "".join(released), released


@pytest.mark.parametrize("sample", secret_samples(), ids=lambda s: s.name)
def test_every_format_split_anywhere_is_redacted(real, sample):
    """No split leaks any part of the secret. (The output may differ from redacting the whole
    text in what stays readable around the secret: "ht" + "tps://hooks.slack.com/..." keeps the
    scheme that the whole-text match would have swallowed.)"""
    rng = random.Random(sample.name)
    for text in (sample.text, sample.json):
        whole = real.redact(text)
        for _ in range(8):
            out, _ = _streamed(real, split_points(text, rng.randint(2, 12), rng))
            assert not leaked(sample.secret, out), out
            assert out.count("[REDACTED:") == whole.count("[REDACTED:")


def test_ordinary_words_are_released_as_they_arrive(real):
    stream_redactor = StreamRedactor(real)
    words = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog."]
    released = [stream_redactor.feed(word) for word in words]
    assert released[:-1] == words[:-1]
    assert "".join(released) + stream_redactor.flush() == "".join(words)


def test_only_what_could_become_a_secret_is_held(real):
    stream_redactor = StreamRedactor(real)
    assert stream_redactor.feed("Your key is ") == "Your key is "
    assert stream_redactor.feed("sk") == ""
    assert stream_redactor.feed("-proj-") == ""
    held = stream_redactor.feed("Zq9Xw8Vu7Ts6Rp5" * 3)
    assert held == ""
    assert stream_redactor.feed(" and more words ") == "[REDACTED:openai_key] and more words "
    assert stream_redactor.flush() == ""


def test_a_card_number_spread_over_deltas_is_held_whole(real):
    out, released = _streamed(real, ["Card ", "4111 ", "1111 ", "1111 ", "1111", " ok"])
    assert out == "Card [REDACTED:card_number] ok"
    assert not any("1111" in piece for piece in released)


def test_a_runaway_token_is_released_redacted_past_the_cap(real):
    stream_redactor = StreamRedactor(real)
    released = "".join(stream_redactor.feed("x1" * 1000) for _ in range(10))
    assert len(released) >= 16_000


# --- the shortcuts of the hold policy decide as the full checks do ----------------------------

from apps.security.streaming import (  # noqa: E402
    _DIGIT_GROUPS,
    HoldPolicy,
    _may_end_in_digit_groups,
)


def test_the_digit_group_precheck_never_skips_a_match():
    """RE2's search is skipped only where it cannot match: random text made of what the
    pattern reads (digits, separators, brackets, RE2's and not RE2's whitespace)."""
    rng = random.Random(11)
    alphabet = "0123456789 -.+()\t\n\r\f\x0b\xa0a"
    skipped = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        if _DIGIT_GROUPS.search(text) is not None:
            assert _may_end_in_digit_groups(text), repr(text)
        elif not _may_end_in_digit_groups(text):
            skipped += 1
    assert skipped > 10_000  # and it does skip most of what cannot match
    assert _may_end_in_digit_groups("Card 4111 1111 ")
    assert not _may_end_in_digit_groups("word18 word19 ")


def _every_keyword_length(policy: HoldPolicy, token: str) -> bool:
    """The hold rule for a token as first written: at every start, the whole rest a prefix, or
    a keyword of any length at its head."""
    if len(token) >= 16 or any(c.isdigit() for c in token):
        return True
    lowered = token.lower()
    starts = {0}
    for index, char in enumerate(lowered):
        if not char.isalnum():
            starts.update((index, index + 1))
    lengths = {len(word) for word in policy.starts}
    for start in starts:
        rest = lowered[start:]
        if rest and (rest in policy.prefixes or any(rest[:n] in policy.starts for n in lengths)):
            return True
    return False


def test_the_keyword_walk_holds_exactly_the_tokens_the_full_check_holds(real):
    policy = HoldPolicy.of(Redactor(literals=["CorrectHorseBattery"]))
    rng = random.Random(5)
    # long s and the Kelvin sign: case-fold to "s" and "k" in RE2, not in str.lower()
    tokens = ["lighthouse", "keeper", "sk-", "a://", "KEY-", "x.ak", "Correct", "\u017fk"]
    tokens.append("\u212aey")
    for word in [*real.keywords, "correcthorsebattery"]:
        for n in range(1, len(word) + 1):
            tokens += [word[:n], word[:n].upper(), "x" + word[:n], "-" + word[:n], word[:n] + "."]
    letters = "abcdefghijklmnopqrstuvwxyzAKIE-_.:/\u017f\u212a"
    tokens += ["".join(rng.choice(letters) for _ in range(rng.randint(1, 15))) for _ in range(5000)]
    for token in tokens:
        assert policy.token_may_continue(token) == _every_keyword_length(policy, token), token
