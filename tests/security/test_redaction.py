"""Secret redaction: every supported format, configured literals, operator patterns, no crash."""

from __future__ import annotations

import time

import pytest

from apps.security.guard.rules import PatternError
from apps.security.redaction import (
    DEFAULT_SECRET_PATTERNS,
    Redactor,
    SecretSpec,
    validate_secret_pattern,
)

# Synthetic values in the right shapes (none of them is a real credential).
SECRETS = {
    "openai_key": "sk-Abcdefghijklmnopqrstuvwx0123456789ABCD",
    "openai_project_key": "sk-proj-Abcdefghijklmnopqrstuvwx0123456789_-ABCD",
    "anthropic_key": "sk-ant-api03-Abcdefghijklmnopqrstuvwx0123456789-ABCDEFG",
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "github_pat_classic": "ghp_" + "A1b2C3d4E5" * 4,
    "github_oauth": "gho_" + "A1b2C3d4E5" * 4,
    "github_fine_grained": "github_pat_11ABCDEFG0" + "a1B2c3D4e5" * 6,
    "slack": "xoxb-123456789012-123456789012-AbCdEfGhIjKlMnOpQrStUvWx",
    "slack_user": "xoxp-123456789012-abcdefghijkl",
    "google": "AIza" + "SyA1234567890abcdefghijklmnopqrstu",
    "stripe_live": "sk_live_" + "51Hxyz" * 4,
    "stripe_restricted": "rk_live_" + "51Hxyz" * 4,
    "jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
}


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


@pytest.mark.parametrize(("kind", "secret"), sorted(SECRETS.items()))
def test_known_key_formats_are_redacted(redactor, kind, secret):
    out = redactor.redact(f"calling upstream with key={secret!r} now; raw {secret} end")
    assert secret not in out
    assert "[REDACTED:" in out
    assert out.endswith(" end")


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI",
         "aws_secret_access_key = "),
        ("Authorization: Bearer abc.def-ghi_jkl123456", "abc.def-ghi_jkl123456",
         "Authorization: Bearer "),
        ('{"headers": {"authorization": "Bearer tok_1234567890abcdef"}}', "tok_1234567890abcdef",
         '"authorization": "Bearer '),
        ("postgres://admin:hunter2-very-secret@db.internal:5432/app", "hunter2-very-secret",
         "postgres://admin:"),
        ("redis://:s3cr3tpass@cache:6379/0", "s3cr3tpass", "redis://"),
        ('{"api_key": "abcd1234efgh5678"}', "abcd1234efgh5678", '{"api_key": "'),
        ("export OPENAI_API_KEY=abcd1234efgh5678", "abcd1234efgh5678", "export OPENAI_API_KEY="),
        ("PASSWORD=correct-horse-battery", "correct-horse-battery", "PASSWORD="),
        ("client_secret: 'zyxw9876vuts'", "zyxw9876vuts", "client_secret: '"),
        ("db_token=abcdef123456&x=1", "abcdef123456", "db_token="),
    ],
)  # fmt: skip
def test_assignments_keep_their_label(redactor, text, secret, kept):
    out = redactor.redact(text)
    assert secret not in out
    assert kept in out


def test_pem_private_key_blocks(redactor):
    pem = (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\nabcdEFGH==\n"
        "-----END RSA PRIVATE KEY-----"
    )
    out = redactor.redact(f"key:\n{pem}\ndone")
    assert "MIIEowIBAAKCAQEA7bq" not in out
    assert out == "key:\n[REDACTED:pem_private_key]\ndone"
    truncated = redactor.redact("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk...")
    assert "b3BlbnNzaC1rZXk" not in truncated


def test_configured_literals_are_hidden_everywhere():
    canary = "canary-provider-key-7f3a9c"
    redactor = Redactor(literals=[canary, "short"])
    out = redactor.redact(f"upstream said: invalid key {canary}; retry {canary}x")
    assert canary not in out
    assert out.count("[REDACTED:configured_secret]") == 2
    assert redactor.redact("a short word") == "a short word"  # too short to be a literal


def test_text_without_secrets_is_returned_unchanged(redactor):
    text = "GET /api/v1/flows/notary 200 in 12 ms for tenant acme"
    assert redactor.redact(text) is text
    assert redactor.redact("") == ""
    many = "ordinary log line with numbers 12345 and words " * 2_000
    started = time.perf_counter()
    for _ in range(100):
        redactor.redact(many)
    assert time.perf_counter() - started < 2.0


def test_never_raises(redactor):
    assert redactor.redact(None) == "None"  # type: ignore[arg-type]
    assert redactor.redact("\x00\xff" * 10_000)
    assert isinstance(redactor.redact("key=" + "x" * 1_000_000), str)


def test_operator_patterns_and_invalid_ones():
    redactor = Redactor(
        [SecretSpec("employee_id", r"\bEMP-\d{6}\b"), SecretSpec("bad", "(unclosed")],
        literals=["literal-secret-value"],
    )
    assert [s.name for s in redactor.specs] == ["employee_id"]
    assert dict(redactor.skipped)["bad"].startswith("Invalid pattern")
    assert redactor.redact("EMP-123456 and literal-secret-value") == (
        "[REDACTED:employee_id] and [REDACTED:configured_secret]"
    )


def test_capturing_groups_in_patterns_do_not_confuse_labels():
    redactor = Redactor([SecretSpec("a", r"(foo)(bar)\d+"), SecretSpec("b", r"baz(\d+)")])
    assert redactor.redact("foobar12 baz34") == "[REDACTED:a] [REDACTED:b]"


