"""Text a secret rule's pattern cannot match without: a second, exact prefilter.

A rule runs when one of its keywords occurs (gitleaks' prefilter). Some keywords occur in most
English text (gitleaks' JWT rule has ``ey``: "key", "they", "every"; Twilio's has ``sk``: "ask"),
so their rules ran on nearly every streamed delta although their patterns need far more:
``ey[a-zA-Z0-9]{17,}\\.ey...`` cannot match where ``.ey`` does not occur, ``SK[0-9a-f]{32}``
where ``SK`` (upper case) does not. ``required_text(pattern)`` finds such strings: every match
of the pattern contains at least one of them, so skipping the rule when none occurs in the text
changes no finding.

RE2 exposes the atoms of its own prefilter (FilteredRE2) only through ``re2.Filter``, which
runs a second scan and drops atoms shorter than 3 characters; the pattern is therefore parsed
with Python's regular-expression parser, whose syntax tree has RE2's structure for the syntax
both share. Only that structure is read (sequences, groups, repeats, alternatives) plus literal
characters; classes and assertions (``\\w``, ``\\b``, which differ between the two engines) are
never looked into, so where they differ the result stays valid. Patterns whose syntax means
different things in the two (POSIX classes ``[[:alpha:]]``, ``\\Q...\\E``, Unicode classes,
inline comments) or that Python cannot parse get no requirement: the rule runs as before.

Case-insensitive parts (``(?i)``) require only their characters without case (digits,
punctuation): RE2 folds letters over Unicode (``k`` also matches the Kelvin sign), which a
substring test would not.
"""

from __future__ import annotations

import logging

# CPython's own parser for ``re`` (the syntax tree of a pattern; its node kinds and flags)
from re import _parser as _sre
from typing import Any

logger = logging.getLogger(__name__)

# Syntax that the two engines read differently (or that only one has): no requirement.
_DIVERGENT = ("[:", "\\Q", "\\E", "\\p", "\\P", "\\C", "(?#", "\\z", "\\Z", "\\x{")
# Characters that no other character matches under RE2's case folding: ASCII other than
# letters (checked over every code point in tests/security/test_redaction_prefilter.py).
CASELESS = frozenset(chr(c) for c in range(128) if not chr(c).isalpha())

Requirement = tuple[str, ...]  # at least one of these strings occurs in every match


def required_text(pattern: str) -> Requirement:
    """Strings of which every match of ``pattern`` (RE2) contains at least one; ``()`` when
    nothing is known. The most selective requirement found is returned (longest shortest
    alternative, then fewest alternatives)."""
    if any(marker in pattern for marker in _DIVERGENT):
        return ()
    try:
        parsed = _sre.parse(pattern)
    except Exception:  # Python cannot read it (RE2-only syntax): nothing is known
        return ()
    if parsed.state.flags & _sre.SRE_FLAG_VERBOSE:
        return ()
    icase = bool(parsed.state.flags & _sre.SRE_FLAG_IGNORECASE)
    try:
        requirements = _sequence(list(parsed), icase)
    except Exception:  # an unexpected node: be safe, require nothing
        logger.debug("required_text: could not analyse %r", pattern, exc_info=True)
        return ()
    return _best(requirements)


def _best(requirements: list[Requirement]) -> Requirement:
    usable = [r for r in requirements if r and all(r)]
    if not usable:
        return ()
    return max(usable, key=lambda r: (min(map(len, r)), -len(r)))


def _minimal(alternatives: set[str]) -> Requirement:
    """Drop an alternative that contains another (``=>`` when ``=`` is one): same condition."""
    kept = [a for a in alternatives if not any(b != a and b in a for b in alternatives)]
    return tuple(sorted(kept))


def _sequence(items: list[tuple[Any, Any]], icase: bool) -> list[Requirement]:
    """Requirements of a sequence: every one of its literal runs, and those of the elements
    that must match at least once."""
    requirements: list[Requirement] = []
    run: list[str] = []

    def end_run() -> None:
        if run:
            requirements.append(("".join(run),))
            run.clear()

    for op, arg in items:
        if op is _sre.LITERAL:
            char = chr(arg)
            if icase and char not in CASELESS:
                end_run()  # a letter folds to others: the run stops here
            else:
                run.append(char)
            continue
        end_run()
        if op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = arg
            inner = icase
            if add_flags & _sre.SRE_FLAG_IGNORECASE:
                inner = True
            if del_flags & _sre.SRE_FLAG_IGNORECASE:
                inner = False
            if (add_flags | del_flags) & _sre.SRE_FLAG_VERBOSE:
                raise ValueError("verbose group")
            requirements.extend(_sequence(list(sub), inner))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            low, _high, sub = arg
            if low >= 1:
                requirements.extend(_sequence(list(sub), icase))
        elif op is _sre.BRANCH:
            _none, branches = arg
            alternatives: set[str] = set()
            for branch in branches:
                best = _best(_sequence(list(branch), icase))
                if not best:
                    alternatives = set()
                    break
                alternatives.update(best)
            if alternatives:
                requirements.append(_minimal(alternatives))
        elif op is _sre.IN:
            chars = _class_literals(arg, icase)
            if chars:
                requirements.append(chars)
        # anything else (AT, ANY, NOT_LITERAL, CATEGORY, GROUPREF, ATOMIC_GROUP, ...) requires
        # nothing that is known here
    end_run()
    return requirements


def _class_literals(items: list[tuple[Any, Any]], icase: bool) -> Requirement:
    """A class made only of literal characters (``[=:]``, or ``(?:=|:)`` as Python parses it):
    one of them occurs. Anything else in the class (a range, ``\\w``, a negation): nothing."""
    chars: set[str] = set()
    for op, arg in items:
        if op is not _sre.LITERAL:
            return ()
        char = chr(arg)
        if icase and char not in CASELESS:
            return ()
        chars.add(char)
    return tuple(sorted(chars))


def matches_requirement(text: str, requirement: Requirement) -> bool:
    """Whether ``text`` contains one of the required strings (``()``: no requirement)."""
    if not requirement:
        return True
    return any(part in text for part in requirement)


__all__ = ["CASELESS", "Requirement", "matches_requirement", "required_text"]
