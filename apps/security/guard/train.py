"""Train the injection model from labelled JSONL files.

    python -m apps.security.guard.train --data PATH.jsonl [--data ...] --out DIR [--cv]

Each line: ``{"text": ..., "label": "injection" | "benign" | 1 | 0, "source": ...}``.
The shipped default model (``default_model/``) is built with::

    python -m apps.security.guard.train --data ../shared/eval/injection-dev.jsonl \
        --out apps/security/guard/default_model --cv

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

from apps.security.guard.engine import Thresholds
from apps.security.guard.model import (
    DEFAULT_C,
    FeatureConfig,
    InjectionModel,
    build_matrix,
    fit_classifier,
    train_model,
)

__all__ = [
    "cross_validate",
    "label_to_int",
    "load_jsonl",
    "main",
    "oof_scores",
    "rows_matrix",
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
                }
            )
    return rows


def oof_scores(
    texts: Sequence[str],
    labels: Sequence[int] | np.ndarray,
    folds: Iterable[tuple[np.ndarray, np.ndarray]],
    *,
    config: FeatureConfig | None = None,
    c: float = DEFAULT_C,
    matrix=None,
) -> np.ndarray:
    """Out-of-fold P(injection) for every row (each row scored by a model that never saw it).

    Scores use the same windowing as serving for long rows only when ``matrix`` is None;
    with a precomputed matrix the whole row is one document (rows here are < 10 KB).
    """
    config = config or FeatureConfig()
    y = np.asarray(labels, dtype=np.int64)
    if matrix is None:
        matrix = build_matrix(texts, config)
    scores = np.full(len(y), np.nan)
    for train_idx, test_idx in folds:
        if len(set(y[train_idx].tolist())) < 2:
            continue
        classifier = fit_classifier(matrix[train_idx], y[train_idx], c=c)
        margin = classifier.decision_function(matrix[test_idx])
        scores[test_idx] = 1.0 / (1.0 + np.exp(-margin))
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


def rows_matrix(rows: Sequence[dict]):
    """The feature matrix of ``rows`` under the default config, to share between
    :func:`cross_validate` and :func:`train_from_rows`."""
    return build_matrix([r["text"] for r in rows], FeatureConfig())


def cross_validate(
    rows: Sequence[dict],
    *,
    threshold: float | None = None,
    c: float = DEFAULT_C,
    matrix=None,
) -> dict:
    """Model-only out-of-fold metrics: stratified 5-fold and leave-one-source-out.

    ``matrix``: :func:`rows_matrix` of ``rows`` when the caller already built it."""
    from sklearn.model_selection import StratifiedKFold

    if threshold is None:  # the engine's default block threshold
        threshold = Thresholds().model_block
    texts = [r["text"] for r in rows]
    y = np.asarray([r["label"] for r in rows], dtype=np.int64)
    sources = np.asarray([r["source"] for r in rows])
    if matrix is None:
        matrix = rows_matrix(rows)
    kfold = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    scores = oof_scores(texts, y, kfold.split(np.zeros(len(y)), y), matrix=matrix, c=c)
    logo_folds = [
        (np.flatnonzero(sources != s), np.flatnonzero(sources == s)) for s in sorted(set(sources))
    ]
    logo = oof_scores(texts, y, logo_folds, matrix=matrix, c=c)
    return {
        "threshold": threshold,
        "stratified_5fold": _rates((scores >= threshold).astype(int), y),
        "leave_one_source_out": _rates((logo >= threshold).astype(int), y),
    }


def train_from_rows(
    rows: Sequence[dict],
    *,
    with_cv: bool = False,
    extra_metadata: dict | None = None,
    matrix=None,
) -> InjectionModel:
    """``matrix``: :func:`rows_matrix` of ``rows`` when the caller already built it."""
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
    if with_cv:
        if matrix is None:
            matrix = rows_matrix(rows)
        metadata["cv_metrics"] = cross_validate(rows, matrix=matrix)
    metadata.update(extra_metadata or {})
    return train_model(texts, labels, metadata=metadata, matrix=matrix)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="append", required=True, type=Path, help="JSONL file")
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--cv", action="store_true", help="add out-of-fold metrics")
    parser.add_argument("--version", help="model version string (default: timestamp)")
    args = parser.parse_args(argv)

    rows: list[dict] = []
    for path in args.data:
        rows.extend(load_jsonl(path))
    counts = Counter(r["label"] for r in rows)
    if counts[0] == 0 or counts[1] == 0:
        parser.error("training data needs both injection and benign rows")
    extra = {"version": args.version} if args.version else None
    model = train_from_rows(rows, with_cv=args.cv, extra_metadata=extra)
    model.save(args.out)
    summary = {
        "version": model.version,
        "n_samples": model.metadata["n_samples"],
        "label_counts": model.metadata["label_counts"],
        "cv_metrics": model.metadata.get("cv_metrics"),
        "out": str(args.out),
    }
    sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
