"""A school created from its own SIECLE export (collège Jean Moulin, 2026) with two weeks of
absences and lateness recorded through the services, for the statistics page's tests.

The default timetable: Monday, Tuesday, Thursday, Friday 8:00–17:00 in one-hour slots (a
morning of 4 h = 14,400 s, an afternoon of 5 h = 18,000 s), Wednesday 8:00–12:00; midday 12:00.
Weeks 47 and 48 of 2026 (16–29 November) have no closed day. In 5A (25 students):

- ``ana``: Monday 16, 8:00–17:00 (2 half-days, complete), no reason: unjustified; Tuesday 17,
  8:00–10:00 (1 half-day, 7,200 s of 14,400), justified afterwards;
- ``ben``: Wednesday 18, 8:00–12:00 (1 half-day, complete), « Convenance personnelle »: not
  justified; late Thursday 19, 8:00–8:10 (« Difficulté de transport ») and Friday 20,
  13:00–13:05 (none);
- ``cleo``: absent from Monday 23 at 8:00, still absent on Monday 30 at noon (open-ended): the
  whole of week 48 (9 half-days, 144,000 s).

In 6A: ``dan``, Monday 16, 8:00–12:00 (1 half-day), no reason — outside 5A.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from core.models import Division, School, Student
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import EventPatch, correct_event, record_event
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export

SIECLE = Path(__file__).resolve().parents[2] / "fixtures" / "siecle" / "college-jean-moulin-2026"
UAI = "0751234X"
ADMIN = Actor.system("admin@college.example")
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=PARIS)
TODAY = NOW.date()
FIRST, LAST = date(2026, 11, 16), date(2026, 11, 29)
IN_5A = 25
WEEK_LESSONS = 4 * 32_400 + 14_400  # seconds of lessons a student has in a week


def at(day: int, hhmm: str) -> datetime:
    return datetime.combine(date(2026, 11, day), time.fromisoformat(hhmm), tzinfo=PARIS)


@dataclass
class World:
    school: School
    ana: Student
    ben: Student
    cleo: Student
    dan: Student


async def stats_world() -> World:
    await import_siecle(load_export([SIECLE]), ADMIN, today=date(2026, 9, 1))
    school = await School.get(uai=UAI)
    five_a = await Division.get(school=school, code="5A")
    six_a = await Division.get(school=school, code="6A")
    ana, ben, cleo = await Student.filter(division=five_a).order_by("id").limit(3)
    dan = await Student.filter(division=six_a).order_by("id").first()
    assert dan is not None

    async def record(
        student: Student,
        kind: EventKind,
        start: datetime,
        end: datetime | None,
        reason: str | None = None,
    ) -> int:
        done = await record_event(
            school,
            ADMIN,
            student_id=student.id,
            kind=kind,
            start=start,
            end=end,
            reason=reason,
            now=start,
        )
        return done.event.id

    absence, lateness = EventKind.ABSENCE, EventKind.LATENESS
    await record(ana, absence, at(16, "08:00"), at(16, "17:00"))
    tuesday = await record(ana, absence, at(17, "08:00"), at(17, "10:00"))
    await correct_event(school, ADMIN, tuesday, EventPatch(accepted=True), now=at(18, "09:00"))
    await record(ben, absence, at(18, "08:00"), at(18, "12:00"), "CONVENANCE")
    await record(ben, lateness, at(19, "08:00"), at(19, "08:10"), "TRANSPORT")
    await record(ben, lateness, at(20, "13:00"), at(20, "13:05"))
    await record(cleo, absence, at(23, "08:00"), None)
    await record(dan, absence, at(16, "08:00"), at(16, "12:00"))
    return World(school, ana, ben, cleo, dan)
