"""The first learned layer (v1): a linear model over hashed character and word n-grams.

Superseded by the semantic model (``model.py``); kept so that model versions trained with it
and stored in the database still load (``InjectionModel.load`` dispatches on the format).

Why a hand-rolled featurizer instead of calling scikit-learn's ``HashingVectorizer`` at request
time: the vectorizer's Python overhead alone is 0.5-1.5 ms for a 2 KB input, above the whole
latency budget. The same idea (hashing trick, char n-grams + word uni/bi-grams, per-block L2
normalisation, sublinear term frequency) is computed here with a handful of vectorised numpy
operations (~0.1 ms for 2 KB), and the very same function builds the training matrix, so training
and serving can never drift apart. Training itself is scikit-learn's ``LogisticRegression``.

Storage is deliberately not pickle: ``model.json`` (version, metadata, feature config, bias) and
``weights.npz`` (the non-zero weights as index/value arrays, loaded with ``allow_pickle=False``),
so loading a model file can never execute code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from apps.security.guard.normalize import canonical_text

__all__ = [
    "FeatureConfig",
    "InjectionModel",
    "ModelError",
    "featurize",
    "train_model",
]

FORMAT = "agenthub-injection-linear/1"
_MIX = np.uint64(0x9E3779B97F4A7C15)
_RADIX = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_RADIX_INV = pow(_RADIX, -1, 1 << 64)
# Longer inputs are scored in windows (max over windows): an attack is not diluted by a long
# benign document around it, and the cost per window stays the same.
WINDOW_CHARS = 8000
WINDOW_OVERLAP = 400
MAX_WINDOWS = 32


class ModelError(ValueError):
    """A model file that cannot be loaded (missing, wrong format, inconsistent)."""


@dataclass(frozen=True)
class FeatureConfig:
    char_ngrams: tuple[int, ...] = (4,)
    word_ngrams: tuple[int, ...] = (1, 2)
    n_features_log2: int = 18
    # "sqrt": every n-gram occurrence weighs 1/sqrt(n-grams in its block) -- no sort/unique
    # needed at serving time; "l2_sublinear": classic (1 + log tf), L2-normalised per block.
    norm: str = "l2_sublinear"

    @property
    def n_features(self) -> int:
        return 1 << self.n_features_log2

    def as_dict(self) -> dict:
        return {
            "char_ngrams": list(self.char_ngrams),
            "word_ngrams": list(self.word_ngrams),
            "n_features_log2": self.n_features_log2,
            "norm": self.norm,
            "hash": "poly64-radix-0x100000001b3 + fibonacci mix, block-salted",
            "normalization": "apps.security.guard.normalize.canonical_text",
        }

    @classmethod
    def from_dict(cls, data: dict) -> FeatureConfig:
        return cls(
            char_ngrams=tuple(int(n) for n in data["char_ngrams"]),
            word_ngrams=tuple(int(n) for n in data["word_ngrams"]),
            n_features_log2=int(data["n_features_log2"]),
            norm=str(data.get("norm", "l2_sublinear")),
        )


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _compute_powers(n: int, base: int) -> np.ndarray:
    powers = np.full(n, base, dtype=np.uint64)
    if n:
        powers[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(powers, dtype=np.uint64)  # wraps modulo 2**64 by design


_POWERS_CACHED = 16_385
_POWERS = _compute_powers(_POWERS_CACHED, _RADIX)
_INVERSE_POWERS = _compute_powers(_POWERS_CACHED, _RADIX_INV)


def _powers(n: int, base: int) -> np.ndarray:
    if n <= _POWERS_CACHED:
        return (_POWERS if base == _RADIX else _INVERSE_POWERS)[:n]
    return _compute_powers(n, base)


def _bucket(hashes: np.ndarray, salt: int, bits: int) -> np.ndarray:
    mixed = (hashes ^ np.uint64(salt)) * _MIX
    # uint32 indices: numpy's SIMD sort (inside np.unique) is about twice as fast as for int64
    return (mixed >> np.uint64(64 - bits)).astype(np.uint32)


def _tf(buckets: np.ndarray, norm: str) -> tuple[np.ndarray, np.ndarray]:
    if buckets.size == 0:
        return buckets, np.zeros(0, dtype=np.float64)
    if norm == "sqrt":
        return buckets, np.full(buckets.size, 1.0 / math.sqrt(buckets.size))
    index, counts = np.unique(buckets, return_counts=True)
    values = 1.0 + np.log(counts.astype(np.float64))
    values /= math.sqrt(float(values @ values))
    return index, values


def _join(parts: list[np.ndarray]) -> np.ndarray | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _tf_two_blocks(
    char_block: np.ndarray | None, word_block: np.ndarray | None, bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """``_tf`` of both blocks with a single sort: the block number is tagged into bit ``bits``.

    Gives exactly what ``_tf`` per block + concatenation gives (same order: char block first,
    each block ascending by bucket; same per-block dot products), at about half the numpy calls.
    """
    tag = np.uint32(1 << bits)
    if char_block is None and word_block is None:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float64)
    if word_block is None:
        assert char_block is not None  # both None returned above
        keys = char_block.copy()
    elif char_block is None:
        keys = word_block | tag
    else:
        keys = np.concatenate((char_block, word_block | tag))
    keys.sort()
    first = np.empty(keys.size, dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    unique = keys[starts]
    counts = np.diff(np.append(starts, keys.size))
    values = 1.0 + np.log(counts.astype(np.float64))
    split = int(np.searchsorted(unique, tag))  # entries of the char block
    for block in (values[:split], values[split:]):
        if block.size:
            block /= math.sqrt(float(block @ block))
    return unique & np.uint32(tag - 1), values


def featurize(canonical: str, config: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Sparse feature vector (indices, values) of an already-normalized text."""
    with np.errstate(over="ignore"):
        return _featurize(canonical, config)


