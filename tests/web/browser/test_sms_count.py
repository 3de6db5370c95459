"""The panel's live SMS counter (JavaScript) agrees with the rule the gateway uses (Python)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from core.rules.sms import GSM7_BASIC, GSM7_EXTENSION, sms_segments
from tests.core.rules.test_sms import CASES

SCRIPT = Path(__file__).resolve().parents[3] / "templates" / "web" / "static" / "sms_count.js"
OTHERS = "âêëîïôûçœ’«»–\u00a0😀👍🏽中"


def _random_texts(count: int) -> list[str]:
    rng = random.Random(5)
    alphabet = sorted(GSM7_BASIC) + sorted(GSM7_EXTENSION) * 3
    texts = []
    for n in range(count):
        size = rng.choice([0, 1, 69, 70, 71, 152, 153, 159, 160, 161, 200, 306, 307, 500])
        chars = rng.choices(alphabet, k=size)
        if n % 3 == 0 and size:
            chars[rng.randrange(size)] = rng.choice(OTHERS)
        texts.append("".join(chars))
    return texts


async def test_javascript_and_python_count_the_same(page: Any) -> None:
    await page.set_content("<!doctype html><html><body></body></html>")
    await page.add_script_tag(path=str(SCRIPT))
    texts = [case[0] for case in CASES] + _random_texts(300)
    counted = await page.evaluate("texts => texts.map(t => window.smsSegments(t))", texts)
    for text, js in zip(texts, counted, strict=True):
        py = sms_segments(text)
        expected = {
            "encoding": py.encoding,
            "length": py.length,
            "segments": py.segments,
            "unsupported": list(py.unsupported),
            "perSegment": py.per_segment,
        }
        assert js == expected, text
