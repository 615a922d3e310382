"""Redaction across streamed chunks: a secret split between deltas is still redacted."""

from __future__ import annotations

import random
import re

import pytest

from apps.security.streaming import StreamRedactor

SECRET = re.compile(r"sk-[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|password\s*[:=]\s*\S+")


def toy_redact(text: str) -> str:
    return SECRET.sub("[REDACTED]", text)


def stream(text: str, sizes: list[int], *, window: int = 64) -> str:
    redactor = StreamRedactor(toy_redact, window=window)
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
    redactor = StreamRedactor(toy_redact, window=32)
    released = "".join(redactor.feed(word + " ") for word in ["lorem"] * 100)
    assert len(released) > 400  # held back only about one window
    assert released + redactor.flush() == "lorem " * 100


def test_pem_block_is_held_until_its_end():
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\nkqhkiG9w0BAQEF\n-----END PRIVATE KEY-----"

    def redact_pem(text: str) -> str:
        return re.sub(r"-----BEGIN[^-]*-----.*?-----END[^-]*-----", "[PEM]", text, flags=re.S)

    redactor = StreamRedactor(redact_pem, window=8)
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
