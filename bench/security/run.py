"""Security guard benchmark: scan latency and detection quality (printed tables).

    /work/main/.venv/bin/python bench/security/run.py [--data PATH] [--quick]

Latency: ``evaluate()`` with every default rule and the shipped model, on one core, for inputs
of 200 B, 2 KB and 20 KB cut from the labelled examples (warm process, fresh texts each call).
Detection: precision / recall / false-positive rate per source and overall, for rules alone and
for rules + model, where the model is always one that never saw the row (stratified 5-fold and
leave-one-source-out). "Detected" means the decision is ``block``.

The labelled examples live outside the repository (``../shared/eval``). Without them the
latency part runs on rows from the in-repo synthetic generator
(``apps.security.guard.corpus.generator``) and the detection part says it was skipped.
Figures on the full guard corpus (5-fold, leave-one-source-out, external): ``eval_guard.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from apps.security.guard.defaults import default_rule_specs  # noqa: E402
from apps.security.guard.engine import Thresholds, evaluate_normalized  # noqa: E402
from apps.security.guard.model import (  # noqa: E402
    DEFAULT_MODEL_PATH,
    FeatureConfig,
    InjectionModel,
    build_matrix,
    fit_classifier,
)
from apps.security.guard.normalize import normalize  # noqa: E402
from apps.security.guard.rules import CompiledRuleSet  # noqa: E402
from apps.security.guard.train import load_jsonl  # noqa: E402

DATA_CANDIDATES = (
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


# --- latency -----------------------------------------------------------------------------------


def latency(rows: list[dict], rules: CompiledRuleSet, model: InjectionModel, quick: bool) -> None:
    from apps.security.guard.engine import evaluate

    corpora = {
        # every labelled row (attack templates with box drawing, leetspeak, homoglyphs ...)
        "mixed": "\n".join(r["text"] for r in rows),
        # benign rows only: ordinary requests
        "benign": "\n".join(r["text"] for r in rows if not r["label"]),
    }
    n = 300 if quick else 1000
    warm = 200 if quick else 500
    print("\n## Scan latency: evaluate() with all default rules + model, one core")
    print(f"(warm-up {warm} texts, then {n} fresh random slices per row; load avg {_load()})")
    print("wall = perf_counter, cpu = process_time (less sensitive to other load on the host)\n")
    header = f"{'input':>8} {'corpus':>7} | {'wall p50':>9} | {'wall p99':>9} | {'cpu p50':>9}"
    print(header + f" | {'cpu p99':>9}")
    print("-" * (len(header) + 12))
    rng = np.random.default_rng(0)
    for size in (200, 2048, 20480):
        for corpus_name, corpus in corpora.items():
            starts = rng.integers(0, len(corpus) - size, warm + n)
            texts = [corpus[s : s + size] for s in starts]
            for text in texts[:warm]:
                evaluate(text, rules=rules, model=model)
            wall, cpu = [], []
            for text in texts[warm:]:
                w0, c0 = time.perf_counter(), time.process_time()
                evaluate(text, rules=rules, model=model)
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
            label = f"{size} B" if size < 1024 else f"{size // 1024} KB"
            w50, w99 = np.percentile(wall, [50, 99]) * 1e3
            c50, c99 = np.percentile(cpu, [50, 99]) * 1e3
            print(
                f"{label:>8} {corpus_name:>7} | {w50:7.3f}ms | {w99:7.3f}ms | {c50:7.3f}ms | "
                f"{c99:7.3f}ms"
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


def _model_from_classifier(classifier, config: FeatureConfig) -> InjectionModel:
    return InjectionModel(
        weights=np.asarray(classifier.coef_[0]),
        bias=float(classifier.intercept_[0]),
        config=config,
        version="bench-fold",
    )


def oof_decisions(rows, normalized, rules, folds, matrix, config, thresholds):
    """Engine decisions where each row is scored by a model trained without it."""
    y = np.asarray([r["label"] for r in rows])
    blocked = np.zeros(len(rows), dtype=int)
    model_scores = np.zeros(len(rows))
    for train_idx, test_idx in folds:
        classifier = fit_classifier(matrix[train_idx], y[train_idx])
        model = _model_from_classifier(classifier, config)
        for i in test_idx:
            decision = evaluate_normalized(
                normalized[i], rules=rules, model=model, thresholds=thresholds
            )
            blocked[i] = decision.blocked
            model_scores[i] = decision.model_score
    return blocked, model_scores


def detection(rows: list[dict], rules: CompiledRuleSet, quick: bool) -> None:
    from sklearn.model_selection import StratifiedKFold

    thresholds = Thresholds()
    y = np.asarray([r["label"] for r in rows])
    sources = np.asarray([r["source"] for r in rows])
    normalized = [normalize(r["text"]) for r in rows]
    config = FeatureConfig()
    matrix = build_matrix([r["text"] for r in rows], config)

    rule_decisions = [
        evaluate_normalized(n, rules=rules, model=None, thresholds=thresholds) for n in normalized
    ]
    rules_only = np.asarray([d.blocked for d in rule_decisions], dtype=int)
    any_match = np.asarray([bool(d.matches) for d in rule_decisions], dtype=int)
    kfold = list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
    loso = [
        (np.flatnonzero(sources != s), np.flatnonzero(sources == s)) for s in sorted(set(sources))
    ]
    combined_kfold, model_kfold = oof_decisions(
        rows, normalized, rules, kfold, matrix, config, thresholds
    )
    if quick:
        combined_loso, model_loso = combined_kfold, model_kfold
    else:
        combined_loso, model_loso = oof_decisions(
            rows, normalized, rules, loso, matrix, config, thresholds
        )
    model_only_kfold = (model_kfold >= thresholds.model_block).astype(int)
    model_only_loso = (model_loso >= thresholds.model_block).astype(int)

    columns = [
        ("rules", rules_only),
        ("model 5f", model_only_kfold),
        ("r+m 5f", combined_kfold),
        ("model LOSO", model_only_loso),
        ("r+m LOSO", combined_loso),
    ]
    print(
        f"\n## Detection (detected = blocked; thresholds model_block={thresholds.model_block}, "
        f"model_flag={thresholds.model_flag}, rule_block_severity={thresholds.rule_block_severity})"
    )
    print("Model figures are out-of-fold: 5f = stratified 5-fold, LOSO = leave-one-source-out.")
    print("Injection sources show recall, benign sources show the false-positive rate.\n")
    header = f"{'source':40s} {'label':>9s} {'n':>5s} | " + " | ".join(
        f"{c:>10s}" for c, _ in columns
    )
    print(header)
    print("-" * len(header))
    groups: dict[str, list[int]] = defaultdict(list)
    for i, source in enumerate(sources):
        groups[source].append(i)
    for source in sorted(groups, key=lambda s: (-y[groups[s][0]], s)):
        idx = np.asarray(groups[source])
        label = "injection" if y[idx[0]] else "benign"
        cells = []
        for _, pred in columns:
            rate = pred[idx].mean()
            cells.append(f"{('R ' if y[idx[0]] else 'F ') + f'{rate:.3f}':>10s}")
        print(f"{source:40s} {label:>9s} {len(idx):5d} | " + " | ".join(cells))

    print(f"\n{'overall':14s} | {'precision':>9s} | {'recall':>9s} | {'FPR':>9s}")
    print("-" * 50)
    for name, pred in columns:
        precision, recall, fpr = _rates(pred, y)
        print(f"{name:14s} | {_fmt(precision):>9s} | {_fmt(recall):>9s} | {_fmt(fpr):>9s}")

    print("\n## Threshold sweep: rules + model, out-of-fold model scores")
    print(f"{'model_block':>11s} | {'5f prec':>8s} | {'5f recall':>9s} | {'5f FPR':>7s} | "
          f"{'LOSO prec':>9s} | {'LOSO recall':>11s} | {'LOSO FPR':>8s}")  # fmt: skip
    print("-" * 80)
    for threshold in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        cells = []
        for scores in (model_kfold, model_loso):
            # the engine's rule: block rule, or model >= model_block, or any rule + model_flag
            corroborated = any_match & (scores >= min(threshold, thresholds.model_flag))
            pred = rules_only | (scores >= threshold).astype(int) | corroborated
            cells.extend(_rates(pred, y))
        marker = "  <- default" if threshold == thresholds.model_block else ""
        print(
            f"{threshold:11.2f} | {_fmt(cells[0]):>8s} | {_fmt(cells[1]):>9s} | "
            f"{_fmt(cells[2]):>7s} | {_fmt(cells[3]):>9s} | {_fmt(cells[4]):>11s} | "
            f"{_fmt(cells[5]):>8s}{marker}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", help="labelled JSONL (default: ../shared/eval/injection-dev.jsonl)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer latency samples, no LOSO")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-detection", action="store_true")
    args = parser.parse_args()

    path = find_data(args.data)
    rows = load_jsonl(path) if path else generated_rows()
    origin = str(path) if path else "the synthetic generator (seed 7; no labelled file found)"
    rules = CompiledRuleSet.build(default_rule_specs())
    model = InjectionModel.load(DEFAULT_MODEL_PATH)
    print(f"# AgentHub security guard benchmark  ({len(rows)} labelled rows from {origin})")
    print(f"rules: {len(rules)} default rules; model: {model.version} ({DEFAULT_MODEL_PATH.name})")
    if not args.skip_latency:
        latency(rows, rules, model, args.quick)
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
