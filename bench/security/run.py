"""Security guard benchmark: scan latency, memory, windowing and detection quality (tables).

    .venv/bin/python bench/security/run.py [--data PATH] [--external PATH] [--quick]

Latency: ``evaluate()`` with every default rule and the shipped model, on one core, for inputs
of 200 B, 2 KB, 8 KB and 32 KB cut from the labelled examples (warm process, fresh texts each
call), then 2 KB and 32 KB with the tokenizer's word cache emptied before each call (every word
unseen). Memory: resident memory the guard adds to a fresh process (imports, model, rules, and
the caches after scanning every row). Windowing: the
two properties the windowed scoring promises, measured on benign documents made of the benign
rows. Detection: recall / false-positive rate of the BLOCK decision per source, per language
and per category, for rules alone and rules + model, where the model is always a head that never
saw the row (stratified 5-fold and leave-one-source-out); with ``--external`` the shipped model
is also scored on a set it was never trained or tuned on.

The labelled examples live outside the repository (``../shared/eval``). Without them the
latency part runs on rows from the in-repo synthetic generator
(``apps.security.guard.corpus.generator``) and the detection part says it was skipped.
Figures on the full guard corpus (5-fold, leave-one-source-out, external): ``eval_guard.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from apps.security.guard.defaults import default_rule_specs  # noqa: E402
from apps.security.guard.engine import Thresholds, evaluate, evaluate_normalized  # noqa: E402
from apps.security.guard.model import (  # noqa: E402
    DEFAULT_MODEL_PATH,
    InjectionModel,
    window_features,
)
from apps.security.guard.normalize import canonical_text, normalize  # noqa: E402
from apps.security.guard.rules import CompiledRuleSet  # noqa: E402
from apps.security.guard.train import label_to_int, oof_scores  # noqa: E402

DATA_CANDIDATES = (
    Path("/work/guard-corpus/corpus.jsonl"),
    Path("../shared/eval/injection-dev.jsonl"),
    REPO.parent / "shared/eval/injection-dev.jsonl",
    REPO.parent.parent / "shared/eval/injection-dev.jsonl",
)


def find_data(explicit: str | None) -> Path | None:
    if explicit:
        if not Path(explicit).is_file():
            raise SystemExit(f"{explicit}: no such file")
        return Path(explicit)
    for candidate in DATA_CANDIDATES:
        if candidate.exists():
            return candidate
    return None


def generated_rows() -> list[dict]:
    """Labelled rows that need no file outside the repository (the seeded generator)."""
    from apps.security.guard.corpus.generator import generate

    return [
        {"text": r["text"], "label": int(r["label"] == "injection"), "source": r["source"]}
        for r in generate(seed=7)
    ]


def load_rows(path: Path) -> list[dict]:
    """The labelled rows with every field kept (language, category, hard ...)."""
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                row["label"] = label_to_int(row["label"])
                row["source"] = str(row.get("source") or Path(path).stem)
                rows.append(row)
    return rows


# --- latency -----------------------------------------------------------------------------------


def latency(rows: list[dict], rules: CompiledRuleSet, model: InjectionModel, quick: bool) -> None:
    corpora = {
        # every labelled row (attack templates with box drawing, leetspeak, homoglyphs ...)
        "mixed": "\n".join(r["text"] for r in rows),
        # benign rows only: ordinary requests
        "benign": "\n".join(r["text"] for r in rows if not r["label"]),
    }
    n = 300 if quick else 1000
    warm = 200 if quick else 500
    print("\n## Scan latency: evaluate() = normalize + rules + model over windows, one core")
    print(f"(warm-up {warm} texts, then {n} fresh random slices per row; load avg {_load()})")
    print("wall = perf_counter, cpu = process_time (less sensitive to other load on the host)\n")
    _latency_header()
    rng = np.random.default_rng(0)
    for size in (200, 2048, 8192, 32768):
        for corpus_name, corpus in corpora.items():
            starts = rng.integers(0, len(corpus) - size, warm + n)
            texts = [corpus[s : s + size] for s in starts]
            for text in texts[:warm]:
                evaluate(text, rules=rules, model=model)
            _latency_row(size, corpus_name, _timed(texts[warm:], rules, model))
    # The rows above reuse the word cache the way a long-running worker does. Text made of
    # words never seen before pays the tokenizer for every word: the worst case, measured with
    # the cache emptied before each call.
    print(f"\nUnseen words (word cache emptied before every call; load avg {_load()})\n")
    _latency_header()
    for size in (2048, 32768):
        for corpus_name, corpus in corpora.items():
            starts = rng.integers(0, len(corpus) - size, n // 5)
            texts = [corpus[s : s + size] for s in starts]
            timings = _timed(texts, rules, model, before=model.embeddings.clear_cache)
            _latency_row(size, corpus_name, timings)


def _timed(texts, rules, model, before=None) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for text in texts:
        if before is not None:
            before()
        w0, c0 = time.perf_counter(), time.process_time()
        evaluate(text, rules=rules, model=model)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return wall, cpu


def _latency_header() -> None:
    header = f"{'input':>8} {'corpus':>7} | {'wall p50':>9} | {'wall p99':>9} | {'cpu p50':>9}"
    print(header + f" | {'cpu p99':>9}")
    print("-" * (len(header) + 12))


def _latency_row(size: int, corpus_name: str, timings: tuple[list[float], list[float]]) -> None:
    wall, cpu = timings
    label = f"{size} B" if size < 1024 else f"{size // 1024} KB"
    w50, w99 = np.percentile(wall, [50, 99]) * 1e3
    c50, c99 = np.percentile(cpu, [50, 99]) * 1e3
    print(
        f"{label:>8} {corpus_name:>7} | {w50:7.3f}ms | {w99:7.3f}ms | {c50:7.3f}ms | {c99:7.3f}ms"
    )


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


# --- detection ---------------------------------------------------------------------------------


def _rates(pred: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None, float | None]:
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    tn = int(((pred == 0) & (y == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    fpr = fp / (fp + tn) if fp + tn else None
    return precision, recall, fpr


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def windowing(rows: list[dict], rules: CompiledRuleSet, model: InjectionModel) -> None:
    """A long benign document scores no higher than its worst 2 KB stretch; an attack buried in
    10 KB of benign text scores as it does alone."""
    benign = [r["text"] for r in rows if not r["label"]]
    attacks = [r["text"] for r in rows if r["label"] and 40 <= len(r["text"]) <= 400]
    rng = np.random.default_rng(1)
    print("\n## Windowing")
    worst_gap = -1.0
    for _ in range(20):
        parts, size = [], 0
        while size < 30_000:
            parts.append(benign[rng.integers(len(benign))])
            size += len(parts[-1]) + 2
        document = canonical_text("\n\n".join(parts))[:30_720]
        whole = model.score_normalized(document)
        # 2 KB stretches starting on the common period of the window grids (768 characters by
        # default), so that every window of the document is also a window of some stretch
        period = int(np.lcm.reduce([stride for _, stride in model.window_config.grids]))
        stretches = [
            model.score_normalized(document[s : s + 2048])
            for s in range(0, max(1, len(document) - 2048 + period), period)
        ]
        worst_gap = max(worst_gap, whole - max(stretches))
    print(f"benign 30 KB documents (20): max(score(doc) - worst 2 KB stretch) = {worst_gap:+.4f}")
    same, total, alone_blocked, buried_blocked = 0, 0, 0, 0
    for _ in range(100):
        attack = attacks[rng.integers(len(attacks))]
        filler, size = [], 0
        while size < 10_000:
            filler.append(benign[rng.integers(len(benign))])
            size += len(filler[-1]) + 1
        cut = int(rng.integers(len(filler) + 1))
        buried = " ".join([*filler[:cut], attack, *filler[cut:]])
        alone = evaluate(attack, rules=rules, model=model)
        inside = evaluate(buried, rules=rules, model=model)
        total += 1
        alone_blocked += alone.blocked
        buried_blocked += alone.blocked and inside.blocked
        same += inside.model_score >= alone.model_score - 0.02
    print(
        f"attack buried at a random place in 10 KB of benign text (100): blocked alone "
        f"{alone_blocked}, of those still blocked when buried {buried_blocked}; buried model "
        f"score >= alone - 0.02: {same}/{total}"
    )


_MEMORY_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import numpy
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
base = rss()
from apps.security.guard.defaults import default_rule_specs
from apps.security.guard.engine import evaluate
from apps.security.guard.model import DEFAULT_MODEL_PATH, InjectionModel
from apps.security.guard.rules import CompiledRuleSet
imported = rss()
model = InjectionModel.load(DEFAULT_MODEL_PATH)
rules = CompiledRuleSet.build(default_rule_specs())
loaded = rss()
for line in sys.stdin:
    evaluate(json.loads(line), rules=rules, model=model)
print(json.dumps([base, imported, loaded, rss(), model.version]))
"""