@pytest.mark.parametrize("pattern", ["", "(x", r"(a)\1", "(?=a)b", "x*"])
def test_validate_secret_pattern_uses_the_same_rules(pattern):
    with pytest.raises(PatternError, match="Invalid pattern"):
        validate_secret_pattern(pattern)


def test_defaults_cover_every_required_kind():
    names = {spec.name for spec in DEFAULT_SECRET_PATTERNS}
    assert names >= {
        "openai_key", "anthropic_key", "aws_access_key_id", "aws_secret_access_key",
        "github_token", "slack_token", "google_api_key", "stripe_key", "jwt", "bearer_token",
        "url_password", "pem_private_key", "secret_assignment",
    }  # fmt: skip
    assert Redactor().skipped == ()


# --- the maintained rule set (#11) -------------------------------------------------------------

from apps.security.redaction import GENERIC, Allowlist, shannon_entropy  # noqa: E402
from apps.security.secret_rules import gitleaks_catalogue  # noqa: E402
from apps.security.secret_rules.samples import (  # noqa: E402
    ORDINARY_LINES,
    leaked,
    secret_samples,
)


@pytest.mark.parametrize("sample", secret_samples(), ids=lambda s: s.name)
def test_every_format_in_every_placement_is_redacted(redactor, sample):
    for placement, text in sample.placements().items():
        out = redactor.redact(text)
        assert not leaked(sample.secret, out), (placement, out)
        assert "[REDACTED:" in out


def test_other_seeds_do_not_leak_either(redactor):
    for seed in (1, 2, 3):
        for sample in secret_samples(seed):
            for text in sample.placements().values():
                assert not leaked(sample.secret, redactor.redact(text)), (seed, sample.name)


@pytest.mark.parametrize("line", ORDINARY_LINES)
def test_ordinary_lines_are_left_alone(redactor, line):
    assert redactor.redact(line) == line


def test_quoted_curl_header_redacts_the_token_not_the_word_bearer(redactor):
    token = "tok" + "9f8e7d6c5b4a3210" * 2
    out = redactor.redact(f'curl -H "Authorization: Bearer {token}" https://api.example.test')
    assert token not in out
    assert "Authorization: Bearer [REDACTED:" in out


def test_longer_secret_wins_an_overlap_and_the_label_stays_readable(redactor):
    key = "sk-proj-" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8" * 2
    out = redactor.redact(f"OPENAI_API_KEY={key}")
    assert out == "OPENAI_API_KEY=[REDACTED:openai_key]"


def test_gitleaks_catalogue_keeps_licence_commit_and_counts():
    catalogue = gitleaks_catalogue()
    assert "MIT License" in catalogue["license"]
    assert len(catalogue["upstream_commit"]) == 40
    assert catalogue["upstream_rules"] == 222
    assert catalogue["imported_rules"] == len(catalogue["rules"]) >= 200
    assert {d["id"] for d in catalogue["dropped"]} == {"pkcs12-file"}
    names = {spec.name for spec in DEFAULT_SECRET_PATTERNS}
    assert {"gitlab-pat", "npm-access-token", "generic-api-key", "gitleaks-jwt"} <= names
    assert len(DEFAULT_SECRET_PATTERNS) >= 250


def test_keyword_prefilter_runs_a_rule_only_where_its_keyword_occurs():
    redactor = Redactor([SecretSpec("emp", r"\b[A-Z]{3}-\d{6}\b", keywords=("emp-",))])
    assert redactor.redact("EMP-123456") == "[REDACTED:emp]"
    assert redactor.redact("ABC-123456") == "ABC-123456"  # would match; keyword absent


def test_entropy_and_allowlists_of_a_rule():
    spec = SecretSpec(
        "tok",
        r"tok=([A-Za-z0-9]{8,})",
        keywords=("tok=",),
        secret_group=1,
        entropy=3.0,
        allowlists=(Allowlist(regexes=(r"^TEST",)), Allowlist(stopwords=("sample",))),
    )
    redactor = Redactor([spec])
    assert redactor.redact("tok=Zx81Qw73Lp") == "tok=[REDACTED:tok]"
    assert redactor.redact("tok=aaaaaaaabb") == "tok=aaaaaaaabb"  # low entropy
    assert redactor.redact("tok=TESTx81Qw73Lp") == "tok=TESTx81Qw73Lp"
    assert redactor.redact("tok=Sample81Qw73") == "tok=Sample81Qw73"
    assert shannon_entropy("abcd") == 2.0


def test_generic_rules_skip_placeholders_and_references(redactor):
    for line in (
        "api_key = ${OPENAI_API_KEY}",
        "client_secret: {{ secrets.CLIENT_SECRET }}",
        'token = os.environ["SERVICE_TOKEN"]',
        "password: <your-password-here>",
        "secret: xxxxxxxxxxxxxxxx",
    ):
        assert redactor.redact(line) == line
    assert any(s.kind == GENERIC for s in redactor.specs)


def test_a_rule_that_stops_mid_token_redacts_the_whole_token():
    redactor = Redactor([SecretSpec("short", r"\bzzk-[a-z0-9]{6}", keywords=("zzk-",))])
    assert redactor.redact("use zzk-abc123def456ghi please") == "use [REDACTED:short] please"


def test_card_numbers_need_luhn_and_an_issuer_prefix(redactor):
    assert "[REDACTED:card_number]" in redactor.redact("card 4111-1111-1111-1111")
    assert redactor.redact("order 4111-1111-1111-1112") == "order 4111-1111-1111-1112"
    assert redactor.redact("id 9111111111111111") == "id 9111111111111111"
