"""Letters per second into one merged PDF, against WeasyPrint alone on the same HTML.

Run from the repository root: ``.venv/bin/python bench/bench_letters.py [-n 20 50 100]``.
Ours is the letter channel's whole path for ``-n`` absence letters to as many families: the
shipped letter template rendered in the bounded sandbox (the pool of limited processes) with
each family's variables, the letter transport's render and private store of each PDF (what the
``deliver`` task does for a letter), then the stored PDFs read back and merged into the one
document the CPE prints (what ``letters.pdf`` answers). The baseline renders the same final HTML
with WeasyPrint alone (the same stylesheet), one letter after the other, nothing merged.
Goal: a ratio of 0.8 or better.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

import weasyprint

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_render import CONTEXT
from bench.results import QUICK, record, scale_point
from core.services.ports import Message
from core.services.templates.letters import autoescaped, default_letter
from gateway.letter.pdf import LETTER_CSS
from gateway.letter.transport import LetterTransport
from gateway.render_pool import POOL, WORKERS
from workers.mailroom import LetterFolder
from workers.senders import SandboxRenderer

FIRST_NAMES = ("Léa", "Noah", "Inès", "Adam", "Chloé", "Yanis", "Manon", "Hugo")


SAMPLE = CONTEXT


def _context(n: int) -> dict[str, object]:
    """A family's variables, as the letter of a real absence notice has them."""
    first = FIRST_NAMES[n % len(FIRST_NAMES)]
    last = f"Martin-{n}"
    return {
        **SAMPLE,
        "student": {"first_name": first, "last_name": last},
        "guardian": {"civility": "Mme", "first_name": "Anne", "last_name": last,
                     "name": f"Mme {last.upper()} Anne"},
    }  # fmt: skip


def _address(n: int) -> str:
    return f"Madame Anne MARTIN-{n}\n{n} rue des Écoles\n75005 PARIS"


async def ours(count: int, folder: Path, render: SandboxRenderer, source: str) -> tuple[float, str]:
    """Seconds to render, store and merge ``count`` letters; the last letter's final HTML."""
    transport = LetterTransport(folder / f"var-{uuid.uuid4().hex[:6]}")
    files = LetterFolder(transport)
    started = time.perf_counter()
    ids, html = [], ""
    for n in range(count):
        content = await render.bounded(source, _context(n))
        message = Message(
            delivery_uuid=str(uuid.uuid4()),
            channel="letter",
            to=_address(n).splitlines()[0],
            body="",
            html=content,
            extra={"address": _address(n)},
        )
        await files.write(message)
        ids.append(message.delivery_uuid)
        html = transport._html(message)
    pdfs = [pdf for pdf in [await files.read(i) for i in ids] if pdf is not None]
    merged = await files.merge(pdfs)
    took = time.perf_counter() - started
    if len(pdfs) != count or not merged.startswith(b"%PDF"):
        raise SystemExit(f"ours: {len(pdfs)} of {count} letters stored, merged PDF wrong")
    return took, html


async def baseline(count: int, render: SandboxRenderer, source: str) -> float:
    """Seconds for WeasyPrint alone to render the same final HTML of ``count`` letters."""
    transport = LetterTransport("/nonexistent")  # only its HTML is used
    pages = []
    for n in range(count):
        content = render(source, _context(n))
        message = Message(str(n), "letter", "", "", html=content, extra={"address": _address(n)})
        pages.append(transport._html(message))
    stylesheet = weasyprint.CSS(string=LETTER_CSS)
    started = time.perf_counter()
    for page in pages:
        weasyprint.HTML(string=page).write_pdf(stylesheets=[stylesheet])
    return time.perf_counter() - started


async def run(sizes: list[int], rounds: int) -> None:
    letter = default_letter("absence", "fr")
    assert letter is not None
    source = autoescaped(letter)
    render = SandboxRenderer(POOL)
    await asyncio.gather(*(render.bounded(source, SAMPLE) for _ in range(WORKERS)))
    found: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        await ours(2, Path(tmp), render, source)  # WeasyPrint's fonts loaded once
        for size in sizes:
            mine = min([(await ours(size, Path(tmp), render, source))[0] for _ in range(rounds)])
            base = min([await baseline(size, render, source) for _ in range(rounds)])
            found[size] = (size / mine, size / base)
            print(
                f"letters: {size}, ours {size / mine:.1f}/s (rendered, stored, merged), "
                f"WeasyPrint alone {size / base:.1f}/s"
            )
    POOL.close()
    size = max(found)
    rate, base_rate = found[size]
    record(
        "letters_pdf",
        rate,
        "letters/s",
        baseline=base_rate,
        goal="ratio >= 0.8",
        ok=rate >= 0.8 * base_rate,
        scale=[scale_point(n, o, b) for n, (o, b) in sorted(found.items())],
        letters=size,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", "--letters", type=int, nargs="+", default=[5, 10, 20] if QUICK else [20, 50, 100]
    )
    parser.add_argument("-r", "--rounds", type=int, default=2, help="the best round is kept")
    args = parser.parse_args()
    asyncio.run(run(sorted(args.letters), args.rounds))


if __name__ == "__main__":
    main()
