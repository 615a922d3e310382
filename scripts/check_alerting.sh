#!/usr/bin/env bash
# Validate the alerting bundle under docker/ (Prometheus config, alert rules, Grafana dashboards).
#
#   scripts/check_alerting.sh                         # static checks (needs promtool)
#   scripts/check_alerting.sh --metrics-url URL       # + lint a live /metrics with promtool and
#                                                     #   check every metric the bundle uses is
#                                                     #   exported (send some traffic first)
#   scripts/check_alerting.sh --registry              # + check the names against the metrics the
#                                                     #   code defines (no server needed)
#
# promtool comes from Debian's `prometheus` package: apt-get install -y prometheus
set -o errexit -o pipefail -o nounset

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[[ -x "$PY" ]] || PY=python3

metrics_url=""
registry=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --metrics-url) metrics_url="$2"; shift 2 ;;
    --registry) registry=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if ! command -v promtool >/dev/null; then
  echo "promtool not found: apt-get install -y prometheus" >&2
  exit 2
fi

echo "== promtool check config"
promtool check config docker/prometheus/prometheus.yml
echo "== promtool check rules"
promtool check rules docker/prometheus/alerts.yml
echo "== promtool test rules"
promtool test rules docker/prometheus/alerts.test.yml

echo "== Grafana dashboards are generated from scripts/grafana_dashboards.py"
"$PY" scripts/grafana_dashboards.py --check
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PY" scripts/check_metric_names.py --promql-rules "$tmp/dashboard-queries.yml"
echo "== dashboard queries parse as PromQL"
promtool check rules "$tmp/dashboard-queries.yml"

echo "== metrics used by alerts and dashboards"
"$PY" scripts/check_metric_names.py

if [[ "$registry" == 1 ]]; then
  echo "== ... defined by the code"
  "$PY" scripts/check_metric_names.py --against-registry
fi

if [[ -n "$metrics_url" ]]; then
  echo "== promtool check metrics $metrics_url"
  "$PY" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
    "$metrics_url" > "$tmp/metrics.txt"
  promtool check metrics < "$tmp/metrics.txt"
  echo "== ... exported by $metrics_url"
  "$PY" scripts/check_metric_names.py --against "$tmp/metrics.txt"
fi
echo "alerting bundle OK"
