"""Finding personal data in text.

E-mail addresses, card numbers (Luhn + issuer prefix), IBANs (``schwifty``: country, length
and mod-97 checksum), US social security numbers (SSA allocation rules), IPv4/IPv6
(``ipaddress``) and phone numbers (``phonenumbers``, Google's libphonenumber: a number is
reported only when it is a valid number for its region, not whenever digits look like one).
Candidates come from linear-time RE2 patterns; the libraries confirm them. Names and postal
addresses are not detected: see the README (no NER model installs from the package index).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
import re2
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from apps.security.redaction import luhn_valid
from apps.security.secret_rules import CARD_PREFIXES


@dataclass(frozen=True)
class Entity:
    kind: str
    start: int
    end: int
    value: str


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    return options


_EMAIL = re2.compile(
    r"(?:^|[^A-Za-z0-9._%+\-])([A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}"
    r"[A-Za-z0-9])?)*\.[A-Za-z]{2,24})\b",
    _options(),
)
_CARD = re2.compile(r"\b(?:\d(?:[ \-+]|%20)?){12,18}\d\b", _options())
_IBAN = re2.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", _options())
_SSN = re2.compile(r"(?:^|[^\d\-])(\d{3})([\- ])(\d{2})([\- ])(\d{4})(?:$|[^\d\-])", _options())
_IPV4 = re2.compile(r"(?:^|[^\d.])((?:\d{1,3}\.){3}\d{1,3})(?:$|[^\d.]|\.(?:$|\D))", _options())
_IPV6 = re2.compile(r"(?:^|[^0-9A-Fa-f:])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})", _options())


def _emails(text: str, _region: str) -> Iterable[Entity]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        start, end = match.span(1)
        yield Entity("email", start, end, text[start:end])


def _cards(text: str, _region: str) -> Iterable[Entity]:
    for match in _CARD.finditer(text):
        at = match.start()
        if at and text[at - 1] == "+" and (at < 2 or not text[at - 2].isalpha()):
            continue  # "+55..." is an international phone number ("card+4111+..." is a URL)
        value = match.group()
        digits = "".join(c for c in value if c.isdigit())
        if 13 <= len(digits) <= 19 and digits.startswith(CARD_PREFIXES) and luhn_valid(digits):
            yield Entity("card", match.start(), match.end(), value)


def _ibans(text: str, _region: str) -> Iterable[Entity]:
    for match in _IBAN.finditer(text):
        value = match.group().rstrip()
        try:
            IBAN(value)
        except (SchwiftyException, ValueError):
            # A trailing group may belong to the next word: retry without it once.
            head = value.rsplit(" ", 1)[0]
            if head == value:
                continue
            try:
                IBAN(head)
            except (SchwiftyException, ValueError):
                continue
            value = head
        yield Entity("iban", match.start(), match.start() + len(value), value)


def _ssns(text: str, _region: str) -> Iterable[Entity]:
    for match in _SSN.finditer(text):
        area, sep1, group, sep2, serial = match.groups()
        if sep1 != sep2:
            continue
        if area in {"000", "666"} or area[0] == "9" or group == "00" or serial == "0000":
            continue
        start, end = match.start(1), match.end(5)
        yield Entity("ssn", start, end, text[start:end])


def _ips(text: str, _region: str) -> Iterable[Entity]:
    if "." in text:
        for match in _IPV4.finditer(text):
            start, end = match.span(1)
            try:
                ipaddress.IPv4Address(text[start:end])
            except ValueError:
                continue
            yield Entity("ip", start, end, text[start:end])
    if text.count(":") >= 2:
        for match in _IPV6.finditer(text):
            start, end = match.span(1)
            value = text[start:end]
            if value.count(":") < 2 or len(value) < 3:
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            yield Entity("ip", start, end, value)


# Where a phone number can be: a run of digits and separators with 7 to 15 digits. Each run is
# parsed and validated first (``phonenumbers.parse`` + ``is_valid_number``: 25-300 µs), and only
# a valid one goes to the library's free-text matcher (~1 ms): log lines are full of digits.
_PHONE_RUN = re2.compile(r"\+?\(?\d[\d \t\-.()/]{5,24}\d\)?", _options())


def _phones(text: str, region: str) -> Iterable[Entity]:
    if sum(c.isdigit() for c in text) < 7:
        return
    for run in _PHONE_RUN.finditer(text):
        value = run.group()
        if not 7 <= sum(c.isdigit() for c in value) <= 15:
            continue
        if value.endswith(")") and "(" not in value:
            value = value[:-1]
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        # confirmed by the library's matcher on the run and its line context: it knows dates
        # and time stamps ("2024-05-01 12:30" is not a number in Washington DC)
        line_start = text.rfind("\n", 0, run.start()) + 1
        line_end = text.find("\n", run.end())
        line_end = len(text) if line_end < 0 else line_end
        context_start = max(line_start, run.start() - 16)
        context = text[context_start : min(line_end, run.end() + 16)]
        for match in phonenumbers.PhoneNumberMatcher(
            context, region, leniency=phonenumbers.Leniency.VALID
        ):
            start = context_start + match.start
            if run.start() <= start < run.start() + len(value):
                yield Entity("phone", start, context_start + match.end, match.raw_string)


# Order = priority when two detections overlap (a card is not also a phone number).
DETECTORS: dict[str, Callable[[str, str], Iterable[Entity]]] = {
    "card": _cards,
    "iban": _ibans,
    "ssn": _ssns,
    "email": _emails,
    "ip": _ips,
    "phone": _phones,
}
_PRIORITY = {kind: n for n, kind in enumerate(("secret", *DETECTORS))}


def detect(
    text: str,
    kinds: Iterable[str],
    *,
    region: str = "US",
    secrets: Callable[[str], Iterable[tuple[int, int, str]]] | None = None,
) -> list[Entity]:
    """Entities of ``kinds`` in ``text``, without overlaps, in order of position.

    ``secrets`` finds secret spans ``(start, end, rule name)`` (the live secret redactor), used
    when "secret" is a kind. The secret rules know card numbers too: those count as cards."""
    kinds = set(kinds)
    found: list[Entity] = []
    if "secret" in kinds and secrets is not None:
        for start, end, name in secrets(text):
            if name != "card_number":
                found.append(Entity("secret", start, end, text[start:end]))
    for kind, detector in DETECTORS.items():
        if kind in kinds:
            found.extend(detector(text, region))
    if len(found) <= 1:
        return found
    # the longer detection wins an overlap ("DE23 3546 1106 1858 6675 57" is an IBAN, not the
    # card number inside it; "+5511961237584" a phone number); then the more specific kind
    found.sort(key=lambda e: (-(e.end - e.start), _PRIORITY[e.kind], e.start))
    chosen: list[Entity] = []
    for entity in found:
        if all(entity.end <= c.start or entity.start >= c.end for c in chosen):
            chosen.append(entity)
    chosen.sort(key=lambda e: e.start)
    return chosen
