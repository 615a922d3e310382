"""Secret redaction benchmark: leaks, over-redaction and throughput (printed tables).

    .venv/bin/python bench/security/redaction.py [--rounds N]

- **Leaks**: every synthetic format of ``apps.security.secret_rules.samples`` (70+ formats) in
  three placements (free text, a JSON document, a URL). A leak is any 10-character window of the
  secret's random part still present after redaction.
- **Over-redaction**: the ordinary lines of the same module (36); how many change.
- **Throughput**: the default redactor (AgentHub's rules + gitleaks' imported rules) on 2 KB and
  64 KB texts of mixed log lines, JSON and prose with a few secrets in them; per-call latency
  percentiles and MB/s on one core, warm process (RE2 builds DFA states lazily: every text is
  redacted once before timing). Also the same with no secret at all. CPU time
  (``process_time``) and wall time are both shown: on a shared host wall-clock percentiles
  mostly measure the neighbours.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from apps.security.redaction import Redactor  # noqa: E402
from apps.security.secret_rules.samples import (  # noqa: E402
    ORDINARY_LINES,
    leaked,
    secret_samples,
)


def leak_table(redactor: Redactor) -> int:
    samples = secret_samples()
    leaks = []
    for sample in samples:
        for placement, text in sample.placements().items():
            out = redactor.redact(text)
            if leaked(sample.secret, out):
                leaks.append((sample.name, placement, out[:140]))
    total = len(samples) * 3
    print(f"formats: {len(samples)}   placements: {total}   leaks: {len(leaks)}")
    for name, placement, out in leaks:
        print(f"  LEAK {name} [{placement}]: {out!r}")
    return len(leaks)


def ordinary_table(redactor: Redactor) -> int:
    changed = [(line, redactor.redact(line)) for line in ORDINARY_LINES]
    changed = [(a, b) for a, b in changed if a != b]
    print(f"ordinary lines: {len(ORDINARY_LINES)}   changed: {len(changed)}")
    for before, after in changed:
        print(f"  CHANGED {before!r} -> {after!r}")
    return len(changed)


_FILLER = [
    "INFO request done status=200 duration_ms=12 tenant=acme flow=notary",
    '{"role": "user", "content": "Summarise the attached contract in three bullet points."}',
    "The quarterly report shows revenue growth of 12 percent across all regions.",
    "DEBUG provider=openai model=gpt-4o-mini prompt_tokens=812 completion_tokens=233",
    "WARNING breaker half-open for provider anthropic after 3 failures",
    "GET https://api.example.test/v1/items?page=2&sort=desc 200",
]


def corpus(size: int, rng: random.Random, with_secrets: bool) -> str:
    samples = secret_samples(seed=rng.randrange(1 << 30)) if with_secrets else []
    parts, length = [], 0
    while length < size:
        secret = samples and rng.random() < 0.03
        line = rng.choice(samples).text if secret else rng.choice(_FILLER)
        parts.append(line)
        length += len(line) + 1
    return "\n".join(parts)[:size]


def throughput(redactor: Redactor, rounds: int) -> None:
    rng = random.Random(7)
    print(f"rules: {len(redactor.specs)}   keywords: {len(redactor.keywords)}")
    head = ("size", "secrets", "clock", "p50 ms", "p99 ms", "max ms", "MB/s")
    print(" ".join(f"{h:>8}" for h in head))
    for size in (2 * 1024, 64 * 1024):
        for with_secrets in (True, False):
            n = rounds if size <= 2048 else max(20, rounds // 16)
            texts = [corpus(size, rng, with_secrets) for _ in range(min(n, 64))]
            for text in texts:
                redactor.redact(text)  # warm: RE2 builds its DFA states lazily
            walls, cpus = [], []
            for index in range(n):
                text = texts[index % len(texts)]
                wall, cpu = time.perf_counter(), time.process_time()
                redactor.redact(text)
                cpus.append(time.process_time() - cpu)
                walls.append(time.perf_counter() - wall)
            label = "yes" if with_secrets else "no"
            for clock, timings in (("cpu", cpus), ("wall", walls)):
                timings.sort()
                p50 = statistics.median(timings) * 1000
                p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000
                mbps = size / max(statistics.mean(timings), 1e-9) / 1e6
                print(f"{size:>8} {label:>8} {clock:>8} {p50:>8.3f} {p99:>8.3f} "
                      f"{timings[-1] * 1000:>8.3f} {mbps:>7.1f}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="also print a JSON summary line")
    args = parser.parse_args()
    started = time.perf_counter()
    redactor = Redactor()
    print(f"build: {(time.perf_counter() - started) * 1000:.0f} ms")
    leaks = leak_table(redactor)
    changed = ordinary_table(redactor)
    throughput(redactor, args.rounds)
    if args.json:
        print(json.dumps({"leaks": leaks, "ordinary_changed": changed}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
