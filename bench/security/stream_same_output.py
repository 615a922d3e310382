"""Do two versions of the secret redactor release the same streams? Dump, then compare.

    # in each checkout (e.g. main in a scratch copy, then the branch):
    .venv/bin/python bench/security/stream_same_output.py --dump /tmp/before.jsonl
    .venv/bin/python bench/security/stream_same_output.py --dump /tmp/after.jsonl
    .venv/bin/python bench/security/stream_same_output.py --compare /tmp/before.jsonl \
        /tmp/after.jsonl

Every input is streamed through ``StreamRedactor`` in several random chunkings, and the dump
keeps what each ``feed`` released and what ``flush`` released (so the hold-back is compared
delta by delta, not only the joined text), plus ``Redactor.find`` on the whole text (every
finding's spans, name and rank). Inputs: every synthetic secret format of
``apps.security.secret_rules.samples`` (three seeds, three placements, alone and inside English
prose), English prose in 5-word deltas, the ordinary lines, random text made of what secrets
are made of, non-ASCII text (an em dash, accents, CJK, the Kelvin sign and the long s, which
RE2 folds to ``k`` and ``s``), and long texts (the windowed path); each through the default
rules and through rules with a configured secret literal. ``--compare`` exits non-zero on the
first difference.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from apps.security.redaction import Redactor  # noqa: E402
from apps.security.secret_rules.samples import (  # noqa: E402
    ORDINARY_LINES,
    secret_samples,
    split_points,
)
from apps.security.streaming import StreamRedactor  # noqa: E402

PROSE = (
    "Sure, here is a short overview of how they handle authentication in most web services. "
    "Every request carries a token that the server checks against its key store before it "
    "answers. If the key has expired, the client asks for a new one and retries the call. "
    "You can keep the configuration in environment variables, which keeps secrets out of the "
    "code. They also rotate keys every ninety days, and the old ones stay valid for a week. "
    "In practice, the hardest part is making sure every service reads the same settings: the "
    "API base URL, the timeout and the retry policy. Let me know if you want an example in "
    "Python or in JavaScript, and I will write one for you. The task list is short; ask me "
    "if anything is unclear. Their survey says money and journey times matter most.\n"
)
NON_ASCII = [
    "Das Schlüsselwort — der Key — liegt im Tresor; la clé est là. 密钥在这里。",
    "\u212aey: \u017fk-" + "Zq9Xw8Vu7Ts6Rp5" * 2 + " \u2014 \u212aEY=abc123def456ghi",
    "Ünïcödé \u201cquotes\u201d and an em dash \u2014 token: \u00e9t\u00e9" + "9x" * 10,
]
SECRETISH = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:=/+ \n\"'"


def inputs(rng: random.Random) -> Iterator[tuple[str, str]]:
    words = PROSE.split(" ")
    for seed in (11, 12, 13):
        for sample in secret_samples(seed=seed):
            for placement, text in sample.placements().items():
                yield f"{sample.name}/{placement}/{seed}", text
                start = rng.randrange(len(words))
                before = " ".join(words[start : start + rng.randint(3, 40)])
                after = " ".join(words[: rng.randint(3, 30)])
                yield f"{sample.name}/{placement}/{seed}/prose", f"{before} {text} {after}"
    for index in range(60):
        start = rng.randrange(len(words))
        yield f"prose/{index}", " ".join((words * 3)[start : start + rng.randint(20, 200)])
    for index, line in enumerate(ORDINARY_LINES):
        yield f"ordinary/{index}", line
    for index in range(150):
        size = rng.randint(1, 300)
        yield f"random/{index}", "".join(rng.choice(SECRETISH) for _ in range(size))
    for index, text in enumerate(NON_ASCII):
        yield f"non-ascii/{index}", text
        yield f"non-ascii/{index}/prose", PROSE[:200] + text + PROSE[200:400]


def long_inputs(rng: random.Random) -> Iterator[tuple[str, str]]:
    samples = secret_samples(seed=14)
    for index in range(12):
        parts = [PROSE]
        while sum(map(len, parts)) < 9000 + index * 1000:
            parts.append(rng.choice(samples).text if rng.random() < 0.2 else PROSE)
        if index % 3 == 0:
            parts.append(NON_ASCII[index % len(NON_ASCII)])
        yield f"long/{index}", "\n".join(parts)


def chunkings(text: str, rng: random.Random) -> Iterator[list[str]]:
    words = text.split(" ")
    yield [" ".join(words[i : i + 5]) + (" " if i + 5 < len(words) else "")
           for i in range(0, len(words), 5)]  # fmt: skip
    yield list(text)[:400] + ([text[400:]] if len(text) > 400 else [])
    for _ in range(6):
        if len(text) > 1:
            yield split_points(text, rng.randint(2, max(2, min(40, len(text) // 3))), rng)


def dump(path: Path) -> int:
    redactors = {
        "default": Redactor(),
        "literal": Redactor(literals=["CorrectHorseBatteryStaple", "hunter2-very-secret"]),
    }
    rng = random.Random(20261205)
    lines = 0
    with path.open("w") as out:
        for label, text in [*inputs(rng), *long_inputs(rng)]:
            for name, redactor in redactors.items():
                findings = [
                    (f.start, f.end, f.name, f.match_start, f.match_end, f.rank)
                    for f in redactor.find(text)
                ]
                streams = []
                if not label.startswith("long/"):
                    for pieces in chunkings(text, rng):
                        stream = StreamRedactor(redactor)
                        released = [stream.feed(piece) for piece in pieces]
                        released.append(stream.flush())
                        streams.append(released)
                record = {"input": label, "redactor": name, "findings": findings}
                record["streams"] = streams
                out.write(json.dumps(record) + "\n")
                lines += 1
    print(f"{lines} records -> {path}")
    return 0


def compare(before: Path, after: Path) -> int:
    streams = findings = 0
    with before.open() as a, after.open() as b:
        for number, (left, right) in enumerate(zip(a, b, strict=True), start=1):
            old, new = json.loads(left), json.loads(right)
            if old != new:
                print(f"DIFFERENT at record {number}: {old['input']} ({old['redactor']})")
                for key in ("findings", "streams"):
                    if old[key] != new[key]:
                        print(f"  {key}:\n    before {old[key]!r}\n    after  {new[key]!r}")
                return 1
            streams += len(old["streams"])
            findings += len(old["findings"])
    print(f"same: {number} records, {streams} streamed texts, {findings} findings")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--dump", type=Path)
    group.add_argument("--compare", type=Path, nargs=2)
    args = parser.parse_args()
    return dump(args.dump) if args.dump else compare(*args.compare)


if __name__ == "__main__":
    raise SystemExit(main())
