"""The secret rule catalogue: AgentHub's own formats first, then gitleaks' maintained rules.

``gitleaks.json`` is generated at build time by ``scripts/import_gitleaks.py`` from gitleaks'
``config/gitleaks.toml`` (MIT licence; the notice and the upstream commit are in the file).
Seeding copies every rule into ``SecretPattern`` rows once; operators then edit, disable or add
rules in admin and a later seed never overwrites them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from apps.security.redaction import (
    FIRST_GROUP,
    GENERIC,
    MAINTAINED,
    SPECIFIC,
    Allowlist,
    SecretSpec,
)

GITLEAKS_PATH = Path(__file__).with_name("gitleaks.json")

# Labels that contain "token", "key", "auth"... and name something that is not a secret.
_PLAIN_LABELS = (
    r"(?i)(?:tokeni[sz]er|tokens?[_.\-]?(?:count|type|limit|usage|len|length|url|uri|endpoint|"
    r"file|path|id|name|ttl|expir\w*|budget|estimate)|max[_.\-]?tokens|(?:input|output|prompt|"
    r"completion|total|num|n)[_.\-]?tokens|author|auth[_.\-]?(?:method|mode|type|url|uri|"
    r"required|enabled|provider|scheme|header|flow|domain)|(?:key|secret|credentials?)[_.\-]?(?:id|name|size|"
    r"length|type|version|ref|path|file|dir|manager|store|vault)|(?:public|primary|foreign|sort|"
    r"partition|hash|cache|idempotency|unique)[_.\-]?key|keyboard|monkey|turkey|csrf)"
)
_VALUE = r"""(?:"([^"\s]{%d,})"|'([^'\s]{%d,})'|([^\s"',;&}{)(<>]{%d,}))"""

