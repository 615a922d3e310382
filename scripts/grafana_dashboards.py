"""Generate the provisioned Grafana dashboards in docker/grafana/dashboards/ from one place.

    python scripts/grafana_dashboards.py          # (re)write the JSON files
    python scripts/grafana_dashboards.py --check  # exit 1 if the committed files are stale

Hand-edited dashboard JSON drifts (ids, grid positions, copy-pasted queries); generating it keeps
every panel on the same datasource, units and rate windows, and keeps the metric names in one
readable file that scripts/check_metric_names.py can audit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parent.parent / "docker" / "grafana" / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}  # provisioned with this uid
RATE = "$__rate_interval"

BREAKER_STATES = [  # ai_platform_circuit_breaker_state values
    ("0", "closed", "green"),
    ("1", "open", "red"),
    ("2", "half-open", "orange"),
]


def target(expr: str, legend: str = "", *, instant: bool = False, ref: str = "A") -> dict:
    return {
        "datasource": DATASOURCE,
        "expr": expr,
        "legendFormat": legend or "__auto",
        "instant": instant,
        "range": not instant,
        "refId": ref,
    }


def _thresholds(steps: list[tuple[float | None, str]]) -> dict:
    return {
        "mode": "absolute",
        "steps": [{"color": color, "value": value} for value, color in steps],
    }


def timeseries(
    title: str,
    targets: list[dict],
    *,
    unit: str = "short",
    description: str = "",
    thresholds: list[tuple[float | None, str]] | None = None,
    stack: bool = False,
) -> dict:
    custom: dict[str, Any] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10}
    if stack:
        custom["stacking"] = {"mode": "normal", "group": "A"}
    if thresholds:
        custom["thresholdsStyle"] = {"mode": "dashed"}
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "targets": targets,
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "custom": custom,
                "thresholds": _thresholds(thresholds or [(None, "green")]),
            },
            "overrides": [],
        },
        "options": {
            "legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max"]},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def rate_by(metric: str, *labels: str) -> str:
    return f"sum by ({', '.join(labels)}) (rate({metric}[{RATE}]))"


def quantile(q: str, buckets: str, *labels: str) -> str:
    return f"histogram_quantile({q}, sum by ({', '.join(labels)}, le) (rate({buckets}[{RATE}])))"


def per_second(title: str, metric: str, *labels: str, **kw: Any) -> dict:
    """Rate of a counter per label combination, one series each, legend "{{a}} {{b}}"."""
    legend = " ".join(f"{{{{{label}}}}}" for label in labels)
    return timeseries(title, [target(rate_by(metric, *labels), legend)], unit="reqps", **kw)


def stat(
    title: str,
    expr: str,
    *,
    unit: str = "short",
    legend: str = "",
    thresholds: list[tuple[float | None, str]] | None = None,
    mappings: list[dict] | None = None,
    description: str = "",
) -> dict:
    return {
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "targets": [target(expr, legend, instant=True)],
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "mappings": mappings or [],
                "thresholds": _thresholds(thresholds or [(None, "green")]),
                "color": {"mode": "thresholds"},
            },
            "overrides": [],
        },
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "background",
            "graphMode": "none",
            "textMode": "value_and_name" if legend else "auto",
            "justifyMode": "auto",
            "orientation": "auto",
        },
    }


def bars(title: str, expr: str, legend: str, *, unit: str = "short", description: str = "") -> dict:
    """Horizontal bar gauge of an instant (topk) query: a readable 'top N' list."""
    return {
        "type": "bargauge",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "targets": [target(expr, legend, instant=True)],
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "min": 0,
                "color": {"mode": "continuous-BlYlRd"},
                "thresholds": _thresholds([(None, "green")]),
            },
            "overrides": [],
        },
        "options": {
            "orientation": "horizontal",
            "displayMode": "gradient",
            "showUnfilled": True,
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        },
    }


def breaker_mappings() -> list[dict]:
    return [
        {
            "type": "value",
            "options": {
                value: {"text": text, "color": color, "index": i}
                for i, (value, text, color) in enumerate(BREAKER_STATES)
            },
        }
    ]


def query_variable(name: str, label: str, query: str) -> dict:
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "definition": query,
        "query": {"query": query, "refId": f"{name}-values"},
        "refresh": 2,
        "includeAll": True,
        "multi": True,
        "allValue": ".*",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
        "options": [],
    }


def layout(rows: list[list[tuple[dict, int, int]]]) -> list[dict]:
    """Place panels on Grafana's 24-column grid, row by row: (panel, width, height)."""
    panels, y, next_id = [], 0, 1
    for row in rows:
        x, row_height = 0, 0
        for panel, width, height in row:
            panels.append(
                {"id": next_id, "gridPos": {"x": x, "y": y, "w": width, "h": height}, **panel}
            )
            next_id += 1
            x += width
            row_height = max(row_height, height)
        y += row_height
    return panels


