"""A pupil of Collège Alpha in October 2026 with absences, one of them awaiting a decision:
what the dashboard's list of undecided absences is tested on (over HTTP and in Chromium)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from core.models import School, Student
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import record_event

PARIS = ZoneInfo("Europe/Paris")
SYSTEM = Actor.system("tests")
MON, TUE = date(2026, 10, 5), date(2026, 10, 6)
STORY_NOW = datetime.combine(date(2026, 10, 7), time(10), tzinfo=PARIS)  # the panel's clock


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


async def absent(
    school: School, pupil: Student, start: datetime, end: datetime, **extra: str
) -> None:
    await record_event(
        school,
        SYSTEM,
        student_id=pupil.id,
        kind=EventKind.ABSENCE,
        start=start,
        end=end,
        now=start,
        **extra,
    )


async def three_and_one_undecided(school: School, pupil: Student) -> None:
    """Monday, Tuesday morning without reason (3 half-days), Tuesday afternoon at a medical
    appointment the CPE has not decided on (judged case by case)."""
    await absent(school, pupil, at(MON, 8), at(MON, 17))
    await absent(school, pupil, at(TUE, 8), at(TUE, 12))
    await absent(school, pupil, at(TUE, 14), at(TUE, 17), reason="RDV_MEDICAL")
