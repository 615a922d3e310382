"""The ``eval`` half of ``full_use.py`` (see its docstring): static vs full-USE heads on the
same rows and folds. Run through ``full_use.py eval``."""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench/security"))

from eval_guard import NOTINJECT_STYLE, find_corpus, load_rows, loso_folds  # noqa: E402
from full_use import (  # noqa: E402
    CACHE,
    LANGS,
    load_full_use,
    rule_signals,
    static_features,
)

from apps.security.guard.model import fit_head, row_scores  # noqa: E402
from apps.security.guard.train import (  # noqa: E402
    _dev_mask,
    balanced_rows,
    pick_threshold,
    select_rows,
)

LOGIT_BLOCK = math.log(0.8 / 0.2)  # the engine's model_block 0.80, as a margin
BANDS = (1.0, 2.0, 3.0)  # cascade: |static margin - its threshold| < band (logits)
RANK_FPRS = (0.03, 0.05, 0.10)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


class Data:
    def __init__(self, rows: list[dict], features: dict[str, tuple]) -> None:
        self.rows = rows
        self.y = np.asarray([r["y"] for r in rows], dtype=np.int64)
        self.sources = [r["source"] for r in rows]
        self.dev = _dev_mask([r["text"] for r in rows])
        self.features = features


_STATE: dict = {}


def fit_and_score(
    data: Data, kind: str, train_idx: np.ndarray, score_sets: list, seed: int
) -> tuple[list[np.ndarray], float, dict]:
    """The product's recipe (``train.train``) on feature set ``kind``: head on the rows of
    ``train_idx`` outside the dev bucket (balanced per source and label), block threshold on
    the dev rows (<= 1 % FPR). Returns, for each (features, index) of ``score_sets``, the rows'
    margins minus the threshold's logit (>= 0 blocks), the threshold, and timing."""
    features = data.features[kind]
    held = data.dev[train_idx]
    fit_index, dev_index = train_idx[~held], train_idx[held]
    chosen = balanced_rows(data.y, data.sources, fit_index, seed=seed)
    x, owners, whole = select_rows(features, chosen)
    started = time.process_time()
    head = fit_head(x, owners, data.y[chosen], whole, seed=seed)
    seconds = time.process_time() - started
    dx, downers, _ = select_rows(features, dev_index)
    dev_scores = row_scores(dx, downers, dev_index.size, head)
    threshold = pick_threshold(dev_scores, data.y[dev_index], max_fpr=0.01)
    out = []
    for set_features, index in score_sets:
        sx, sowners, _ = select_rows(set_features[kind], index)
        p = row_scores(sx, sowners, index.size, head)
        margins = np.log(np.clip(p, 1e-12, None)) - np.log(np.clip(1 - p, 1e-12, None))
        out.append(margins - _logit(threshold))
    return out, threshold, {"fit_cpu_s": round(seconds, 1), "rows": int(chosen.size)}


def _job_key(job: tuple) -> str:
    name, kind, seed, _train, test_idx = job
    data: Data = _STATE["data"]
    held = data.sources[int(test_idx[0])] if name == "loso" and len(test_idx) else "all"
    return f"{name}|{kind}|{seed}|{held}"


def _job(job: tuple) -> tuple:
    name, kind, seed, train_idx, test_idx = job
    data: Data = _STATE["data"]
    extra = _STATE.get("extra")
    sets = [(data.features, test_idx)]
    if extra is not None and name in ("external", "test_split"):
        sets = [(extra.features, np.arange(len(extra.rows)))] if name == "external" else sets
    (scores,), threshold, info = fit_and_score(data, kind, train_idx, sets, seed)
    return name, kind, seed, test_idx, scores, threshold, info


# --- figures -------------------------------------------------------------------------------------


def decide(s: np.ndarray, rule_block: np.ndarray, match: np.ndarray, offset: float = 0.0):
    """The engine: rules block, or model >= block threshold, or a rule match with the model in
    the flag band (model_flag 0.5 = block margin - logit(0.8))."""
    return rule_block | (s >= offset) | (match & (s >= offset - LOGIT_BLOCK))