def dashboard(uid: str, title: str, description: str, rows: list, variables: list[dict]) -> dict:
    return {
        "id": None,
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["agenthub"],
        "timezone": "utc",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": variables},
        "annotations": {"list": []},
        "links": [
            {
                "type": "dashboards",
                "tags": ["agenthub"],
                "asDropdown": True,
                "title": "AgentHub",
                "includeVars": False,
                "keepTime": True,
            }
        ],
        "panels": layout(rows),
    }


# --------------------------------------------------------------------------- the dashboards

P = 'provider=~"$provider"'
# Two units, named apart (apps/providers/metrics.py): a *request* is one provider tried for a
# call, its retries inside (the unit of the duration histogram, the error rate and the console
# dashboard); an *attempt* is one upstream try (each retry counts; what the upstream sees).
REQUESTS = f"ai_platform_provider_requests_total{{{P}}}"
FAILED_REQUESTS = f'ai_platform_provider_requests_total{{{P},outcome="error"}}'
ATTEMPTS = f"ai_platform_provider_attempts_total{{{P}}}"
BUCKETS = f"ai_platform_llm_duration_seconds_bucket{{{P}}}"
ERRORS = f"ai_platform_llm_errors_total{{{P}}}"


def llm_health() -> dict:
    error_ratio = f"{rate_by(FAILED_REQUESTS, 'provider')} / {rate_by(REQUESTS, 'provider')}"
    rows = [
        [
            (
                stat(
                    "Requests (last hour)",
                    f"sum(increase({REQUESTS}[1h]))",
                    description="One per provider tried for a call; its retries are inside it.",
                ),
                6,
                4,
            ),
            (
                stat(
                    "Error rate (last hour)",
                    f"sum(increase({FAILED_REQUESTS}[1h])) / sum(increase({REQUESTS}[1h]))",
                    unit="percentunit",
                    thresholds=[(None, "green"), (0.05, "orange"), (0.10, "red")],
                    description="Failed requests / requests (the same unit: never above 100 %).",
                ),
                6,
                4,
            ),
            (
                stat(
                    "p95 latency (last hour)",
                    f"histogram_quantile(0.95, sum by (le) (increase({BUCKETS}[1h])))",
                    unit="s",
                    thresholds=[(None, "green"), (10, "orange"), (20, "red")],
                ),
                6,
                4,
            ),
            (
                stat(
                    "Upstream attempts (last hour)",
                    f"sum(increase({ATTEMPTS}[1h]))",
                    description="Every try sent upstream, each retry counted.",
                ),
                6,
                4,
            ),
        ],
        [
            (per_second("Requests per second by provider", REQUESTS, "provider"), 8, 8),
            (
                per_second(
                    "Upstream attempts per second by outcome",
                    ATTEMPTS,
                    "provider",
                    "outcome",
                    stack=True,
                    description="Attempts exceed requests by the retries.",
                ),
                8,
                8,
            ),
            (
                timeseries(
                    "Error rate by provider",
                    [target(error_ratio, "{{provider}}")],
                    unit="percentunit",
                    thresholds=[(None, "green"), (0.10, "red")],
                    description="Failed requests per request. Alert HighLLMErrorRate: above 10% "
                    "for 5 min.",
                ),
                8,
                8,
            ),
        ],
        [
            (
                timeseries(
                    "Latency by provider (p50 / p95 / p99)",
                    [
                        target(quantile("0.5", BUCKETS, "provider"), "p50 {{provider}}", ref="A"),
                        target(quantile("0.95", BUCKETS, "provider"), "p95 {{provider}}", ref="B"),
                        target(quantile("0.99", BUCKETS, "provider"), "p99 {{provider}}", ref="C"),
                    ],
                    unit="s",
                    thresholds=[(None, "green"), (20, "red")],
                    description="Alert HighLLMLatencyP95: p95 above 20 s for 10 min.",
                ),
                12,
                8,
            ),
            (
                timeseries(
                    "p95 latency by flow",
                    [target(quantile("0.95", BUCKETS, "flow"), "{{flow}}")],
                    unit="s",
                ),
                12,
                8,
            ),
        ],
        [
            (
                per_second(
                    "Failed attempts and breaker rejections (circuit_open) per second",
                    ERRORS,
                    "provider",
                    "error_type",
                    stack=True,
                ),
                16,
                8,
            ),
            (
                bars(
                    "Failed attempts and breaker rejections by type (last hour)",
                    f"sort_desc(sum by (error_type) (increase({ERRORS}[1h])))",
                    "{{error_type}}",
                ),
                8,
                8,
            ),
        ],
    ]
    variables = [
        query_variable(
            "provider", "Provider", "label_values(ai_platform_provider_requests_total, provider)"
        )
    ]
    return dashboard(
        "agenthub-llm-health",
        "AgentHub / LLM health",
        "Upstream LLM calls: throughput, errors, latency per provider and flow.",
        rows,
        variables,
    )


