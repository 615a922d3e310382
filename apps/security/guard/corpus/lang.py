"""A cheap language guess for rows whose source does not say (script first, then stop words).

Good enough to report figures per language and to spot a mislabelled source; not a detector.
"""

from __future__ import annotations

import re

__all__ = ["LANGUAGE_NAMES", "guess_lang", "lang_code"]

LANGUAGE_NAMES = {
    "english": "en", "spanish": "es", "french": "fr", "german": "de", "italian": "it",
    "portuguese": "pt", "chinese": "zh", "japanese": "ja", "russian": "ru", "arabic": "ar",
    "hindi": "hi",
}  # fmt: skip

_STOPWORDS = {
    "en": {
        "the",
        "and",
        "is",
        "you",
        "to",
        "of",
        "what",
        "how",
        "your",
        "this",
        "with",
        "for",
        "do",
        "does",
        "are",
        "can",
        "i",
        "my",
        "me",
        "that",
        "it",
    },
    "es": {"el", "la", "los", "las", "que", "de", "y", "es", "por", "para", "una", "cómo"},
    "fr": {"le", "les", "et", "est", "des", "une", "pour", "vous", "pas", "dans", "à", "il", "je"},
    "de": {
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "ich",
        "du",
        "sie",
        "mit",
        "ein",
        "wie",
        "was",
        "bitte",
        "zu",
        "den",
        "es",
        "auf",
    },
    "it": {"il", "di", "che", "e", "la", "per", "un", "non", "sono", "gli", "della", "come"},
    "pt": {"o", "que", "de", "e", "não", "uma", "para", "com", "os", "você", "do", "como"},
}
# Letters that (nearly) only one of the Latin-script languages uses: a strong hint each.
_LETTERS = {"es": "ñ¿¡", "fr": "çèêëîœ", "de": "ßäöü", "pt": "ãõç", "it": "ìò"}
_WORD = re.compile(r"[a-zà-ÿ]+")


def lang_code(name: str | None) -> str:
    """``"Spanish"`` / ``"es"`` -> ``"es"``; anything else -> ``"other"``."""
    if not name:
        return "other"
    value = name.strip().lower()
    if value in LANGUAGE_NAMES.values():
        return value
    return LANGUAGE_NAMES.get(value, "other")


def guess_lang(text: str) -> str:
    sample = text[:2000]
    counts = {"zh": 0, "ja": 0, "ru": 0, "ar": 0, "hi": 0, "latin": 0}
    for ch in sample:
        code = ord(ch)
        if 0x3040 <= code <= 0x30FF:
            counts["ja"] += 3  # kana decides Japanese even among kanji
        elif 0x4E00 <= code <= 0x9FFF:
            counts["zh"] += 1
        elif 0x0400 <= code <= 0x04FF:
            counts["ru"] += 1
        elif 0x0600 <= code <= 0x06FF:
            counts["ar"] += 1
        elif 0x0900 <= code <= 0x097F:
            counts["hi"] += 1
        elif ch.isalpha() and code < 0x250:
            counts["latin"] += 1
    best = max(counts, key=lambda name: counts[name])
    if counts[best] == 0:
        return "other"
    if best != "latin":
        if best == "zh" and counts["ja"]:
            return "ja"
        return best
    words = _WORD.findall(sample.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    lowered = sample.lower()
    for lang, letters in _LETTERS.items():
        scores[lang] += 2 * sum(lowered.count(ch) for ch in letters)
    lang = max(scores, key=lambda name: scores[name])
    return lang if scores[lang] else "en"
