"""The cost per message of rendering a school's own template at send time in the pool of limited
processes (``gateway.render_pool``), against the same renders in process, in the same run.

Run from the repository root: ``.venv/bin/python bench/bench_render.py [-n 2000 -c 8 -r 3]``.
Each message renders what ``core.services.templates.messages.compose`` renders for it, with the
variables a real absence notice has: an SMS (its body), an email (subject and body), a letter
(the shipped HTML letter in its autoescape block), the shipped templates standing for a school's
own. The baseline calls the sandbox in process (``SandboxRenderer.__call__``, what the shipped
templates still use); the bounded render awaits ``SandboxRenderer.bounded`` one message after
the other, then ``-c`` messages at once (the pool has ``WORKERS`` processes). The pool is
started before measuring. Each measure runs ``-r`` rounds; the best is kept. Goal: well under a
millisecond per message, small next to a provider's round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import QUICK, record
from core.models import School
from core.services.templates.letters import autoescaped, default_letter
from core.services.templates.messages import default_template
from core.services.templates.values import sample_context
from gateway.render_pool import POOL, WORKERS
from workers.senders import SandboxRenderer

SCHOOL = School(
    name="Collège Jean Moulin",
    uai="0999001X",
    letterhead={"lines": ["12 rue de la République"], "postal_code": "75011", "city": "Paris",
                "phone": "01 23 45 67 89", "signatory_name": "Mme Lefèvre",
                "signatory_title": "Conseillère principale d'éducation"},
)  # fmt: skip
# The variables of a real absence notice, as the template editor's preview gives them.
CONTEXT: dict[str, object] = sample_context(SCHOOL, "absence", "fr")


def _messages() -> dict[str, list[str]]:
    sms = default_template("absence", "sms", "fr")
    email = default_template("absence", "email", "fr")
    letter = default_letter("absence", "fr")
    assert sms is not None and email is not None and letter is not None
    return {"sms": [sms[1]], "email": [email[0], email[1]], "letter": [autoescaped(letter)]}


async def _best(rounds: int, count: int, one: Callable[[], Awaitable[None]]) -> float:
    """The best of ``rounds`` runs of ``count`` calls of ``one``, in microseconds per call."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            await one()
        best = min(best, (time.perf_counter() - start) / count)
    return best * 1e6


async def run(count: int, concurrency: int, rounds: int) -> None:
    render = SandboxRenderer(POOL)
    await asyncio.gather(*(render.bounded("warm {{ kind }}", CONTEXT) for _ in range(WORKERS)))
    print(f"{count} messages of each channel, best of {rounds} rounds; pool of {WORKERS} processes")
    for channel, sources in _messages().items():

        async def inline(sources: list[str] = sources) -> None:
            for source in sources:
                render(source, CONTEXT)

        async def bounded(sources: list[str] = sources) -> None:
            for source in sources:
                await render.bounded(source, CONTEXT)

        async def together(sources: list[str] = sources) -> None:
            await asyncio.gather(*(bounded(sources) for _ in range(concurrency)))

        await inline()  # compiled once, in both processes
        await bounded()
        base = await _best(rounds, count, inline)
        apart = await _best(rounds, count, bounded)
        many = await _best(rounds, max(1, count // concurrency), together) / concurrency
        print(
            f"{channel:>6}: in process {base:8.1f} µs/message (baseline) | pool {apart:8.1f} "
            f"µs/message, ratio {apart / base:5.1f} | pool, {concurrency} at once {many:8.1f} "
            f"µs/message, ratio {many / base:5.1f}"
        )
        record(
            f"render_{channel}",
            many,
            "µs/msg",
            baseline=base,
            goal="< 1 ms per message",
            ok=many < 1000,
            one_at_a_time_us=round(apart, 1),
            at_once=concurrency,
        )
    POOL.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--messages", type=int, default=300 if QUICK else 2000)
    parser.add_argument("-c", "--concurrency", type=int, default=8)
    parser.add_argument("-r", "--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.concurrency, args.rounds))


if __name__ == "__main__":
    main()
