"""Do two versions of the guard decide the same? Dump every decision, then compare two dumps.

    # in each checkout (e.g. main in a scratch copy, then the branch):
    .venv/bin/python bench/security/same_decisions.py --dump /tmp/before.jsonl
    .venv/bin/python bench/security/same_decisions.py --dump /tmp/after.jsonl
    .venv/bin/python bench/security/same_decisions.py --compare /tmp/before.jsonl /tmp/after.jsonl

The inputs: every row of the labelled file (``--data``, default
``../shared/eval/injection-dev.jsonl`` when present) and of the in-repo generator
(``apps.security.guard.corpus.generator``, seed 7), plus random slices of 200 B, 2 KB, 8 KB and
32 KB cut from each (the latency benchmark's cuts, ``run.py``). Per input the dump keeps what a
decision is made of: the action, why it blocked, the categories, every matched rule with the
view it matched in, the signals, the normalized views (a digest), the model score and every
window's score. ``--compare`` requires all of it to be equal, the scores within
``--tolerance``, and exits non-zero otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from apps.security.guard.defaults import default_rule_specs  # noqa: E402
from apps.security.guard.engine import evaluate_normalized  # noqa: E402
from apps.security.guard.model import DEFAULT_MODEL_PATH, InjectionModel  # noqa: E402
from apps.security.guard.normalize import normalize  # noqa: E402
from apps.security.guard.rules import CompiledRuleSet  # noqa: E402

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
CUTS = ((200, 300), (2048, 300), (8192, 150), (32768, 60))  # (size, slices per source)
EXACT_FIELDS = ("action", "reason", "categories", "matches", "signals", "views", "spans")


def _inputs(data: Path | None) -> Iterator[tuple[str, str]]:
    sources: dict[str, list[str]] = {}
    if data is not None and data.is_file():
        with data.open(encoding="utf-8") as handle:
            sources["dev"] = [json.loads(line)["text"] for line in handle if line.strip()]
    from apps.security.guard.corpus.generator import generate

    sources["generator"] = [row["text"] for row in generate(seed=7)]
    for name, texts in sources.items():
        for number, text in enumerate(texts):
            yield f"{name}:row:{number}", text
        corpus = "\n".join(texts)
        rng = np.random.default_rng(0)
        for size, count in CUTS:
            starts = rng.integers(0, max(len(corpus) - size, 1), count)
            for number, start in enumerate(starts):
                yield f"{name}:{size}:{number}:{start}", corpus[start : start + size]


def dump(out: Path, data: Path | None) -> None:
    rules = CompiledRuleSet.build(default_rule_specs())
    model = InjectionModel.load(DEFAULT_MODEL_PATH)
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for key, text in _inputs(data):
            normalized = normalize(text)
            decision = evaluate_normalized(normalized, rules=rules, model=model)
            views = json.dumps(normalized.views, ensure_ascii=False).encode(
                "utf-8", "surrogatepass"
            )
            record = {
                "key": key,
                "action": decision.action,
                "reason": decision.reason,
                "categories": list(decision.categories),
                "matches": [[m.key, m.view] for m in decision.matches],
                "signals": list(decision.signals),
                "views": hashlib.sha256(views).hexdigest(),
                "spans": [[start, end] for start, end, _ in decision.windows],
                "model_score": decision.model_score,
                "window_scores": [score for _, _, score in decision.windows],
            }
            handle.write(json.dumps(record) + "\n")
            count += 1
    print(f"{count} decisions written to {out}")


def compare(before: Path, after: Path, tolerance: float) -> int:
    def load(path: Path) -> dict[str, dict]:
        with path.open(encoding="utf-8") as handle:
            return {record["key"]: record for record in map(json.loads, handle)}

    old, new = load(before), load(after)
    if old.keys() != new.keys():
        print(f"different inputs: {len(old.keys() ^ new.keys())} keys in only one dump")
        return 1
    differences = 0
    worst_model = worst_window = 0.0
    for key, a in old.items():
        b = new[key]
        changed = [field for field in EXACT_FIELDS if a[field] != b[field]]
        model_gap = abs((a["model_score"] or 0.0) - (b["model_score"] or 0.0))
        window_gap = max(
            (abs(x - y) for x, y in zip(a["window_scores"], b["window_scores"], strict=True)),
            default=0.0,
        )
        worst_model, worst_window = max(worst_model, model_gap), max(worst_window, window_gap)
        if model_gap > tolerance or window_gap > tolerance:
            changed.append("scores")
        if changed:
            differences += 1
            if differences <= 20:
                print(f"{key}: {', '.join(changed)} differ")
    print(
        f"{len(old)} inputs, {differences} differ; largest model-score gap {worst_model:.3g}, "
        f"largest window-score gap {worst_window:.3g} (tolerance {tolerance:g})"
    )
    return 1 if differences else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, help="write this checkout's decisions here")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled JSONL")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--tolerance", type=float, default=1e-6)
    args = parser.parse_args()
    if args.dump:
        dump(args.dump, args.data)
    if args.compare:
        raise SystemExit(compare(*args.compare, args.tolerance))
    if not (args.dump or args.compare):
        parser.error("nothing to do: --dump PATH and/or --compare BEFORE AFTER")


if __name__ == "__main__":
    main()