def _featurize(canonical: str, config: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    bits = config.n_features_log2
    points = _codepoints(canonical)
    n = points.size
    if n == 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float64)
    # prefix[i] = sum_{j<i} c_j * R**j, so the hash of any span is one subtraction and a shift
    powers = _powers(n + 1, _RADIX)
    inverse = _powers(n + 1, _RADIX_INV)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(points * powers[:n], out=prefix[1:])
    blocks: list[tuple[np.ndarray, np.ndarray]] = []

    # character n-grams (spaces included, so word edges are features too)
    char_buckets: list[np.ndarray] = []
    for size in config.char_ngrams:
        if n < size:
            continue
        count = n - size + 1
        hashes = (prefix[size:] - prefix[:count]) * inverse[:count]
        char_buckets.append(_bucket(hashes, 0xC0 + size, bits))
    char_block = _join(char_buckets)

    # word n-grams: a word is a run of letters/digits (any script)
    is_word = (
        ((points >= 48) & (points <= 57)) | ((points >= 97) & (points <= 122)) | (points > 127)
    )
    edges = np.diff(np.concatenate(([0], is_word.astype(np.int8), [0])))
    word_starts = np.flatnonzero(edges == 1)
    word_ends = np.flatnonzero(edges == -1)
    word_buckets: list[np.ndarray] = []
    if word_starts.size:
        words = (prefix[word_ends] - prefix[word_starts]) * inverse[word_starts]
        for size in config.word_ngrams:
            if words.size < size:
                continue
            combined = words[: words.size - size + 1].copy()
            for k in range(1, size):
                combined = combined * np.uint64(_RADIX) + words[k : words.size - size + 1 + k]
            word_buckets.append(_bucket(combined, 0xA0 + size, bits))
    word_block = _join(word_buckets)

    if config.norm == "l2_sublinear" and bits < 31:
        return _tf_two_blocks(char_block, word_block, bits)
    if char_block is not None:
        blocks.append(_tf(char_block, config.norm))
    if word_block is not None:
        blocks.append(_tf(word_block, config.norm))
    if not blocks:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float64)
    # Each block is L2-normalised on its own; the two blocks together have norm sqrt(2).
    indices = np.concatenate([b[0] for b in blocks])
    values = np.concatenate([b[1] for b in blocks])
    return indices, values


def _window_spans(canonical: str) -> list[tuple[int, int]]:
    if len(canonical) <= WINDOW_CHARS:
        return [(0, len(canonical))]
    step = WINDOW_CHARS - WINDOW_OVERLAP
    starts = list(range(0, len(canonical) - WINDOW_OVERLAP, step))
    if len(starts) > MAX_WINDOWS:  # bounded work: evenly spread windows, first and last kept
        last = len(canonical) - WINDOW_CHARS
        starts = [round(i * last / (MAX_WINDOWS - 1)) for i in range(MAX_WINDOWS)]
    return [(s, min(s + WINDOW_CHARS, len(canonical))) for s in starts]