def rates(pred: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None, int, int]:
    pos, neg = y == 1, y == 0
    recall = float(pred[pos].mean()) if pos.any() else None
    fpr = float(pred[neg].mean()) if neg.any() else None
    return recall, fpr, int(pos.sum()), int(neg.sum())


def recall_at_fpr(s: np.ndarray, y: np.ndarray, rb: np.ndarray, match: np.ndarray, fpr: float):
    """Recall of the engine decision at the lowest offset whose FPR <= fpr (offset chosen on
    these very rows: a ranking comparison, not a reachable figure)."""
    candidates = np.unique(np.concatenate([s[y == 0], s[y == 0] + LOGIT_BLOCK]))
    lo, hi = 0, candidates.size - 1
    best = None
    # FPR falls as the offset rises: the smallest candidate offset (just above a value) with
    # FPR <= fpr
    while lo <= hi:
        mid = (lo + hi) // 2
        offset = float(np.nextafter(candidates[mid], np.inf))
        pred = decide(s, rb, match, offset)
        if pred[y == 0].mean() <= fpr:
            best, hi = offset, mid - 1
        else:
            lo = mid + 1
    if best is None:
        best = float(np.nextafter(candidates[-1], np.inf))
    return float(decide(s, rb, match, best)[y == 1].mean()), best


def _f(v: float | None) -> str:
    return "  -  " if v is None else f"{v:5.3f}"


def summarize(
    title: str, rows: list[dict], variants: dict[str, np.ndarray], rb, match, *, per=("source",)
) -> dict:
    y = np.asarray([r["y"] for r in rows])
    hard = np.asarray([r["y"] == 0 and bool(r.get("hard")) for r in rows])
    trig = np.asarray([r["y"] == 0 and r.get("category") in NOTINJECT_STYLE for r in rows])
    print(f"\n## {title} ({len(rows)} rows; BLOCK = rules or head; decoded views not scored)")
    head = "recall@3/5/10%FPR" if len(rows) > 3000 else ""
    print(f"  {'variant':34s} {'recall':>6s} {'FPR':>6s} {'hardFPR':>7s} {'NIstyle':>7s}  {head}")
    figures: dict = {}
    offsets: dict[str, float] = {}
    for name, s in variants.items():
        ok = ~np.isnan(s)
        pred = decide(np.where(ok, s, -np.inf), rb, match)
        r, f, _, _ = rates(pred[ok], y[ok])
        hf = rates(pred[ok & hard], y[ok & hard])[1]
        nf = rates(pred[ok & trig], y[ok & trig])[1]
        ranked = [recall_at_fpr(s[ok], y[ok], rb[ok], match[ok], t) for t in RANK_FPRS]
        ranks = [value for value, _ in ranked]
        offsets[name] = ranked[-1][1]  # the offset at 10 % FPR overall, for the groups below
        figures[name] = {"recall": r, "fpr": f, "hard_fpr": hf, "notinject_fpr": nf, "rank": ranks}
        print(f"  {name:34s} {_f(r)} {_f(f)}  {_f(hf)}   {_f(nf)}   "
              + " / ".join(f"{v:.3f}" for v in ranks))  # fmt: skip
    for key in per:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            groups[str(r.get(key) or "")].append(i)
        names = list(variants)
        print(f"  -- per {key}: recall / FPR at the block threshold, then [recall / FPR at the "
              "offset giving 10 % FPR overall]" + (", then {recall at 5 / 10 % FPR on the "
              "language's own benign rows}" if key == "lang" else "") + " for "
              + " | ".join(names))  # fmt: skip
        figures[f"per_{key}"] = {}
        order = [g for g in LANGS if g in groups] if key == "lang" else sorted(groups)
        for value in order:
            idx = np.asarray(groups[value])
            cells, store = [], {}
            for name in names:
                s = variants[name][idx]
                ok = ~np.isnan(s)
                pred = decide(np.where(ok, s, -np.inf), rb[idx], match[idx])
                r, f, npos, nneg = rates(pred[ok], y[idx][ok])
                at = decide(np.where(ok, s, -np.inf), rb[idx], match[idx], offsets[name])
                r10, f10, _, _ = rates(at[ok], y[idx][ok])
                cells.append(f"{_f(r)} / {_f(f)} [{_f(r10)} / {_f(f10)}]")
                store[name] = {"recall": r, "fpr": f, "n_injection": npos, "n_benign": nneg,
                               "at_10pct_overall": {"recall": r10, "fpr": f10}}  # fmt: skip
                if key == "lang" and npos and nneg:
                    # ranking within the language: its own benign rows set the offset
                    own = [
                        recall_at_fpr(s[ok], y[idx][ok], rb[idx][ok], match[idx][ok], t)[0]
                        for t in (0.05, 0.10)
                    ]
                    store[name]["recall_at_own_5_10pct_fpr"] = own
                    cells[-1] += " {" + " / ".join(f"{v:.3f}" for v in own) + "}"
            figures[f"per_{key}"][value] = store
            print(f"  {value[:18]:18s} inj {npos:5d} ben {nneg:5d}  " + " | ".join(cells))
    return figures