def memory(rows: list[dict]) -> None:
    """Resident memory the guard adds to a process: a fresh interpreter with numpy imported,
    then the guard's modules (sentencepiece, scipy.sparse ...), the model and rules, then every
    labelled row scanned (word cache and RE2 automata warm)."""
    texts = "".join(json.dumps(r["text"]) + "\n" for r in rows)
    probe = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(REPO)],
        input=texts,
        capture_output=True,
        text=True,
        check=True,
    )
    base, imported, loaded, scanned, version = json.loads(probe.stdout)
    print(
        f"\n## Memory: the guard adds {scanned - base:.1f} MB resident per process ({version}): "
        f"imports {imported - base:.1f} MB, model + rules {loaded - imported:.1f} MB, "
        f"after scanning {len(rows)} rows {scanned - loaded:.1f} MB"
    )


def _engine_blocks(rule_block, any_match, scores, thresholds: Thresholds) -> np.ndarray:
    """The engine's rule: a block rule, or model >= model_block, or any rule + model_flag."""
    return (
        rule_block
        | (scores >= thresholds.model_block)
        | (any_match & (scores >= thresholds.model_flag))
    ).astype(int)


def _rules_only(rows: list[dict], rules: CompiledRuleSet, thresholds: Thresholds):
    decisions = [
        evaluate_normalized(normalize(r["text"]), rules=rules, model=None, thresholds=thresholds)
        for r in rows
    ]
    blocks = np.asarray([d.blocked for d in decisions], dtype=bool)
    matches = np.asarray([bool(d.matches) for d in decisions], dtype=bool)
    return blocks, matches


