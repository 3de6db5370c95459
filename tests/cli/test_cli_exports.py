"""``absences export siecle-absences`` as an admin runs it (subprocesses), on a school imported
from its own SIECLE export whose periods and one absence were set in the panel (here: through
the same services, on the install's database)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from defusedxml import ElementTree

from core.db import close_db, init_db
from core.models import Student
from core.rules.counting import EventKind
from core.rules.periods import PeriodSpan
from core.services.audit import Actor
from core.services.events.record import record_event
from core.services.schools.periods import set_periods
from core.services.schools.school import get_school
from tests.cli.test_cli import Install, install, migrated, one_line_error

__all__ = ["install", "migrated"]  # the fixtures, shared

SIECLE = Path(__file__).resolve().parents[1] / "fixtures" / "siecle" / "college-jean-moulin-2026"
UAI = "0751234X"
PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 11, 16)


async def _periods_and_an_absence(url: str) -> int:
    """The 1st trimester, and Lina (ELENOET 1001) absent a whole Monday; the period's id."""
    await init_db(url)
    try:
        school = await get_school(UAI)
        admin = Actor.system("admin@college.example")
        span = PeriodSpan("1er trimestre", date(2026, 9, 1), date(2026, 12, 11))
        period = (await set_periods(school, [span], admin, today=date(2026, 9, 22)))[0]
        lina = await Student.get(school=school, siecle_id="1202203")
        await record_event(
            school, admin, student_id=lina.id, kind=EventKind.ABSENCE,
            start=datetime(2026, 11, 16, 8, tzinfo=PARIS),
            end=datetime(2026, 11, 16, 17, tzinfo=PARIS),
        )  # fmt: skip
        return period.id
    finally:
        await close_db()


def test_a_period_is_exported_to_stdout_or_a_file_and_mistakes_are_one_line(
    migrated: Install,
) -> None:
    imported = migrated.run("import", "siecle", "--school", UAI, str(SIECLE), "--force-year")
    assert imported.returncode == 0, imported.stderr
    period = asyncio.run(_periods_and_an_absence(migrated.env["ABSENCES_DATABASE_URL"]))
    command = ("export", "siecle-absences", "--school", UAI, "--period", str(period))
    shown = migrated.run(*command)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith('<?xml version="1.0" encoding="ISO-8859-1"?>')
    lines = {e.attrib["elenoet"]: e.attrib for e in ElementTree.fromstring(shown.stdout.encode())}
    assert dict(lines["1001"]) == {
        "elenoet": "1001",
        "nbAbs": "2",
        "nbNonJustif": "2",
        "nbRet": "0",
    }
    assert "1er trimestre (2026-09-01 to 2026-12-11): " in shown.stderr
    assert f"{len(lines)} students, 0 left out without an ELENOET" in shown.stderr

    out = migrated.path / "absences.xml"
    written = migrated.run(*command, "--output", str(out))
    assert written.returncode == 0, written.stderr
    assert written.stdout.startswith(f"{out}: 1er trimestre") and out.read_bytes() == (
        shown.stdout.encode("iso-8859-1")
    )

    unknown = migrated.run("export", "siecle-absences", "--school", UAI, "--period", "999")
    assert "no period 999 in 0751234X" in one_line_error(unknown) and unknown.stdout == ""
    school = migrated.run("export", "siecle-absences", "--school", "0000000A", "--period", "1")
    assert "no school with UAI '0000000A'" in one_line_error(school)
