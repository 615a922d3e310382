"""Guard latency of two checkouts, interleaved, on the same texts (for a busy shared host).

    .venv/bin/python bench/security/latency_ab.py BEFORE_DIR AFTER_DIR [--sizes 2048,32768]

``run.py`` measures one checkout at a time; on a host shared with other work the load moves
between two such runs by more than the difference being measured. Here one warm worker process
per checkout (``evaluate()`` with the default rules and the shipped model, as in ``run.py``)
scores the same fresh random slices of the labelled rows, the two taking turns batch by batch,
so both see the same load. Prints CPU time (``process_time``) p50 / p90 / p99 per checkout;
``--repeat 3`` keeps each text's fastest of three calls (its own cost, without preemption).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
# ../shared next to the checkout, or two levels up for a worktree (as run.py looks)
DEFAULT_DATA = (
    next(
        (
            candidate
            for candidate in (REPO.parent / "shared/eval", REPO.parent.parent / "shared/eval")
            if candidate.is_dir()
        ),
        REPO.parent / "shared/eval",
    )
    / "injection-dev.jsonl"
)


def worker(data: Path) -> None:
    """Answer "corpus size seed count repeat" lines with the CPU seconds of each call."""
    sys.path.insert(0, os.getcwd())  # the checkout being measured
    from apps.security.guard.defaults import default_rule_specs
    from apps.security.guard.engine import evaluate
    from apps.security.guard.model import DEFAULT_MODEL_PATH, InjectionModel
    from apps.security.guard.rules import CompiledRuleSet
    from apps.security.guard.train import label_to_int

    rows = [json.loads(line) for line in data.open(encoding="utf-8") if line.strip()]
    corpora = {
        "mixed": "\n".join(row["text"] for row in rows),
        "benign": "\n".join(row["text"] for row in rows if not label_to_int(row["label"])),
    }
    rules = CompiledRuleSet.build(default_rule_specs())
    model = InjectionModel.load(DEFAULT_MODEL_PATH)
    print("ready", flush=True)
    for line in sys.stdin:
        name, size, seed, count, repeat = line.split()
        corpus = corpora[name]
        starts = np.random.default_rng(int(seed)).integers(0, len(corpus) - int(size), int(count))
        timings = []
        for start in starts:
            text = corpus[start : start + int(size)]
            best = float("inf")
            for _ in range(int(repeat)):
                began = time.process_time()
                evaluate(text, rules=rules, model=model)
                best = min(best, time.process_time() - began)
            timings.append(best)
        print(json.dumps(timings), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="2048,32768")
    parser.add_argument("--corpus", default="mixed", choices=("mixed", "benign"))
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.data)
        return
    checkouts = {"before": args.before.resolve(), "after": args.after.resolve()}
    command = [sys.executable, str(Path(__file__).resolve()), ".", ".", "--worker"]
    workers = {
        name: subprocess.Popen(
            [*command, "--data", str(args.data.resolve())],
            cwd=path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, path in checkouts.items()
    }

    def ask(name: str, request: str) -> list[float]:
        process = workers[name]
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(request + "\n")
        process.stdin.flush()
        return json.loads(process.stdout.readline())

    for process in workers.values():
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise SystemExit(f"a worker did not start (checkout {process.args})")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for size in map(int, args.sizes.split(",")):
        per_batch = 50 if size <= 8192 else 20
        for name in workers:  # warm-up: word cache, RE2 automata
            ask(name, f"{args.corpus} {size} 999 {300 if size <= 8192 else 150} 1")
        timings: dict[str, list[float]] = {name: [] for name in workers}
        for batch in range(args.batches):
            order = list(workers) if batch % 2 == 0 else list(workers)[::-1]
            for name in order:
                request = f"{args.corpus} {size} {batch} {per_batch} {args.repeat}"
                timings[name] += ask(name, request)
        cells = []
        for name, values in timings.items():
            p50, p90, p99 = np.percentile(np.asarray(values) * 1e3, [50, 90, 99])
            cells.append(f"{name} {p50:.3f} / {p90:.3f} / {p99:.3f} ms")
        print(f"{size:>6} B {args.corpus} (p50 / p90 / p99 CPU): " + " | ".join(cells))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()


if __name__ == "__main__":
    main()