def _table(title: str, rows: list[dict], key, columns, y: np.ndarray) -> None:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[str(key(row))].append(i)
    header = f"{title:34s} {'n':>6s} | " + " | ".join(f"{c:>16s}" for c, _ in columns)
    print(header)
    print("-" * len(header))
    for name in sorted(groups):
        idx = np.asarray(groups[name])
        cells = []
        for _, pred in columns:
            pos, neg = idx[y[idx] == 1], idx[y[idx] == 0]
            recall = f"R {pred[pos].mean():.3f}" if pos.size else "      "
            fpr = f"F {pred[neg].mean():.3f}" if neg.size else "       "
            cells.append(f"{recall} {fpr}")
        print(f"{name[:34]:34s} {len(idx):6d} | " + " | ".join(f"{c:>16s}" for c in cells))


def _overall(columns, y: np.ndarray, hard: np.ndarray) -> None:
    print(f"\n{'overall':14s} | {'recall':>7s} | {'FPR':>7s} | {'FPR hard benign':>15s}")
    print("-" * 54)
    for name, pred in columns:
        recall = pred[y == 1].mean()
        fpr = pred[y == 0].mean()
        hard_fpr = pred[(y == 0) & hard].mean() if ((y == 0) & hard).any() else float("nan")
        print(f"{name:14s} | {recall:7.3f} | {fpr:7.3f} | {hard_fpr:15.3f}")


