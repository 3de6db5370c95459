"""The SIECLE import tells a watcher its progress, step by step, before it commits."""

from __future__ import annotations

from datetime import date

from core.services.audit import Actor
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export
from tests.core.siecle.support import SMALL


async def test_the_import_reports_each_step_in_order(db: str) -> None:
    seen: list[tuple[str, float]] = []
    summary = await import_siecle(
        load_export([SMALL]),
        Actor.system("tests"),
        today=date(2025, 9, 22),
        progress=lambda step, fraction: seen.append((step, fraction)),
    )
    assert summary.counts["students"].created == 3
    steps = [step for step, _ in seen]
    assert steps == ["school", "structures", "students", "guardians", "links", "audit"]
    fractions = [fraction for _, fraction in seen]
    assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] < 1
