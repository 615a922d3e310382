"""CPU per streamed delta of the secret stream redactor (``StreamRedactor.feed``).

    .venv/bin/python bench/security/stream_cpu.py                 # this checkout
    .venv/bin/python bench/security/stream_cpu.py --ab ../other   # A/B: other checkout vs this

Workloads (what the gateway relays): 20 streams x 20 deltas of English prose, 5 words a delta
(an assistant's answer: some technical words, "key", "token", "they", "ask"...), and the same
with a secret of a random synthetic format (``secret_samples``) in each stream. Each stream
gets a fresh ``StreamRedactor`` over the default rules, as a request does; the rules are built
once and warmed (RE2 builds its DFA states lazily). Printed: CPU microseconds
(``time.process_time``) per delta, best and median of the repeats.

``--ab`` runs the measurement in subprocesses, alternating the two checkouts (A B A B ...), so
both see the same neighbours; each prints its own figures and the medians are compared.
Figures only: nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
PARAGRAPHS = [
    "Sure, here is a short overview of how they handle authentication in most web services. "
    "Every request carries a token that the server checks against its key store before it "
    "answers. If the key has expired, the client asks for a new one and retries the call.",
    "You can keep the configuration in environment variables, which keeps secrets out of the "
    "code. They also rotate keys every ninety days, and the old ones stay valid for a week.",
    "In practice, the hardest part is making sure every service reads the same settings: the "
    "API base URL, the timeout and the retry policy. Let me know if you want an example in "
    "Python or in JavaScript, and I will write one for you.",
    "The museum opens at nine on weekdays and at ten on Sundays. Tickets are cheaper online, "
    "and children under twelve enter for free. Plan about three hours for the main collection; "
    "the modern wing is smaller but worth the detour if you have the time.",
    "To summarise the chapter: the author argues that the survey underestimates how much money "
    "families spend on the journey to work, because it asks about a typical week and most "
    "people remember the good ones. The task for the reader is to check that claim.",
    "Here are three ways to speed up the query. First, add an index on the column you filter "
    "by. Second, select only the fields you need. Third, ask the database to explain its plan, "
    "and look for a full table scan where you expected an index lookup.",
]


def _workloads(seed: int) -> dict[str, list[list[str]]]:
    from apps.security.secret_rules.samples import secret_samples

    rng = random.Random(seed)
    words = " ".join(PARAGRAPHS * 4).split(" ")
    samples = secret_samples(seed=seed)

    def stream(secret: str | None) -> list[str]:
        start = rng.randrange(len(words) // 2)
        chosen = words[start : start + 100]
        if secret is not None:
            chosen.insert(rng.randint(10, 90), secret)
        return [" ".join(chosen[i : i + 5]) + " " for i in range(0, len(chosen), 5)][:20]

    return {
        "prose": [stream(None) for _ in range(20)],
        "prose+secret": [stream(rng.choice(samples).text) for _ in range(20)],
    }


def measure(repeats: int, seed: int) -> dict[str, list[float]]:
    from apps.security.redaction import Redactor
    from apps.security.streaming import StreamRedactor

    redactor = Redactor()
    workloads = _workloads(seed)

    def run(streams: list[list[str]]) -> None:
        for deltas in streams:
            stream = StreamRedactor(redactor)
            for delta in deltas:
                stream.feed(delta)
            stream.flush()

    for streams in workloads.values():
        run(streams)  # warm
    result: dict[str, list[float]] = {name: [] for name in workloads}
    for _ in range(repeats):
        for name, streams in workloads.items():
            deltas = sum(len(d) for d in streams)
            started = time.process_time()
            run(streams)
            result[name].append((time.process_time() - started) / deltas * 1e6)
    return result


def _print(label: str, result: dict[str, list[float]]) -> None:
    for name, values in result.items():
        print(
            f"{label:>8} {name:<14} best {min(values):6.1f} us  "
            f"median {statistics.median(values):6.1f} us  (CPU per delta, {len(values)} runs)"
        )


def ab(other: Path, rounds: int, repeats: int, seed: int) -> None:
    roots = {"A:other": other.resolve(), "B:this": HERE.parents[2]}
    collected: dict[str, dict[str, list[float]]] = {label: {} for label in roots}
    for _ in range(rounds):
        for label, root in roots.items():
            # the script itself comes from this checkout; the code it measures from ``root``
            command = [sys.executable, str(HERE), "--root", str(root), "--json"]
            command += ["--repeats", str(repeats), "--seed", str(seed)]
            out = (
                subprocess.run(
                    command,
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            for name, values in json.loads(out).items():
                collected[label].setdefault(name, []).extend(values)
    for label in roots:
        _print(label, collected[label])
    for name in collected["A:other"]:
        a = statistics.median(collected["A:other"][name])
        b = statistics.median(collected["B:this"][name])
        print(f"{name:<14} median A {a:6.1f} us -> B {b:6.1f} us  ({(b - a) / a * 100:+.0f}%)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=HERE.parents[2], help="checkout to measure")
    parser.add_argument("--ab", type=Path, help="another checkout: alternate A (it) / B (this)")
    parser.add_argument("--rounds", type=int, default=6, help="A/B alternations")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.ab:
        ab(args.ab, args.rounds, args.repeats, args.seed)
        return 0
    sys.path.insert(0, str(args.root.resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenthub.settings")
    result = measure(args.repeats, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        _print("this", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