BUILTIN_SECRET_PATTERNS: list[SecretSpec] = [
    SecretSpec(
        "pem_private_key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)",
        keywords=("private key",),
    ),
    SecretSpec(
        "putty_private_key",
        r"PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-MAC:[ \t]*[0-9A-Fa-f]+|\z)",
        keywords=("putty-user-key-file",),
    ),
    SecretSpec(
        "agenthub_key",
        r"\bah_[0-9a-f]{12}_[A-Za-z0-9_\-]{20,}",
        keywords=("ah_",),
        description="AgentHub's own API keys (ah_<prefix>_<secret>).",
    ),
    SecretSpec(
        "anthropic_key",
        r"\bsk-ant-(?:api\d{2}-|admin\d{2}-)?[A-Za-z0-9_\-]{20,}",
        keywords=("sk-ant-",),
    ),
    SecretSpec(
        "openai_key",
        r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}",
        keywords=("sk-",),
        entropy=3.0,
    ),
    SecretSpec(
        "stripe_key",
        r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
        keywords=("sk_live_", "sk_test_", "rk_live_", "rk_test_"),
    ),
    SecretSpec(
        "github_token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})",
        keywords=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    SecretSpec(
        "gitlab_token",
        r"\bgl(?:pat|dt|ptt|rt|cbt|ft|imt|soat|ffct|oas|agent)-[0-9A-Za-z_\-]{20,}",
        keywords=(
            "glpat-",
            "gldt-",
            "glptt-",
            "glrt-",
            "glcbt-",
            "glft-",
            "glimt-",
            "glsoat-",
            "glffct-",
            "gloas-",
            "glagent-",
        ),
    ),
    SecretSpec("slack_token", r"\bxox[abposre]-[A-Za-z0-9\-]{10,}", keywords=("xox",)),
    SecretSpec(
        "slack_webhook",
        r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,}",
        keywords=("hooks.slack.com",),
    ),
    SecretSpec("google_api_key", r"\bAIza[0-9A-Za-z_\-]{30,}", keywords=("aiza",)),
    SecretSpec("google_oauth_secret", r"\bGOCSPX-[A-Za-z0-9_\-]{20,}", keywords=("gocspx-",)),
    SecretSpec(
        "aws_access_key_id",
        r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}\b",
        keywords=("akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "anpa", "anva"),
    ),
    SecretSpec(
        "aws_secret_access_key",
        r"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key)[\"']?\s*[:=]\s*[\"']?"
        r"([A-Za-z0-9/+=]{40})",
        keywords=("secret_access_key", "secretaccesskey", "aws_secret", "awssecret"),
        secret_group=1,
    ),
    SecretSpec("npm_token", r"\bnpm_[A-Za-z0-9]{36}\b", keywords=("npm_",)),
    SecretSpec("pypi_token", r"\bpypi-[A-Za-z0-9_\-]{50,}", keywords=("pypi-",)),
    SecretSpec("huggingface_token", r"\bhf_[A-Za-z0-9]{30,}", keywords=("hf_",)),
    SecretSpec(
        "sendgrid_key",
        r"\bSG\.[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{16,64}",
        keywords=("sg.",),
    ),
    SecretSpec(
        "shopify_token",
        r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
        keywords=("shpat_", "shpca_", "shppa_", "shpss_"),
    ),
    SecretSpec("mailgun_key", r"\b(?:pub)?key-[0-9a-f]{32}\b", keywords=("key-",)),
    SecretSpec("twilio_api_key", r"\bSK[0-9a-fA-F]{32}\b", keywords=("sk",)),
    SecretSpec(
        "twilio_auth_token",
        r"(?i)twilio[\w.\-]{0,30}[\"']?\s*[:=]\s*[\"']?([0-9a-f]{32})\b",
        keywords=("twilio",),
        secret_group=1,
    ),
    SecretSpec(
        "azure_storage_key",
        r"(?i)AccountKey=([A-Za-z0-9+/=]{40,})",
        keywords=("accountkey=",),
        secret_group=1,
    ),
    SecretSpec(
        "azure_sas_signature",
        r"[?&;\s\"']sig=([A-Za-z0-9%+/=]{20,})",
        keywords=("sig=",),
        secret_group=1,
    ),
    SecretSpec(
        "azure_openai_key",
        r"(?i)AZURE_OPENAI_(?:API_)?KEY[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9]{32,})",
        keywords=("azure_openai_",),
        secret_group=1,
    ),
    SecretSpec(
        "telegram_bot_token",
        r"(?:^|[^0-9])(\d{6,12}:AA[A-Za-z0-9_\-]{30,})",
        keywords=(":aa",),
        secret_group=1,
    ),
    SecretSpec(
        "jwt",
        r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
        keywords=("eyj",),
    ),
    SecretSpec(
        "card_number",
        # not "+55 11 ..." (a phone number), but "card+4111+..." (a space in a URL) yes
        r"(?:^|[^+\w]|[A-Za-z]\+)((?:\d(?:[ \-+]|%20)?){12,18}\d)\b",
        secret_group=1,
        check="luhn",
        description="Payment card numbers (13-19 digits, Luhn checksum, known issuer prefix).",
    ),
    SecretSpec(
        "bearer_token",
        r"(?i:authorization[\"']?(?:\s|\+|%20)*(?:[:=]|%3A)(?:\s|\+|%20)*[\"']?"
        r"(?:bearer|token|basic)(?:\s|\+|%20)+|\bbearer(?:\s|\+|%20)+)"
        r"([A-Za-z0-9_\-.~/=]{8,}(?:\+[A-Za-z0-9_\-.~/=]+)*)",
        keywords=("bearer", "authorization"),
        secret_group=1,
        entropy=3.0,
        check="generic",
        kind=MAINTAINED,
    ),
    SecretSpec(
        "url_password",
        r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@\"'<>]{0,128}:([^\s@/\"'<>]{1,256})@",
        keywords=("://",),
        secret_group=1,
        check="generic",
        kind=MAINTAINED,
    ),
    SecretSpec(
        "password_assignment",
        r"(?i)[\w.\-]{0,40}(?:passw(?:or)?d|pwd|passphrase)[\w.\-]{0,20}[\"']?\s*(?:=|:|=>)\s*"
        + _VALUE % (4, 4, 4),
        keywords=("passw", "pwd", "passphrase"),
        secret_group=FIRST_GROUP,
        entropy=2.3,
        check="generic",
        kind=GENERIC,
        allowlists=(
            Allowlist(
                target="match",
                regexes=(
                    r"(?i)passw(?:or)?d[_.\-]?(?:policy|length|reset|hash\w*|field|prompt|min|"
                    r"max|rules?|strength|expir\w*|changed?|required|file|path)",
                ),
            ),
        ),
    ),
    SecretSpec(
        "secret_assignment",
        r"(?i)[\w.\-]{0,40}(?:api[_\-]?key|apikey|access[_\-]?key|secret|token|"
        r"private[_\-]?key|client[_\-]?secret|auth|credential)[\w.\-]{0,20}[\"']?\s*"
        r"(?:=|:|=>)\s*" + _VALUE % (8, 8, 8),
        keywords=("key", "secret", "token", "auth", "credential"),
        secret_group=FIRST_GROUP,
        entropy=3.0,
        check="generic",
        kind=GENERIC,
        allowlists=(Allowlist(target="match", regexes=(_PLAIN_LABELS,)),),
    ),
]