def detection(rows: list[dict], rules: CompiledRuleSet, quick: bool) -> None:
    from sklearn.model_selection import StratifiedKFold

    from apps.security.guard.embeddings import load_shared

    thresholds = Thresholds()
    model = InjectionModel.load(DEFAULT_MODEL_PATH)
    calibration = model.metadata.get("calibration", {})
    y = np.asarray([r["label"] for r in rows])
    sources = np.asarray([r["source"] for r in rows])
    hard = np.asarray([bool(r.get("hard")) for r in rows])
    t0 = time.perf_counter()
    features = window_features([r["text"] for r in rows], load_shared())
    rule_block, any_match = _rules_only(rows, rules, thresholds)
    print(f"\n(features and rules for {len(rows)} rows in {time.perf_counter() - t0:.0f}s)")
    kfold = list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
    loso = [
        (np.flatnonzero(sources != s), np.flatnonzero(sources == s)) for s in sorted(set(sources))
    ]
    # fold heads are not calibrated: shift their scores the way the shipped head was shifted,
    # so that the engine's thresholds mean the same thing
    shift = 0.0
    if calibration:
        shift = _logit(calibration["reads_as"]) - _logit(calibration["chosen"])

    def shifted(scores: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(_logit_array(scores) + shift)))

    model_kfold = shifted(oof_scores(y, kfold, features=features))
    model_loso = model_kfold if quick else shifted(oof_scores(y, loso, features=features))
    columns = [
        ("rules", rule_block.astype(int)),
        ("model 5f", (model_kfold >= thresholds.model_block).astype(int)),
        ("r+m 5f", _engine_blocks(rule_block, any_match, model_kfold, thresholds)),
        ("model LOSO", (model_loso >= thresholds.model_block).astype(int)),
        ("r+m LOSO", _engine_blocks(rule_block, any_match, model_loso, thresholds)),
    ]
    print(
        f"\n## Detection (detected = blocked; thresholds model_block={thresholds.model_block}, "
        f"model_flag={thresholds.model_flag}, rule_block_severity={thresholds.rule_block_severity})"
    )
    print("Model figures are out-of-fold: 5f = stratified 5-fold, LOSO = leave-one-source-out.")
    print("R = recall on the injection rows of the group, F = false-positive rate on its benign.\n")
    _table("source", rows, lambda r: r["source"], columns, y)
    print()
    _table("language", rows, lambda r: r.get("lang", "?"), columns, y)
    print()
    _table("category", rows, lambda r: r.get("category", "?"), columns, y)
    _overall(columns, y, hard)


def external(path: Path, rules: CompiledRuleSet) -> None:
    """The shipped model on rows it was never trained or tuned on (no threshold is picked here)."""
    rows = load_rows(path)
    thresholds = Thresholds()
    model = InjectionModel.load(DEFAULT_MODEL_PATH)
    y = np.asarray([r["label"] for r in rows])
    decisions = [evaluate(r["text"], rules=rules, model=model) for r in rows]
    blocked = np.asarray([d.blocked for d in decisions], dtype=int)
    rule_block, _ = _rules_only(rows, rules, thresholds)
    scores = np.asarray([d.model_score for d in decisions])
    columns = [
        ("rules", rule_block.astype(int)),
        ("model", (scores >= thresholds.model_block).astype(int)),
        ("rules+model", blocked),
    ]
    print(f"\n## External set ({len(rows)} rows from {path}; the shipped model, as served)\n")
    _table("source", rows, lambda r: r["source"], columns, y)
    _overall(columns, y, np.ones(len(rows), dtype=bool))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _logit_array(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="labelled JSONL (default: the guard corpus)")
    parser.add_argument("--external", help="labelled JSONL never trained or tuned on")
    parser.add_argument("--quick", action="store_true", help="fewer latency samples, no LOSO")
    parser.add_argument(
        "--sample", type=float, default=1.0, help="use this share of the rows (seeded)"
    )
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-detection", action="store_true")
    args = parser.parse_args()

    path = find_data(args.data)
    rows = load_rows(path) if path else generated_rows()
    origin = str(path) if path else "the synthetic generator (seed 7; no labelled file found)"
    if args.sample < 1.0:  # a seeded random share of the rows, for a quicker out-of-fold run
        keep = np.random.default_rng(0).random(len(rows)) < args.sample
        rows = [row for row, kept in zip(rows, keep, strict=True) if kept]
    memory(rows)
    rules = CompiledRuleSet.build(default_rule_specs())
    model = InjectionModel.load(DEFAULT_MODEL_PATH)
    print(f"# AgentHub security guard benchmark  ({len(rows)} labelled rows from {origin})")
    print(f"rules: {len(rules)} default rules; model: {model.version} ({DEFAULT_MODEL_PATH.name})")
    if not args.skip_latency:
        latency(rows, rules, model, args.quick)
        windowing(rows, rules, model)
    if args.external:
        external(Path(args.external), rules)
    if args.skip_detection:
        return
    if path is None:
        looked = ", ".join(str(c) for c in DATA_CANDIDATES)
        print(
            f"\n## Detection: SKIPPED -- labelled examples not found (looked in {looked}; "
            "--data PATH). Corpus figures: bench/security/eval_guard.py"
        )
        return
    detection(rows, rules, args.quick)


if __name__ == "__main__":
    main()
