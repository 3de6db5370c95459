"""The absences file of a reporting period, on a school created from its own SIECLE export:
what each attribute counts (two half-days, one justified, a lateness, a deleted event, events
across and outside the period's end, a student who left mid-period, one without ELENOET), in
the raw and proportional counting modes, read back with a safe XML parser."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree

from core.errors import NotFound
from core.models import AuditEntry, School, Student
from core.queries.period_counts import period_counts
from core.rules.counting import EventKind
from core.rules.periods import PeriodSpan
from core.services.audit import Actor
from core.services.events.record import EventPatch, correct_event, delete_event, record_event
from core.services.schools.period_export import export_siecle_absences
from core.services.schools.periods import set_periods
from core.services.schools.school import create_school, parse_settings_patch, update_settings
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export
from core.siecle.records import SiecleExport

SIECLE = Path(__file__).resolve().parents[2] / "fixtures" / "siecle" / "college-jean-moulin-2026"
UAI = "0751234X"
PARIS = ZoneInfo("Europe/Paris")
SEPTEMBER, LEFT_ON = date(2026, 9, 22), date(2026, 10, 14)
FIRST, LAST = date(2026, 9, 1), date(2026, 12, 11)  # the 1st trimester: to a Friday
NOW = datetime(2026, 12, 16, 18, tzinfo=PARIS)
ADMIN = Actor.system("admin@college.example")
# students of the sample: Lina has absences, Hugo leaves mid-October, Léo is absent an hour;
# Zoé arrives in October without an ELENOET yet
LINA, HUGO, LEO, ZOE = "1202203", "1202206", "1202212", "1900001"


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def october(export: SiecleExport) -> SiecleExport:
    """The export of 14 October: Hugo has left, Zoé has arrived (no ELENOET yet)."""
    students = [replace(s, left_on=LEFT_ON) if s.siecle_id == HUGO else s for s in export.students]
    zoe = replace(
        students[0], siecle_id=ZOE, elenoet=None, ine=None, first_name="Zoé", entered_on=LEFT_ON
    )
    return replace(export, exported_on=LEFT_ON, students=(*students, zoe))


async def record(
    school: School, who: str, start: datetime, end: datetime, kind: EventKind = EventKind.ABSENCE
) -> int:
    student = await Student.get(school=school, siecle_id=who)
    done = await record_event(
        school, ADMIN, student_id=student.id, kind=kind, start=start, end=end, now=NOW
    )
    return done.event.id


@pytest.fixture
async def school(db: str) -> School:
    export = load_export([SIECLE])
    await import_siecle(export, ADMIN, today=SEPTEMBER)
    school = await School.get(uai=UAI)
    await record(school, HUGO, at(date(2026, 10, 5), 8), at(date(2026, 10, 5), 17))
    await import_siecle(october(export), ADMIN, today=LEFT_ON)
    monday, tuesday = date(2026, 11, 16), date(2026, 11, 17)
    await record(school, LINA, at(monday, 8), at(monday, 17))  # two half-days, undecided
    justified = await record(school, LINA, at(tuesday, 8), at(tuesday, 12))
    await correct_event(school, ADMIN, justified, EventPatch(accepted=True), now=NOW)
    late = date(2026, 11, 19)
    await record(school, LINA, at(late, 8), at(late, 8).replace(minute=10), EventKind.LATENESS)
    mistake = await record(school, LINA, at(date(2026, 11, 20), 8), at(date(2026, 11, 20), 12))
    await delete_event(school, ADMIN, mistake, now=NOW)
    # Friday afternoon to Monday noon: the Friday counts, the Monday is after the period
    await record(school, LINA, at(LAST, 14), at(date(2026, 12, 14), 12))
    after = date(2026, 12, 15)
    await record(school, LINA, at(after, 8), at(after, 8).replace(minute=5), EventKind.LATENESS)
    await record(school, LEO, at(date(2026, 11, 24), 8), at(date(2026, 11, 24), 9))
    return school


async def trimester(school: School) -> int:
    made = await set_periods(
        school, [PeriodSpan("1er trimestre", FIRST, LAST)], ADMIN, today=SEPTEMBER
    )
    return made[0].id


def lines(xml: bytes) -> dict[str, dict[str, str]]:
    assert xml.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    root = ElementTree.fromstring(xml)
    assert root.tag == "exportAbsence" and all(e.tag == "eleve" for e in root)
    found = {e.attrib["elenoet"]: dict(e.attrib) for e in root}
    assert len(found) == len(root)  # one line per student
    return found


def figures(found: dict[str, dict[str, str]], elenoet: str) -> tuple[int, int, int]:
    line = found[elenoet]
    return int(line["nbAbs"]), int(line["nbNonJustif"]), int(line["nbRet"])


async def elenoet(school: School, siecle_id: str) -> str:
    value = (await Student.get(school=school, siecle_id=siecle_id)).elenoet
    assert value
    return value


async def test_each_attribute_counts_what_the_readme_says(school: School) -> None:
    period = await trimester(school)
    done = await export_siecle_absences(school, period, ADMIN, now=NOW)
    found = lines(done.xml)
    lina, hugo, leo = [await elenoet(school, s) for s in (LINA, HUGO, LEO)]
    assert figures(found, lina) == (4, 3, 1)  # 2 + 1 justified + Friday pm; one lateness
    assert figures(found, hugo) == (2, 2, 0)  # left on 14 October, still in the file
    assert figures(found, leo) == (1, 1, 0)  # an hour touches a half-day (raw counting)
    others = [figures(found, e) for e in found if e not in (lina, hugo, leo)]
    assert others and set(others) == {(0, 0, 0)}
    with_division = sum(1 for s in load_export([SIECLE]).students if s.division)
    assert (done.students, done.skipped) == (with_division, 1)  # Zoé: no ELENOET
    assert len(found) == done.students
    row = await AuditEntry.get(school=school, action="period.export_siecle")
    assert row.entity_id == str(period) and row.actor_label == ADMIN.label
    assert row.after is not None and row.after["students"] == done.students


async def test_the_proportional_mode_rounds_to_whole_half_days(school: School) -> None:
    patch = parse_settings_patch({"counting_mode": "proportional"})
    await update_settings(school, patch, ADMIN, today=SEPTEMBER)
    school = await School.get(id=school.id)
    counts = {c.elenoet: c for c in await period_counts(school, FIRST, LAST, now=NOW)}
    lina, leo = await elenoet(school, LINA), await elenoet(school, LEO)
    assert (counts[lina].absent, counts[lina].unjustified) == (3.6, 2.6)  # Friday: 3 h of 5
    assert (counts[leo].absent, counts[leo].unjustified) == (0.25, 0.25)  # 1 h of 4
    done = await export_siecle_absences(school, await trimester(school), ADMIN, now=NOW)
    found = lines(done.xml)
    assert figures(found, lina) == (4, 3, 1)
    assert figures(found, leo) == (0, 0, 0)


async def test_a_period_of_another_school_is_not_found(school: School, db: str) -> None:
    period = await trimester(school)
    other = await create_school("0690002B", "Lycée Beta", ADMIN, today=SEPTEMBER)
    with pytest.raises(NotFound):
        await export_siecle_absences(other, period, ADMIN, now=NOW)
    assert not await AuditEntry.exists(action="period.export_siecle")