def breakers() -> dict:
    C = 'circuit_name=~"$circuit"'
    state = f"max by (circuit_name) (ai_platform_circuit_breaker_state{{{C}}})"
    failures = f"ai_platform_circuit_breaker_failures_total{{{C}}}"
    rows = [
        [
            (
                stat(
                    "Breaker state",
                    state,
                    legend="{{circuit_name}}",
                    mappings=breaker_mappings(),
                    thresholds=[(None, "green"), (1, "red")],
                    description="Alert CircuitBreakerOpen: not closed for 1 min.",
                ),
                16,
                5,
            ),
            (
                stat(
                    "Open breakers",
                    f"count({state} > 0) or vector(0)",
                    thresholds=[(None, "green"), (1, "red")],
                ),
                8,
                5,
            ),
        ],
        [
            (
                {
                    "type": "state-timeline",
                    "title": "State over time",
                    "description": "",
                    "datasource": DATASOURCE,
                    "targets": [target(state, "{{circuit_name}}")],
                    "fieldConfig": {
                        "defaults": {
                            "mappings": breaker_mappings(),
                            "thresholds": _thresholds([(None, "green"), (1, "red")]),
                            "color": {"mode": "thresholds"},
                            "custom": {"fillOpacity": 80, "lineWidth": 0},
                        },
                        "overrides": [],
                    },
                    "options": {
                        "showValue": "auto",
                        "mergeValues": True,
                        "rowHeight": 0.8,
                        "legend": {"displayMode": "list", "placement": "bottom"},
                        "tooltip": {"mode": "single"},
                    },
                },
                24,
                8,
            )
        ],
        [
            (per_second("Recorded failures per second", failures, "circuit_name"), 16, 8),
            (
                bars(
                    "Failures by breaker (last 24 h)",
                    f"sort_desc(sum by (circuit_name) (increase({failures}[24h])))",
                    "{{circuit_name}}",
                ),
                8,
                8,
            ),
        ],
    ]
    variables = [
        query_variable(
            "circuit", "Breaker", "label_values(ai_platform_circuit_breaker_state, circuit_name)"
        )
    ]
    return dashboard(
        "agenthub-breakers",
        "AgentHub / Circuit breakers",
        "Per-provider circuit breakers: state (0 closed, 1 open, 2 half-open) and failures.",
        rows,
        variables,
    )


