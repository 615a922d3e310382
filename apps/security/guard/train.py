"""Train the injection model's head from labelled JSONL files (on the committed embeddings).

    python -m apps.security.guard.train --data PATH.jsonl [--data ...] --out DIR [--cv]

Each line: ``{"text": ..., "label": "injection" | "benign" | 1 | 0, "source": ..., "split": ...}``.
The shipped default model (``default_model/``) is built from the guard corpus (``manage.py
guard_corpus build``) with::

    python -m apps.security.guard.train --data /work/guard-corpus/corpus.jsonl \
        --out apps/security/guard/default_model --train-split train --calibrate-split dev \
        --max-fpr 0.01 --version sem-2026.12-1

i.e. trained on the corpus' train split only; the block threshold is picked on its dev split (the
lowest score with <= 1 % false positives there) and the head's output is shifted so that this
threshold reads as the engine's default ``model_block``. No external set is involved.
``--cv`` adds stratified 5-fold and leave-one-source-out figures (out-of-fold) to the metadata.
The Django side wraps :func:`train_from_rows` in a management command that also feeds operator
verdicts from the audit trail.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from apps.security.guard.embeddings import load_shared
from apps.security.guard.engine import Thresholds
from apps.security.guard.model import (
    InjectionModel,
    calibrated,
    fit_head,
    row_scores,
    train_model,
    window_features,
)

__all__ = [
    "cross_validate",
    "label_to_int",
    "load_jsonl",
    "main",
    "oof_scores",
    "pick_threshold",
    "rows_features",
    "train_from_rows",
]

_POSITIVE = {"injection", "attack", "malicious", "confirmed_attack", "1", "true", "jailbreak"}
_NEGATIVE = {"benign", "safe", "false_positive", "0", "false"}


def label_to_int(label: object) -> int:
    if isinstance(label, bool):
        return int(label)
    if isinstance(label, int) and label in (0, 1):
        return label
    value = str(label).strip().lower()
    if value in _POSITIVE:
        return 1
    if value in _NEGATIVE:
        return 0
    raise ValueError(f"unknown label {label!r}")


def load_jsonl(path: Path) -> list[dict]:
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not isinstance(row.get("text"), str):
                raise ValueError(f"{path}:{number}: missing text")
            rows.append(
                {
                    "text": row["text"],
                    "label": label_to_int(row["label"]),
                    "source": str(row.get("source") or Path(path).stem),
                    "split": str(row.get("split") or "train"),
                }
            )
    return rows


def pick_threshold(scores: np.ndarray, labels: np.ndarray, *, max_fpr: float) -> float:
    """The lowest score threshold whose false-positive rate on ``scores`` stays <= ``max_fpr``
    (never below 0.5). Meant for a held-out dev split, never for the external test set."""
    negatives = np.sort(np.asarray(scores)[np.asarray(labels) == 0])
    if negatives.size == 0:
        return 0.5
    allowed = int(np.floor(max_fpr * negatives.size))  # negatives that may score at/above it
    if allowed >= negatives.size:
        return 0.5
    threshold = float(np.nextafter(negatives[negatives.size - 1 - allowed], 1.0))
    return max(threshold, 0.5)


def oof_scores(
    labels: Sequence[int],
    folds: Iterable[tuple[np.ndarray, np.ndarray]],
    *,
    features: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Out-of-fold P(injection) for every row (each row scored by a head that never saw it).

    ``features``: :func:`rows_features` of the rows; folds are row indices."""
    y = np.asarray(labels, dtype=np.int64)
    x, owners, whole = features
    scores = np.full(len(y), np.nan)
    for train_idx, test_idx in folds:
        if len(set(y[train_idx].tolist())) < 2:
            continue
        in_train = np.isin(owners, train_idx)
        remap = np.full(len(y), -1, dtype=np.int64)
        remap[train_idx] = np.arange(len(train_idx))
        head = fit_head(x[in_train], remap[owners[in_train]], y[train_idx], whole[in_train])
        in_test = np.isin(owners, test_idx)
        scored = row_scores(x[in_test], owners[in_test], len(y), head)
        scores[test_idx] = scored[test_idx]
    return scores


def _rates(pred: np.ndarray, y: np.ndarray) -> dict:
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    tn = int(((pred == 0) & (y == 0)).sum())
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "fpr": round(fp / (fp + tn), 4) if fp + tn else None,
        "n": len(y),
    }