# Card numbers are checked further: only issuer prefixes that exist.
CARD_PREFIXES = ("4", "51", "52", "53", "54", "55", "22", "23", "24", "25", "26", "27", "34",
                 "37", "6011", "65", "35", "30", "36", "38", "62")  # fmt: skip


def _spec_from_gitleaks(rule: dict[str, Any]) -> SecretSpec:
    return SecretSpec(
        name=rule["id"],
        pattern=rule["regex"],
        keywords=tuple(rule.get("keywords", ())),
        entropy=float(rule.get("entropy") or 0.0),
        secret_group=int(rule.get("secret_group") or 0) or FIRST_GROUP,
        allowlists=tuple(
            Allowlist(
                target=a.get("target", "secret"),
                regexes=tuple(a.get("regexes", ())),
                stopwords=tuple(a.get("stopwords", ())),
                condition=a.get("condition", "OR"),
            )
            for a in rule.get("allowlists", ())
        ),
        check="generic" if rule["id"].startswith("generic") else "",
        kind=GENERIC if rule["id"].startswith("generic") else MAINTAINED,
        description=rule.get("description", ""),
    )


@cache
def gitleaks_catalogue() -> dict[str, Any]:
    return json.loads(GITLEAKS_PATH.read_text())


def gitleaks_specs() -> list[SecretSpec]:
    builtin = {spec.name for spec in BUILTIN_SECRET_PATTERNS}
    specs = []
    for rule in gitleaks_catalogue()["rules"]:
        spec = _spec_from_gitleaks(rule)
        if spec.name in builtin:  # e.g. "jwt": both catalogues have one; keep both rules
            spec = replace(spec, name=f"gitleaks-{spec.name}")
        specs.append(spec)
    return specs


DEFAULT_SECRET_PATTERNS: list[SecretSpec] = [*BUILTIN_SECRET_PATTERNS, *gitleaks_specs()]
GLOBAL_ALLOWLIST = Allowlist(
    regexes=tuple(gitleaks_catalogue()["global_allowlist"]["regexes"]),
    stopwords=tuple(gitleaks_catalogue()["global_allowlist"]["stopwords"]),
)

__all__ = [
    "BUILTIN_SECRET_PATTERNS",
    "CARD_PREFIXES",
    "DEFAULT_SECRET_PATTERNS",
    "GITLEAKS_PATH",
    "GLOBAL_ALLOWLIST",
    "SPECIFIC",
    "gitleaks_catalogue",
    "gitleaks_specs",
]
