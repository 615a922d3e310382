"""Turn gitleaks' rule set (``config/gitleaks.toml``, MIT) into AgentHub's seeded secret rules.

Run at build time, not at run time: the output, ``apps/security/secret_rules/gitleaks.json``, is
committed together with the upstream licence notice and commit, and the redactor loads it.

    python scripts/import_gitleaks.py --toml path/to/gitleaks.toml --commit <sha> \
        --license path/to/LICENSE [--out apps/security/secret_rules/gitleaks.json]

What is kept per rule: id, description, regex, secretGroup, entropy, keywords and the rule's
allowlists (regexes with their target, stopwords, condition); path-only rules and path
allowlists are dropped (AgentHub redacts text, not files). Go RE2 and the RE2 that
``google-re2`` wraps share one syntax; every regex is still compiled here with the same checks
an operator's pattern gets, and a rule that fails is dropped and counted in the output.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_OUT = ROOT / "apps" / "security" / "secret_rules" / "gitleaks.json"


# gitleaks ends most rules with this terminator (a secret in a file ends at a quote, a space or
# a semicolon). In a log line, a URL or a sentence it also ends at / ? & # , . ) ] } < > |:
# without those, ``https://host/hook/<token>/x`` or "use <token>." would leak.
_TERMINATOR = r"""(?:[\x60'"\s;]|\\[nr]|$)"""
_TERMINATOR_WIDE = r"""(?:[\x60'"\s;/?&#,.)}\]<>|]|\\[nr]|$)"""


def _convert(regex: str) -> str:
    """Go RE2 -> google-re2 (Python). The engines share the syntax (Go's ``\\z`` and ``(?-i:)``
    exist in RE2 too), so the regex is kept, with two adjustments: a literal NUL (our checks
    refuse it) becomes an escape, and the file-oriented terminator is widened (above)."""
    return regex.replace("\x00", r"\x00").replace(_TERMINATOR, _TERMINATOR_WIDE)


def _check(regex: str) -> str | None:
    """None when the regex compiles under the same rules as an operator's pattern."""
    from apps.security.guard.rules import PatternError, validate_pattern

    try:
        validate_pattern(regex)
    except PatternError as exc:
        return str(exc)
    return None


def _allowlists(raw: list[dict]) -> tuple[list[dict], list[str]]:
    kept, problems = [], []
    for entry in raw:
        regexes = []
        for regex in entry.get("regexes", []):
            converted = _convert(regex)
            problem = _check(converted)
            if problem:
                problems.append(f"allowlist regex {regex!r}: {problem}")
                continue
            regexes.append(converted)
        stopwords = [s.lower() for s in entry.get("stopwords", [])]
        if not regexes and not stopwords:
            continue  # a path-only allowlist: meaningless for text
        kept.append(
            {
                "target": entry.get("regexTarget", "secret"),
                "regexes": regexes,
                "stopwords": stopwords,
                "condition": entry.get("condition", "OR").upper(),
            }
        )
    return kept, problems


def convert(config: dict) -> dict:
    rules, dropped = [], []
    for rule in config.get("rules", []):
        rule_id = rule["id"]
        regex = rule.get("regex")
        if not regex:
            dropped.append({"id": rule_id, "reason": "path-only rule (no regex)"})
            continue
        converted = _convert(regex)
        problem = _check(converted)
        if problem:
            dropped.append({"id": rule_id, "reason": problem})
            continue
        allowlists, problems = _allowlists(rule.get("allowlists", []))
        for item in problems:
            dropped.append({"id": f"{rule_id} (allowlist)", "reason": item})
        rules.append(
            {
                "id": rule_id,
                "description": rule.get("description", ""),
                "regex": converted,
                "secret_group": int(rule.get("secretGroup", 0)),
                "entropy": float(rule.get("entropy", 0.0)),
                "keywords": sorted({k.lower() for k in rule.get("keywords", [])}),
                "allowlists": allowlists,
            }
        )
    global_allow = config.get("allowlist", {})
    global_regexes = []
    for regex in global_allow.get("regexes", []):
        converted = _convert(regex)
        if _check(converted) is None:
            global_regexes.append(converted)
        else:
            dropped.append({"id": "(global allowlist)", "reason": f"regex {regex!r}"})
    return {
        "rules": rules,
        "global_allowlist": {
            "regexes": global_regexes,
            "stopwords": [s.lower() for s in global_allow.get("stopwords", [])],
        },
        "dropped": dropped,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toml", required=True, type=Path)
    parser.add_argument("--commit", required=True, help="the upstream commit the file came from")
    parser.add_argument("--license", required=True, type=Path, help="upstream LICENSE file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenthub.settings")
    django.setup()

    config = tomllib.loads(args.toml.read_text())
    result = convert(config)
    total = len(config.get("rules", []))
    output = {
        "source": f"https://github.com/gitleaks/gitleaks/blob/{args.commit}/config/gitleaks.toml",
        "upstream_commit": args.commit,
        "license": args.license.read_text().strip(),
        "upstream_rules": total,
        "imported_rules": len(result["rules"]),
        **result,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(output, indent=1, ensure_ascii=False) + "\n")
    print(
        f"gitleaks {args.commit[:12]}: {total} rules, {len(result['rules'])} imported, "
        f"{len(result['dropped'])} dropped -> {args.out.relative_to(ROOT)}"
    )
    for item in result["dropped"]:
        print(f"  dropped {item['id']}: {item['reason']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
