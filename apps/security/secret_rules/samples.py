"""Synthetic secrets in the shape of every format the redactor must catch, and ordinary lines it
must leave alone: the redaction benchmark (``bench/security/redaction.py``) and the tests use
them.

Nothing here is a real credential. Values are built at run time from a fixed prefix and seeded
random characters (so that no key-shaped literal sits in the repository for secret scanners to
flag) and are deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass

HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
B64 = ALNUM + "+/"


@dataclass(frozen=True)
class SecretSample:
    name: str
    secret: str  # the random part that must never survive redaction
    text: str
    json: str
    url: str

    def placements(self) -> dict[str, str]:
        return {"text": self.text, "json": self.json, "url": self.url}


def _bare(name: str, value: str, secret: str | None = None) -> SecretSample:
    return SecretSample(
        name=name,
        secret=secret or value,
        text=f"calling upstream with {value} now",
        json=json.dumps({"event": "call", "value": value, "n": 2}),
        url=f"GET https://api.example.test/v1/items/{value}/status?page=2",
    )


def _labelled(name: str, label: str, value: str, sep: str = "=") -> SecretSample:
    return SecretSample(
        name=name,
        secret=value,
        text=f"config: {label}{sep}{value} loaded",
        json=json.dumps({label: value, "region": "eu-west-1"}),
        url=f"GET https://api.example.test/v1/cb?{label}={value}&page=2",
    )


def _as_is(name: str, secret: str, text: str, url: str | None = None) -> SecretSample:
    return SecretSample(
        name=name,
        secret=secret,
        text=f"debug: {text} (retrying)",
        json=json.dumps({"log": text, "level": "debug"}),
        url=url or f"POST https://api.example.test/v1/log?line={text.replace(' ', '+')}",
    )


def _luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for check in string.digits:
        digits = body + check
        total, parity = 0, len(digits) % 2
        for index, char in enumerate(digits):
            value = int(char)
            if index % 2 == parity:
                value = value * 2 - 9 if value > 4 else value * 2
            total += value
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


def secret_samples(seed: int = 11) -> list[SecretSample]:
    rng = random.Random(seed)

    def r(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    def pem(kind: str) -> SecretSample:
        body = "\n".join(r(B64, 64) for _ in range(4))
        block = f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"
        return SecretSample(
            name=f"pem_{kind.strip().lower() or 'pkcs8'}",
            secret=body.splitlines()[1],
            text=f"key file:\n{block}\nend",
            json=json.dumps({"private_key": block}),
            url="POST https://api.example.test/v1/keys?pem=" + block.replace("\n", "%0A"),
        )

    visa = _luhn_complete(rng, "4", 16)
    master = _luhn_complete(rng, "53", 16)
    amex = _luhn_complete(rng, "37", 15)
    jwt_head = "eyJ" + r(URLSAFE, 30)
    jwt = f"{jwt_head}.eyJ{r(URLSAFE, 40)}.{r(URLSAFE, 43)}"
    ah = "ah_" + r(HEX, 12) + "_" + r(URLSAFE, 43)
    bearer = r(URLSAFE, 40)
    curl_token = r(ALNUM, 32)
    basic = r(B64, 28) + "=="
    sas = r(ALNUM, 40) + "%3D"
    putty_priv = "\n".join(r(B64, 64) for _ in range(3))
    slack_hook = f"T{r(string.ascii_uppercase + string.digits, 8)}/B{r(string.ascii_uppercase, 8)}"
    slack_hook += "/" + r(ALNUM, 24)
    telegram = f"{r(string.digits, 10)}:AA{r(URLSAFE, 33)}"
    return [
        _bare("openai_legacy", "sk-" + r(ALNUM, 48)),
        _bare("openai_project", "sk-proj-" + r(URLSAFE, 100)),
        _bare("openai_service_account", "sk-svcacct-" + r(URLSAFE, 80)),
        _bare("openai_admin", "sk-admin-" + r(URLSAFE, 80)),
        _bare("anthropic", "sk-ant-api03-" + r(URLSAFE, 93) + "AA"),
        _bare("anthropic_admin", "sk-ant-admin01-" + r(URLSAFE, 93) + "AA"),
        _bare("aws_access_key_id", "AKIA" + r(string.ascii_uppercase + string.digits, 16)),
        _labelled("aws_secret_access_key", "aws_secret_access_key", r(B64, 40)),
        _bare("github_classic", "ghp_" + r(ALNUM, 36)),
        _bare("github_oauth", "gho_" + r(ALNUM, 36)),
        _bare("github_app", "ghs_" + r(ALNUM, 36)),
        _bare("github_fine_grained", "github_pat_" + r(ALNUM, 22) + "_" + r(ALNUM, 59)),
        _bare("gitlab_pat", "glpat-" + r(URLSAFE, 20)),
        _bare("gitlab_deploy", "gldt-" + r(URLSAFE, 20)),
        _bare("slack_bot", f"xoxb-{r(string.digits, 12)}-{r(string.digits, 12)}-{r(ALNUM, 24)}"),
        _bare("slack_user", f"xoxp-{r(string.digits, 12)}-{r(string.digits, 12)}-{r(HEX, 32)}"),
        _bare("slack_webhook", "https://hooks.slack.com/services/" + slack_hook, slack_hook),
        _bare("google_api_key", "AIza" + r(URLSAFE, 35)),
        _bare("google_oauth_secret", "GOCSPX-" + r(URLSAFE, 28)),
        _bare("stripe_live", "sk_live_" + r(ALNUM, 24)),
        _bare("stripe_restricted", "rk_live_" + r(ALNUM, 24)),
        _bare("stripe_test", "sk_test_" + r(ALNUM, 24)),
        _bare("jwt", jwt),
        _bare("npm", "npm_" + r(ALNUM, 36)),
        _bare("pypi", "pypi-AgEIcHlwaS5vcmc" + r(URLSAFE, 70)),
        _bare("huggingface", "hf_" + r(string.ascii_letters, 34)),
        _bare("sendgrid", f"SG.{r(URLSAFE, 22)}.{r(URLSAFE, 43)}"),
        _bare("shopify_access", "shpat_" + r(HEX, 32)),
        _bare("shopify_shared_secret", "shpss_" + r(HEX, 32)),
        _bare("mailgun", "key-" + r(HEX, 32)),
        _bare("twilio_api_key", "SK" + r(HEX, 32)),
        _labelled("twilio_auth_token", "TWILIO_AUTH_TOKEN", r(HEX, 32)),
        _as_is(
            "azure_storage_connection",
            (account_key := r(B64, 86) + "=="),
            "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey="
            f"{account_key};EndpointSuffix=core.windows.net",
        ),
        _as_is(
            "azure_sas",
            sas,
            f"https://acme.blob.core.windows.net/c/f.txt?sv=2022-11-02&se=2030-01-01&sig={sas}",
            f"GET https://acme.blob.core.windows.net/c/f.txt?sp=r&sig={sas}&x=1",
        ),
        _labelled("azure_openai_key", "AZURE_OPENAI_KEY", r(HEX, 32)),
        _bare("telegram_bot_url", f"https://api.telegram.org/bot{telegram}/sendMessage", telegram),
        _as_is(
            "putty_key",
            putty_priv.splitlines()[0],
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\n"
            f"Public-Lines: 1\n{r(B64, 64)}\nPrivate-Lines: 3\n{putty_priv}\n"
            f"Private-MAC: {r(HEX, 64)}",
        ),
        pem("RSA "),
        pem("OPENSSH "),
        pem("EC "),
        pem(""),
        _bare("card_visa", visa),
        _as_is(
            "card_mastercard_spaced",
            master,
            "card " + " ".join(master[i : i + 4] for i in range(0, 16, 4)),
        ),
        _as_is("card_amex_dashed", amex, f"amex {amex[:4]}-{amex[4:10]}-{amex[10:]}"),
        _bare("agenthub_key", ah),
        _as_is("agenthub_key_bearer", ah[-30:], f"Authorization: Bearer {ah}"),
        _as_is("bearer_header", bearer, f"Authorization: Bearer {bearer}"),
        _as_is(
            "curl_quoted_header",
            curl_token,
            f'curl -H "Authorization: Bearer {curl_token}" https://api.example.test/v1',
        ),
        _as_is("basic_auth_header", basic, f"Authorization: Basic {basic}"),
        _as_is(
            "url_password_postgres",
            (pg := r(ALNUM, 20)),
            f"connecting to postgres://app:{pg}@db.internal:5432/app",
        ),
        _as_is("url_password_redis", (rd := r(ALNUM, 18)), f"redis://:{rd}@cache:6379/0"),
        _as_is(
            "url_password_mongodb",
            (mg := r(ALNUM, 16)),
            f"mongodb+srv://svc:{mg}@cluster0.example.net/db",
        ),
        _labelled("password_assignment", "DB_PASSWORD", r(ALNUM, 14)),
        _labelled("api_key_assignment", "api_key", r(ALNUM, 24), ": "),
        _labelled("client_secret_assignment", "client_secret", r(URLSAFE, 32)),
        _labelled("generic_token_assignment", "SERVICE_TOKEN", r(ALNUM, 28)),
        _bare("digitalocean", "dop_v1_" + r(HEX, 64)),
        _bare("databricks", "dapi" + r(HEX, 32)),
        _bare("doppler", "dp.pt." + r(ALNUM, 43)),
        _bare("linear", "lin_api_" + r(ALNUM, 40)),
        _bare("postman", f"PMAK-{r(HEX, 24)}-{r(HEX, 34)}"),
        _bare("pulumi", "pul-" + r(HEX, 40)),
        _bare("grafana_service_account", f"glsa_{r(ALNUM, 32)}_{r(HEX, 8)}"),
        _bare(
            "dynatrace",
            f"dt0c01.{r(string.ascii_uppercase + string.digits, 24)}."
            f"{r(string.ascii_uppercase + string.digits, 64)}",
        ),
        _bare("age_secret_key", "AGE-SECRET-KEY-1" + r("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
        _bare("vault_token", "hvs." + r(URLSAFE, 95)),
        _bare("square", "sq0atp-" + r(URLSAFE, 22)),
        _bare("rubygems", "rubygems_" + r(HEX, 48)),
        _bare("planetscale", "pscale_pw_" + r(URLSAFE, 43)),
    ]


# Lines a log or a prompt carries every day that must come out unchanged.
ORDINARY_LINES = [
    "Author: Mary Shelley",
    "max_tokens: 4096",
    "token_count: 1532",
    "tokenizer: cl100k_base",
    "auth: required",
    "The note is a bearer instrument payable on demand.",
    "apiKey: process.env.OPENAI_API_KEY",
    "token: <YOUR_TOKEN_HERE>",
    "GET /api/v1/flows/notary 200 in 12 ms for tenant acme",
    "INFO worker started: concurrency=4 queue=default",
    "password_policy: min length 12, one digit",
    "Set OPENAI_API_KEY in your environment before running the script.",
    "secret_name: prod/db/credentials",
    "key_id: 7",
    "auth_method: oauth2",
    "The keyboard shortcut is Ctrl+K.",
    "Use the primary_key column for joins.",
    "token usage: prompt=812 completion=233 total=1045",
    "prompt_tokens=812, completion_tokens=233",
    "api_version: 2024-06-01",
    "POST /v1/chat/completions 200 1.82s model=gpt-4o-mini",
    "user_id=42 session=7f3a... expired",
    "Authentication failed: invalid credentials for user bob",
    "See https://docs.example.com/keys for how to rotate keys.",
    "client_id: web-frontend",
    "secret santa list is ready",
    "The access road is closed until Monday.",
    "export PATH=$HOME/.local/bin:$PATH",
    "DEBUG cache hit key=tenant:42:policy version=17",
    "ssh-keygen -t ed25519 -C deploy@example.com",
    "Order 4711 shipped on 2024-05-01 to Berlin.",
    "commit 281f641 security: services.py becomes a package",
    "retry in 2.5 s (attempt 3 of 5)",
    "password: ${DB_PASSWORD}",
    "credentials_file: ~/.aws/credentials",
    "The secretary signed the minutes.",
]


def split_points(text: str, pieces: int, rng: random.Random) -> list[str]:
    """``text`` cut into ``pieces`` parts at random places (for split-across-deltas tests)."""
    cuts = sorted(rng.sample(range(1, len(text)), min(pieces - 1, len(text) - 1)))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


_SEPARATORS = re.compile(r"[ +\-]|%20")


def leaked(secret: str, output: str, window: int = 10) -> bool:
    """Whether any ``window`` characters of ``secret`` survive in ``output``, also once
    separators are dropped (a card number "4111 1111 ..." or "4111+1111+..." in a URL)."""

    def windows(needle: str, haystack: str) -> bool:
        if len(needle) <= window:
            return needle in haystack
        return any(needle[i : i + window] in haystack for i in range(len(needle) - window + 1))

    return windows(secret, output) or windows(
        _SEPARATORS.sub("", secret), _SEPARATORS.sub("", output)
    )