def rows_features(rows: Sequence[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window features of ``rows`` on the committed embeddings, to share between
    :func:`cross_validate` and :func:`train_from_rows` (tokenizing is the slow part)."""
    return window_features([r["text"] for r in rows], load_shared())


def cross_validate(
    rows: Sequence[dict],
    *,
    threshold: float | None = None,
    features: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    max_fpr: float | None = None,
) -> dict:
    """Model-only out-of-fold metrics: stratified 5-fold and leave-one-source-out.

    ``features``: :func:`rows_features` of ``rows`` when the caller already built them.
    ``max_fpr``: pick the threshold instead, as the lowest one whose 5-fold out-of-fold
    false-positive rate stays within it (``result["threshold"]``; for :func:`calibrated`)."""
    from sklearn.model_selection import StratifiedKFold

    if threshold is None:  # the engine's default block threshold
        threshold = Thresholds().model_block
    y = np.asarray([r["label"] for r in rows], dtype=np.int64)
    sources = np.asarray([r["source"] for r in rows])
    if features is None:
        features = rows_features(rows)
    splits = min(5, int(np.bincount(y, minlength=2).min()))
    result: dict = {"threshold": threshold}
    if splits >= 2:
        kfold = StratifiedKFold(n_splits=splits, shuffle=True, random_state=0)
        scores = oof_scores(y, kfold.split(np.zeros(len(y)), y), features=features)
        if max_fpr is not None:
            threshold = result["threshold"] = pick_threshold(scores, y, max_fpr=max_fpr)
            result["max_fpr"] = max_fpr
        result["stratified_5fold"] = _rates((scores >= threshold).astype(int), y)
    logo_folds = [
        (np.flatnonzero(sources != s), np.flatnonzero(sources == s)) for s in sorted(set(sources))
    ]
    logo = oof_scores(y, logo_folds, features=features)
    result["leave_one_source_out"] = _rates((logo >= threshold).astype(int), y)
    return result


def train_from_rows(
    rows: Sequence[dict],
    *,
    with_cv: bool = False,
    extra_metadata: dict | None = None,
    features: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> InjectionModel:
    """``features``: :func:`rows_features` of ``rows`` when the caller already built them."""
    texts = [r["text"] for r in rows]
    labels = [r["label"] for r in rows]
    digest = hashlib.sha256()
    for r in rows:
        digest.update(f"{r['label']}\x1f{r['text']}\x1e".encode())
    by_source: dict[str, dict[str, int]] = {}
    for r in rows:
        counts = by_source.setdefault(r["source"], {"injection": 0, "benign": 0})
        counts["injection" if r["label"] else "benign"] += 1
    metadata = {
        "sources": by_source,
        "data_sha256": digest.hexdigest(),
    }
    if features is None:
        features = rows_features(rows)
    if with_cv:
        metadata["cv_metrics"] = cross_validate(rows, features=features)
    metadata.update(extra_metadata or {})
    return train_model(texts, labels, metadata=metadata, features=features)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="append", required=True, type=Path, help="JSONL file")
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--cv", action="store_true", help="add out-of-fold metrics")
    parser.add_argument("--version", help="model version string (default: timestamp)")
    parser.add_argument(
        "--train-split",
        action="append",
        help="train only on rows whose 'split' is this (repeatable; default: every row)",
    )
    parser.add_argument(
        "--calibrate-split",
        help="pick the block threshold on rows of this split (held out from training) and "
        "shift the head so that it reads as the engine's default model_block",
    )
    parser.add_argument("--max-fpr", type=float, default=0.01, help="for --calibrate-split")
    args = parser.parse_args(argv)

    rows: list[dict] = []
    for path in args.data:
        rows.extend(load_jsonl(path))
    train_rows = [r for r in rows if not args.train_split or r["split"] in args.train_split]
    if args.calibrate_split and (not args.train_split or args.calibrate_split in args.train_split):
        parser.error("the calibration split must be held out from training (use --train-split)")
    counts = Counter(r["label"] for r in train_rows)
    if counts[0] == 0 or counts[1] == 0:
        parser.error("training data needs both injection and benign rows")
    extra: dict = {"version": args.version} if args.version else {}
    model = train_from_rows(train_rows, extra_metadata=extra)
    threshold = None
    if args.calibrate_split:
        held_out = [r for r in rows if r["split"] == args.calibrate_split]
        scores = np.asarray([model.score(r["text"]) for r in held_out])
        labels = np.asarray([r["label"] for r in held_out])
        threshold = pick_threshold(scores, labels, max_fpr=args.max_fpr)
        model = calibrated(model, chosen=threshold, target=Thresholds().model_block)
        model.metadata["calibration_split"] = {
            "split": args.calibrate_split,
            "rows": len(held_out),
            "max_fpr": args.max_fpr,
            "recall": round(float((scores[labels == 1] >= threshold).mean()), 4),
            "fpr": round(float((scores[labels == 0] >= threshold).mean()), 4),
        }
    if args.cv:  # out-of-fold heads, judged at the (uncalibrated) threshold the model uses
        model.metadata["cv_metrics"] = cross_validate(train_rows, threshold=threshold)
    model.save(args.out)
    summary = {
        "version": model.version,
        "n_samples": model.metadata["n_samples"],
        "label_counts": model.metadata["label_counts"],
        "calibration": model.metadata.get("calibration_split"),
        "cv_metrics": model.metadata.get("cv_metrics"),
        "out": str(args.out),
    }
    sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