def security() -> dict:
    blocks = "ai_platform_security_blocks_total"
    validations = "ai_platform_security_validations_total"
    rows = [
        [
            (
                stat(
                    "Blocks per second (now)",
                    f"sum(rate({blocks}[5m]))",
                    unit="reqps",
                    thresholds=[(None, "green"), (5, "orange"), (10, "red")],
                    description="Alert HighInjectionAttempts: above 10/s.",
                ),
                6,
                4,
            ),
            (stat("Blocks (last 24 h)", f"sum(increase({blocks}[24h]))"), 6, 4),
            (stat("Validations (last 24 h)", f"sum(increase({validations}[24h]))"), 6, 4),
            (
                stat(
                    "Blocked share of validations (last hour)",
                    f"sum(increase({blocks}[1h])) / sum(increase({validations}[1h]))",
                    unit="percentunit",
                    thresholds=[(None, "green"), (0.2, "orange")],
                ),
                6,
                4,
            ),
        ],
        [
            (
                per_second(
                    "Blocks per second by reason",
                    blocks,
                    "reason",
                    stack=True,
                    thresholds=[(None, "green"), (10, "red")],
                ),
                12,
                8,
            ),
            (
                per_second(
                    "Validations per second by type and result",
                    validations,
                    "validation_type",
                    "result",
                ),
                12,
                8,
            ),
        ],
        [
            (
                bars(
                    "Top block reasons (last 24 h)",
                    f"topk(10, sum by (reason) (increase({blocks}[24h])))",
                    "{{reason}}",
                ),
                12,
                8,
            ),
            (
                bars(
                    "Validation results (last 24 h)",
                    f"sort_desc(sum by (validation_type, result) (increase({validations}[24h])))",
                    "{{validation_type}} {{result}}",
                ),
                12,
                8,
            ),
        ],
    ]
    return dashboard(
        "agenthub-security",
        "AgentHub / Security",
        "Prompt-injection guard and secret redaction: validations and blocks.",
        rows,
        [],
    )


def agents() -> dict:
    T = 'tenant_id=~"$tenant"'
    executions = f"ai_platform_agent_executions_total{{{T}}}"
    duration = f"ai_platform_agent_execution_duration_seconds_bucket{{{T}}}"
    tools = "ai_platform_agent_tool_calls_total"
    fallbacks = "ai_platform_agent_fallbacks_total"
    rows = [
        [
            (stat("Executions (last hour)", f"sum(increase({executions}[1h]))"), 6, 4),
            (
                stat(
                    "p95 execution time (last hour)",
                    f"histogram_quantile(0.95, sum by (le) (increase({duration}[1h])))",
                    unit="s",
                ),
                6,
                4,
            ),
            (stat("Tool calls (last hour)", f"sum(increase({tools}[1h]))"), 6, 4),
            (
                stat(
                    "Fallbacks per second (now)",
                    f"sum(rate({fallbacks}[5m]))",
                    unit="reqps",
                    thresholds=[(None, "green"), (0.5, "orange"), (1, "red")],
                    description="Alert AgentFallbackSurge: above 1/s for 5 min.",
                ),
                6,
                4,
            ),
        ],
        [
            (
                per_second("Executions per second by status", executions, "status", stack=True),
                12,
                8,
            ),
            (
                timeseries(
                    "Execution time by tenant (p50 / p95)",
                    [
                        target(
                            quantile("0.5", duration, "tenant_id"), "p50 {{tenant_id}}", ref="A"
                        ),
                        target(
                            quantile("0.95", duration, "tenant_id"), "p95 {{tenant_id}}", ref="B"
                        ),
                    ],
                    unit="s",
                ),
                12,
                8,
            ),
        ],
        [
            (
                per_second(
                    "Tool calls per second by tool and status", tools, "tool_name", "status"
                ),
                12,
                8,
            ),
            (
                per_second(
                    "Fallbacks per second by reason",
                    fallbacks,
                    "reason",
                    stack=True,
                    thresholds=[(None, "green"), (1, "red")],
                ),
                12,
                8,
            ),
        ],
        [
            (
                bars(
                    "Top tenants by executions (last 24 h)",
                    f"topk(10, sum by (tenant_id) (increase({executions}[24h])))",
                    "{{tenant_id}}",
                ),
                12,
                8,
            ),
            (
                bars(
                    "Top tools (last 24 h)",
                    f"topk(10, sum by (tool_name) (increase({tools}[24h])))",
                    "{{tool_name}}",
                ),
                12,
                8,
            ),
        ],
    ]
    variables = [
        query_variable(
            "tenant", "Tenant", "label_values(ai_platform_agent_executions_total, tenant_id)"
        )
    ]
    return dashboard(
        "agenthub-agents",
        "AgentHub / Agents",
        "ReAct agents: executions, duration, tool calls and fallbacks.",
        rows,
        variables,
    )


DASHBOARDS = {
    "llm-health.json": llm_health,
    "breakers.json": breakers,
    "security.json": security,
    "agents.json": agents,
}


def render(build: Any) -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the files are stale")
    args = parser.parse_args(argv)
    stale = []
    for name, build in DASHBOARDS.items():
        path = OUT_DIR / name
        text = render(build)
        if args.check:
            if not path.is_file() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print("stale dashboards (run python scripts/grafana_dashboards.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