def cascade(static: np.ndarray, inner: np.ndarray, band: float) -> np.ndarray:
    """Static head decides outside |static| < band; the inner head's score inside."""
    return np.where(np.abs(static) < band, inner, static)


# --- main ----------------------------------------------------------------------------------------


def evaluate_all(args: argparse.Namespace) -> int:
    corpus_path, external_path = find_corpus(args.corpus)
    rows = load_rows(corpus_path)
    ext_rows = load_rows(external_path)
    started = time.perf_counter()
    feats, ext_feats = {}, {}
    for name, part, target in (("corpus", rows, feats), ("external", ext_rows, ext_feats)):
        xs, owners, whole = static_features(name, part)
        xu, owners_u = load_full_use(name, [r["text"] for r in part], args.mode)
        if not np.array_equal(owners, owners_u):
            raise SystemExit(f"{name}: static and full-USE windows differ")
        target["static"] = (xs, owners, whole)
        target["use"] = (xu, owners, whole)
        # the two scaled to comparable spread: fit_head standardizes every column anyway
        target["concat"] = (np.hstack([xs, xu]), owners, whole)
    print(f"# features ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    rb, match = rule_signals("corpus", rows)
    erb, ematch = rule_signals("external", ext_rows)
    data, extra = Data(rows, feats), Data(ext_rows, ext_feats)
    kinds = [k.strip() for k in args.kinds.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    folds = loso_folds(rows)
    all_idx = np.arange(len(rows))
    split = np.asarray([r.get("split") for r in rows])
    jobs = []
    for kind in kinds:
        for seed in seeds:
            if kind == "concat" and seed != seeds[0]:
                continue  # seed noise is measured on the static and full-USE heads
            if "loso" in args.only:
                jobs += [("loso", kind, seed, tr, te) for tr, te in folds]
            if "external" in args.only and seed == seeds[0]:
                jobs.append(("external", kind, seed, all_idx, np.zeros(0, dtype=np.int64)))
            if "test" in args.only and seed == seeds[0]:
                train_dev = np.flatnonzero(split != "test")  # train + dev; dev picks the threshold
                jobs.append(("test_split", kind, seed, train_dev, np.flatnonzero(split == "test")))
    # fold-major order, the folds with the most rows to score first (the generator's, which
    # holds most non-English rows), every head of a fold together: a run cut short still
    # compares all heads on the same held-out sources (``--resume`` continues it)
    order = {"external": 0, "test_split": 1, "loso": 2}
    jobs.sort(key=lambda j: (order[j[0]], -len(j[4]), j[1], j[2]))
    _STATE.update(data=data, extra=extra)
    scores_path = CACHE / f"scores.{args.mode}.{args.tag}.npz"
    oof: dict = defaultdict(lambda: np.full(len(rows), np.nan))
    ext: dict = {}
    done_jobs: list[str] = []
    if args.resume and scores_path.exists():
        with np.load(scores_path, allow_pickle=False) as saved:
            done_jobs = [str(k) for k in saved["done"]]
            for key in saved.files:
                if key.startswith("external-"):
                    ext[key.split("-", 1)[1]] = saved[key]
                elif key != "done":
                    name, kind, seed = key.split("-")
                    oof[(name, kind, int(seed))] = saved[key]
    jobs = [j for j in jobs if _job_key(j) not in done_jobs]
    info: dict = defaultdict(list)
    context = multiprocessing.get_context("fork")
    t0 = time.perf_counter()
    with context.Pool(args.jobs) as pool:
        for done, (name, kind, seed, test_idx, scores, threshold, meta) in enumerate(
            pool.imap(_job, jobs), 1
        ):
            if name == "external":
                ext[kind] = scores
            else:
                oof[(name, kind, seed)][test_idx] = scores
            info[(name, kind, seed)].append({"threshold": threshold, **meta})
            done_jobs.append(_job_key(jobs[done - 1]))
            np.savez(
                scores_path,
                done=np.asarray(done_jobs),
                **{"-".join(map(str, k)): v for k, v in oof.items()},
                **{f"external-{k}": v for k, v in ext.items()},
            )
            print(f"  [{done}/{len(jobs)}] {_job_key(jobs[done - 1])} fit {meta['fit_cpu_s']} s "
                  f"cpu, {time.perf_counter() - t0:.0f} s wall", file=sys.stderr)  # fmt: skip
    # LOSO rows that every head scored (a run cut short: the folds it finished)
    scored = np.ones(len(rows), dtype=bool)
    for key, values in oof.items():
        if key[0] == "loso":
            scored &= ~np.isnan(values)
    if "loso" in args.only and not scored.all():
        held = sorted({rows[i]["source"] for i in np.flatnonzero(scored)})
        print(f"# LOSO figures on the {int(scored.sum())} rows of the folds every head finished: "
              + ", ".join(held))  # fmt: skip
    figures: dict = {}
    if "loso" in args.only:
        variants: dict[str, np.ndarray] = {}
        for kind in kinds:
            for seed in seeds:
                if ("loso", kind, seed) in oof:
                    variants[f"{kind} s{seed}"] = oof[("loso", kind, seed)]
        s0 = seeds[0]
        if "static" in kinds and "use" in kinds:
            for band in BANDS:
                st, us = oof[("loso", "static", s0)], oof[("loso", "use", s0)]
                variants[f"cascade static->use |m|<{band:g}"] = cascade(st, us, band)
                share = np.mean(np.abs(st[scored]) < band)
                print(f"# band |static margin| < {band:g}: {share:.3f} of LOSO rows in band")
        if "static" in kinds and "concat" in kinds:
            st, both = oof[("loso", "static", s0)], oof[("loso", "concat", s0)]
            variants["cascade static->concat |m|<2"] = cascade(st, both, 2.0)
        keep = np.flatnonzero(scored)
        figures["loso"] = summarize(
            "Leave-one-source-out",
            [rows[i] for i in keep],
            {name: v[keep] for name, v in variants.items()},
            rb[keep],
            match[keep],
            per=("source", "lang"),
        )
    if "test" in args.only:
        test = np.flatnonzero(split == "test")
        variants = {k: oof[("test_split", k, seeds[0])][test] for k in kinds}
        if "static" in kinds and "use" in kinds:
            st = variants["static"]
            for band in BANDS:
                variants[f"cascade static->use |m|<{band:g}"] = cascade(st, variants["use"], band)
                print(f"# band |static margin| < {band:g}: {np.mean(np.abs(st) < band):.3f} of "
                      f"test-split rows in band")  # fmt: skip
        figures["test_split"] = summarize(
            "Corpus test split (heads on train, threshold on dev)",
            [rows[i] for i in test],
            variants,
            rb[test],
            match[test],
            per=("lang",),
        )
    if "external" in args.only:
        variants = dict(ext)
        if "static" in ext and "use" in ext:
            for band in BANDS:
                variants[f"cascade static->use |m|<{band:g}"] = cascade(
                    ext["static"], ext["use"], band
                )
                share = np.mean(np.abs(ext["static"]) < band)
                print(f"# band |static margin| < {band:g}: {share:.3f} of external rows in band")
        figures["external"] = summarize(
            "External (heads on the whole corpus; nothing tuned here)",
            ext_rows,
            variants,
            erb,
            ematch,
            per=("source",),
        )
    figures["fits"] = {" ".join(map(str, k)): v for k, v in info.items()}
    out = CACHE / f"figures.{args.mode}.{args.tag}.json"
    out.write_text(json.dumps(figures, indent=1, default=str) + "\n")
    print(f"\n# figures written to {out}")
    return 0
