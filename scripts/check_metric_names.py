"""List every ``ai_platform_*`` metric the alert rules and Grafana dashboards use, and check that
the application exports them.

    python scripts/check_metric_names.py                      # list: name  <- where it is used
    python scripts/check_metric_names.py --against URL|FILE|-  # vs. a live /metrics exposition
    python scripts/check_metric_names.py --against-registry    # vs. the metrics the code defines
    python scripts/check_metric_names.py --promql-rules OUT    # dashboard queries as a rule file,
                                                               # for `promtool check rules OUT`

A referenced name matches an exported family by Prometheus naming: ``x_total`` is counter ``x``;
``x_bucket``/``x_count``/``x_sum`` belong to histogram (or summary) ``x``. With prometheus
multiprocess mode a labelled metric only appears in /metrics once it has a sample, so
``--against`` needs traffic first; ``--against-registry`` does not (it imports every app's
``metrics`` module and reads the in-process registry).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ALERTS = ROOT / "docker" / "prometheus" / "alerts.yml"
DASHBOARDS = ROOT / "docker" / "grafana" / "dashboards"
METRIC_RE = re.compile(r"\bai_platform_[a-zA-Z0-9_]+\b")
SUFFIXES = {
    "_total": {"counter"},
    "_bucket": {"histogram"},
    "_count": {"histogram", "summary"},
    "_sum": {"histogram", "summary"},
}
# Grafana template syntax -> plain PromQL, so promtool can parse dashboard queries.
GRAFANA_SUBSTITUTIONS = [
    (re.compile(r"\$__(rate_)?interval"), "5m"),
    (re.compile(r'=~"\$\w+"'), '=~".*"'),
]


def alert_expressions() -> Iterator[tuple[str, str]]:
    rules = yaml.safe_load(ALERTS.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            yield f"alerts.yml:{name}", rule["expr"]


def _walk(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "query", "definition") and isinstance(value, str):
                yield value
            else:
                yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def dashboard_expressions() -> Iterator[tuple[str, str]]:
    for path in sorted(DASHBOARDS.glob("*.json")):
        for expr in _walk(json.loads(path.read_text())):
            yield path.name, expr


def referenced_names() -> dict[str, set[str]]:
    used: dict[str, set[str]] = defaultdict(set)
    for source, expr in [*alert_expressions(), *dashboard_expressions()]:
        for name in METRIC_RE.findall(expr):
            used[name].add(source.split(":")[0])
    return dict(sorted(used.items()))


def is_exported(name: str, families: dict[str, str]) -> bool:
    """``families``: family name -> type, as prometheus_client's parser/registry name them."""
    if name in families:
        return True
    for suffix, types in SUFFIXES.items():
        if name.endswith(suffix) and families.get(name.removesuffix(suffix)) in types:
            return True
    return False


def families_from_text(text: str) -> dict[str, str]:
    from prometheus_client.parser import text_string_to_metric_families

    return {family.name: family.type for family in text_string_to_metric_families(text)}


def families_from_registry() -> dict[str, str]:
    import importlib

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenthub.settings")
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # read the plain in-process registry
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.apps import apps
    from prometheus_client import REGISTRY

    for config in apps.get_app_configs():
        module = f"{config.name}.metrics"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return {metric.name: metric.type for metric in REGISTRY.collect()}


def read_exposition(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=10) as response:  # noqa: S310 (http only)
            return response.read().decode()
    return Path(source).read_text()


def promql_rules(expressions: Iterable[tuple[str, str]]) -> dict:
    rules = []
    for index, (source, expr) in enumerate(expressions):
        for pattern, replacement in GRAFANA_SUBSTITUTIONS:
            expr = pattern.sub(replacement, expr)
        if expr.startswith("label_values("):
            continue  # a Grafana function, not PromQL
        rules.append(
            {"record": f"dashboard:{Path(source).stem.replace('-', '_')}:{index}", "expr": expr}
        )
    return {"groups": [{"name": "grafana-dashboard-queries", "rules": rules}]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--against", metavar="URL|FILE|-", help="a /metrics exposition")
    group.add_argument("--against-registry", action="store_true")
    group.add_argument("--promql-rules", metavar="OUT", help="write dashboard queries as rules")
    group.add_argument("--names-only", action="store_true", help="just the names, one a line")
    args = parser.parse_args(argv)

    used = referenced_names()
    if args.promql_rules:
        Path(args.promql_rules).write_text(yaml.safe_dump(promql_rules(dashboard_expressions())))
        return 0
    if args.names_only:
        print("\n".join(used))
        return 0
    if not (args.against or args.against_registry):
        for name, sources in used.items():
            print(f"{name:55} <- {', '.join(sorted(sources))}")
        return 0

    if args.against:
        families = families_from_text(read_exposition(args.against))
    else:
        families = families_from_registry()
    missing = [name for name in used if not is_exported(name, families)]
    for name in used:
        print(f"{'MISSING' if name in missing else 'ok':8} {name}")
    if missing:
        print(
            f"\n{len(missing)} of {len(used)} metrics used by alerts/dashboards are not exported."
        )
        return 1
    print(f"\nall {len(used)} metrics used by alerts/dashboards are exported.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
