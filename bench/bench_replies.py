"""Reading families' replies (``core.rules.replies.read_reply``): the share of the test table read
as a CPE reads it, and replies read per second against a naive baseline in the same run (the
folded text searched for one keyword per reason, what a first version would do).

Run from the repository root: ``.venv/bin/python bench/bench_replies.py [-r 5]``. Goal: the
share at least 95 %; thousands of replies per second on one core (a school's busiest morning
brings a few hundred), so reading never holds back a webhook.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import record
from core.rules.replies import Intent, read_reply
from tests.core.rules.reply_samples import REPLIES

NAIVE = {
    "MALADIE": "malade",
    "RDV_MEDICAL": "rendez",
    "TRANSPORT": "bus",
    "FAMILLE_SOLENNELLE": "enterrement",
}
CHILDREN = ("Léa", "Hugo")


def naive(text: str) -> str | None:
    low = text.lower()
    return next((code for code, word in NAIVE.items() if word in low), None)


def rate(read: Callable[[str], object], rounds: int) -> float:
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for text, _expected in REPLIES:
            read(text)
        best = max(best, len(REPLIES) / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-r", "--rounds", type=int, default=5)
    args = parser.parse_args()
    right = 0
    for text, expected in REPLIES:
        reading = read_reply(text, children=CHILDREN)
        said = reading.generic if reading.intent == Intent.REASON else reading.intent.value
        right += said == expected
    share = right / len(REPLIES)
    print(f"replies read right: {share:.1%} of {len(REPLIES)} (goal ≥ 95 %)")
    read_reply("préchauffage")  # caches filled before measuring
    ours = rate(lambda t: read_reply(t, children=CHILDREN), args.rounds)
    base = rate(naive, args.rounds)
    print(
        f"replies read per second: {ours:,.0f}  baseline (one keyword per reason): {base:,.0f}"
        f"  ratio {ours / base:.3f}"
    )
    record(
        "replies_read",
        share * 100,
        "% right",
        baseline=None,
        goal=">= 95 % read right",
        ok=share >= 0.95,
        replies=len(REPLIES),
        per_second=round(ours),
        naive_per_second=round(base),
    )


if __name__ == "__main__":
    main()