class InjectionModel:
    """P(injection) for a text. Immutable after construction; safe to share between threads."""

    def __init__(
        self,
        *,
        weights: np.ndarray,
        bias: float,
        config: FeatureConfig,
        version: str,
        metadata: dict | None = None,
    ) -> None:
        if weights.shape != (config.n_features,):
            raise ModelError("weights do not match the feature configuration")
        # float32 keeps the table small (1 MB at 2**18) so the gather stays in cache
        self._weights = np.ascontiguousarray(weights, dtype=np.float32)
        self._weights.setflags(write=False)
        self.bias = float(bias)
        self.config = config
        self.version = version
        self.metadata = dict(metadata or {})

    def decision_function(self, canonical: str) -> float:
        """Raw margin for one already-normalized text (no windowing)."""
        indices, values = featurize(canonical, self.config)
        if indices.size == 0:
            return self.bias
        return self.bias + float(self._weights[indices] @ values)

    kind = "linear"

    def windows(self, canonical: str) -> list[tuple[int, int, float]]:
        """(start, end, P(injection)) per window of an already-normalized text."""
        return [
            (s, e, _sigmoid(self.decision_function(canonical[s:e])))
            for s, e in _window_spans(canonical)
        ]

    def score_normalized(self, canonical: str) -> float:
        return max(score for _, _, score in self.windows(canonical))

    def score(self, text: str) -> float:
        """P(injection) in [0, 1] for a raw input (normalized here)."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        return self.score_normalized(canonical_text(text))

    # --- persistence ---------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        nonzero = np.flatnonzero(self._weights)
        np.savez_compressed(
            path / "weights.npz",
            index=nonzero.astype(np.uint32),
            value=self._weights[nonzero].astype(np.float32),
        )
        manifest = {
            "format": FORMAT,
            "version": self.version,
            "bias": self.bias,
            "features": self.config.as_dict(),
            "metadata": self.metadata,
        }
        (path / "model.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> InjectionModel:
        path = Path(path)
        try:
            manifest = json.loads((path / "model.json").read_text())
            if manifest.get("format") != FORMAT:
                raise ModelError(f"unknown model format {manifest.get('format')!r}")
            config = FeatureConfig.from_dict(manifest["features"])
            with np.load(path / "weights.npz", allow_pickle=False) as data:
                index = data["index"].astype(np.int64)
                value = data["value"].astype(np.float64)
        except ModelError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"cannot load model from {path}: {exc}") from exc
        if index.size and (index.min() < 0 or index.max() >= config.n_features):
            raise ModelError("weight index out of range")
        weights = np.zeros(config.n_features, dtype=np.float64)
        weights[index] = value
        return cls(
            weights=weights,
            bias=float(manifest["bias"]),
            config=config,
            version=str(manifest["version"]),
            metadata=manifest.get("metadata") or {},
        )


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


# --- training ----------------------------------------------------------------------------------

DEFAULT_C = 8.0


def build_matrix(texts: Sequence[str], config: FeatureConfig):
    """CSR matrix of the featurized texts (normalized first), rows in input order."""
    from scipy.sparse import csr_matrix

    indptr = [0]
    all_indices: list[np.ndarray] = []
    all_values: list[np.ndarray] = []
    for text in texts:
        indices, values = featurize(canonical_text(text), config)
        # duplicates across blocks are possible (hash collisions): CSR sums them like serving does
        all_indices.append(indices)
        all_values.append(values)
        indptr.append(indptr[-1] + indices.size)
    indices = np.concatenate(all_indices) if all_indices else np.zeros(0, dtype=np.int64)
    values = np.concatenate(all_values) if all_values else np.zeros(0)
    matrix = csr_matrix(
        (values, indices, np.asarray(indptr)), shape=(len(texts), config.n_features)
    )
    matrix.sum_duplicates()
    return matrix


def fit_classifier(matrix, labels: Sequence[int] | np.ndarray, *, c: float = DEFAULT_C):
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(
        C=c, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=0
    )
    classifier.fit(matrix, np.asarray(labels, dtype=np.int64))
    return classifier


def train_model(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    metadata: dict | None = None,
    config: FeatureConfig | None = None,
    c: float = DEFAULT_C,
    matrix=None,
) -> InjectionModel:
    """Fit a model on ``texts`` (raw; normalized here) with labels 1 = injection, 0 = benign.

    ``matrix``: ``build_matrix(texts, config)`` when the caller already built it (featurizing
    is the slow part, and cross-validation needs the same matrix).
    """
    if len(texts) != len(labels):
        raise ValueError("texts and labels must have the same length")
    label_array = np.asarray(labels, dtype=np.int64)
    if set(np.unique(label_array).tolist()) != {0, 1}:
        raise ValueError("training needs both labels: 1 (injection) and 0 (benign)")
    config = config or FeatureConfig()
    if matrix is None:
        matrix = build_matrix(texts, config)
    elif matrix.shape != (len(texts), config.n_features):
        raise ValueError("matrix does not match texts and config")
    classifier = fit_classifier(matrix, label_array, c=c)
    weights = np.asarray(classifier.coef_[0], dtype=np.float64)
    trained_at = datetime.now(UTC)
    info = {
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "n_samples": len(texts),
        "label_counts": {
            "injection": int(label_array.sum()),
            "benign": int(len(label_array) - label_array.sum()),
        },
        "classifier": {"type": "LogisticRegression", "C": c, "class_weight": "balanced"},
        "feature_config": config.as_dict(),
    }
    info.update(metadata or {})
    version = info.get("version") or f"lr-{trained_at.strftime('%Y%m%dT%H%M%SZ')}"
    return InjectionModel(
        weights=weights,
        bias=float(classifier.intercept_[0]),
        config=config,
        version=str(version),
        metadata=info,
    )
