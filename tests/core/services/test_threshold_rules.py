"""The three rules of the monthly letters (L131-8, R131-7), on a school created from its SIECLE
export (Collège Jean Moulin, 2026-2027, holiday zone C: Toussaint from 17 October):

(1) a month crosses the threshold whenever the entries that make it cross are made: an October
    absence entered or refused in December makes an October letter, once;
(2) an absence with a reason that may be legitimate, not decided yet, does not send the letter:
    it waits for the decision (and the dashboard lists it);
(3) a lesson a few minutes past midday belongs whole to the half-day it mostly lies in.

Events are recorded and corrected through the events service. ``updated_at`` is the wall clock
(what the planner reads to find the months changed since its last day): :func:`changed_on` sets
it to the story's day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.models import Event, Notice, School, Student
from core.queries.calendar import load_calendar
from core.queries.thresholds import month_counts, undecided_crossings
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import EventPatch, correct_event, record_event
from core.services.notices.facts import dated_notice_stands
from core.services.notices.planning import plan_dated_notices
from core.services.schools.school import parse_settings_patch, update_settings
from core.services.schools.years import start_year
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export

PARIS = ZoneInfo("Europe/Paris")
SIECLE = Path(__file__).resolve().parents[2] / "fixtures" / "siecle" / "college-jean-moulin-2026"
UAI = "0751234X"
CPE = Actor.system("cpe@college.example")
SEPTEMBER = date(2026, 9, 22)
# Monday 5 to Friday 9 October 2026 (summer time): lessons, before the Toussaint holidays
MON, TUE, THU, FRI = date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 8), date(2026, 10, 9)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@pytest.fixture
async def school(db: str) -> School:
    await import_siecle(load_export([SIECLE]), CPE, today=SEPTEMBER)
    found = await School.get(uai=UAI)
    found.reminder_after_days = 0  # these tests are about the monthly letters
    await found.save()
    return found


@pytest.fixture
async def pupil(school: School) -> Student:
    found = await Student.filter(school=school, active=True).order_by("id").first()
    assert found is not None
    return found


async def changed_on(day: date, *events: Event) -> None:
    """The events were entered or changed on ``day`` (their ``updated_at``, the wall clock)."""
    moment = at(day, 10).astimezone(UTC)
    await Event.filter(id__in=[e.id for e in events]).update(updated_at=moment)


async def absent(
    school: School, pupil: Student, start: datetime, end: datetime, reason: str | None = None
) -> Event:
    """An absence entered as it happens (its ``updated_at`` is then its day)."""
    recorded = await record_event(
        school,
        CPE,
        student_id=pupil.id,
        kind=EventKind.ABSENCE,
        start=start,
        end=end,
        reason=reason,
        now=start,
    )
    await changed_on(start.date(), recorded.event)
    return recorded.event


async def whole_day(
    school: School, pupil: Student, day: date, entered: date, reason: str | None = None
) -> Event:
    """An absence from 8:00 to 17:00 entered on ``entered``."""
    event = await absent(school, pupil, at(day, 8), at(day, 17), reason)
    await changed_on(entered, event)
    return event


async def planned(school: School, day: date) -> None:
    """The planner's run of ``day`` (just after local midnight)."""
    await plan_dated_notices(await School.get(id=school.id), at(day, 0, 30))


async def letters(pupil: Student) -> list[tuple[str, str, object]]:
    rows = await Notice.filter(student_id=pupil.id, kind__in=["threshold", "persistent"]).order_by(
        "id"
    )
    return [(str(n.kind), str(n.payload["month"]), n.payload["count"]) for n in rows]


# --- (1) a month crosses whenever its entries are made --------------------------------------------


async def test_an_october_absence_entered_in_december_makes_an_october_letter_once(
    school: School, pupil: Student
) -> None:
    await planned(school, date(2026, 12, 1))
    first = await whole_day(school, pupil, MON, entered=date(2026, 12, 2))
    await planned(school, date(2026, 12, 2))  # planned before the entry: nothing yet
    assert await letters(pupil) == []
    await whole_day(school, pupil, TUE, entered=date(2026, 12, 2))
    await planned(school, date(2026, 12, 3))
    assert await letters(pupil) == [("threshold", "2026-10", 4)]
    [letter] = await Notice.filter(student_id=pupil.id, kind="threshold")
    assert letter.dedupe_key == f"threshold:{pupil.id}:2026-10"
    assert letter.payload["half_day_keys"] == [
        ["2026-10-05", "am"],
        ["2026-10-05", "pm"],
        ["2026-10-06", "am"],
        ["2026-10-06", "pm"],
    ]

    # more of October entered later, or the same entries seen again: still one letter
    await whole_day(school, pupil, THU, entered=date(2026, 12, 4))
    await changed_on(date(2026, 12, 4), first)
    await planned(school, date(2026, 12, 5))
    await planned(school, date(2026, 12, 6))
    assert await letters(pupil) == [("threshold", "2026-10", 4)]


async def test_an_october_absence_refused_in_december_makes_the_october_letter(
    school: School, pupil: Student
) -> None:
    await whole_day(school, pupil, MON, entered=MON)
    illness = await whole_day(school, pupil, TUE, entered=TUE, reason="MALADIE")
    assert illness.accepted is True  # legitimate by default: accepted as given
    await planned(school, date(2026, 10, 7))
    await planned(school, date(2026, 12, 1))
    assert await letters(pupil) == []

    await correct_event(
        school, CPE, illness.id, EventPatch(accepted=False), now=at(date(2026, 12, 1), 11)
    )
    await changed_on(date(2026, 12, 1), illness)
    await planned(school, date(2026, 12, 2))
    assert await letters(pupil) == [("threshold", "2026-10", 4)]


async def test_only_the_months_changed_since_the_last_planning_are_looked_back_at(
    school: School, pupil: Student
) -> None:
    # entered in December, but before the planning of 2 December: that run looked at them
    await whole_day(school, pupil, MON, entered=date(2026, 11, 30))
    await whole_day(school, pupil, TUE, entered=date(2026, 11, 30))
    await planned(school, date(2026, 12, 1))  # the school's first planning: usual months only
    await planned(school, date(2026, 12, 5))  # planned_on was 1 December: older changes done
    assert await letters(pupil) == []


async def test_no_threshold_letter_after_the_persistent_one_of_the_month(
    school: School, pupil: Student
) -> None:
    school.persistent_threshold_half_days = 6
    await school.save()
    await planned(school, date(2026, 12, 1))
    days = [
        await whole_day(school, pupil, day, entered=date(2026, 12, 1)) for day in (MON, TUE, THU)
    ]
    await planned(school, date(2026, 12, 2))
    assert await letters(pupil) == [("persistent", "2026-10", 6)]
    # one of the days is justified: 4 half-days, the threshold's, but the family was written to
    await correct_event(school, CPE, days[0].id, EventPatch(accepted=True))
    await changed_on(date(2026, 12, 2), days[0], days[1])
    await planned(school, date(2026, 12, 3))
    assert await letters(pupil) == [("persistent", "2026-10", 6)]


async def test_a_closed_school_year_is_not_looked_back_at(school: School, pupil: Student) -> None:
    await whole_day(school, pupil, MON, entered=MON)
    await whole_day(school, pupil, TUE, entered=TUE)
    # the year 2026-2027 ends and is closed; the October events still look changed (the clock)
    await start_year(school, 2027, CPE, today=date(2027, 8, 20))
    school = await School.get(id=school.id)
    school.planned_on = date(2027, 8, 31)
    await school.save()
    await Event.filter(student_id=pupil.id).update(updated_at=at(date(2027, 9, 1), 9))
    await planned(school, date(2027, 9, 2))
    assert await letters(pupil) == []
    assert await Notice.filter(school_id=school.id, kind="threshold").count() == 0


# --- (2) the letter waits for the decision ------------------------------------------------------


async def test_an_undecided_medical_appointment_holds_the_letter_until_it_is_refused(
    school: School, pupil: Student
) -> None:
    await whole_day(school, pupil, MON, entered=MON)
    await absent(school, pupil, at(TUE, 8), at(TUE, 12))
    appointment = await absent(school, pupil, at(TUE, 14), at(TUE, 17), "RDV_MEDICAL")
    assert appointment.accepted is None  # judged case by case: the CPE decides
    await planned(school, date(2026, 10, 7))
    assert await letters(pupil) == []  # 3 half-days without it, 4 with it: the letter waits

    calendar = await load_calendar(school)
    [row] = await undecided_crossings(school, calendar, at(date(2026, 10, 7), 10))
    assert (row.student_id, row.month, row.without, row.with_undecided) == (
        pupil.id,
        "2026-10",
        3,
        4,
    )
    assert (row.level, row.absences, row.student) == ("threshold", 1, pupil.display_name)

    await correct_event(school, CPE, appointment.id, EventPatch(accepted=False))
    await changed_on(date(2026, 10, 7), appointment)
    await planned(school, date(2026, 10, 8))
    assert await letters(pupil) == [("threshold", "2026-10", 4)]
    assert await undecided_crossings(school, calendar, at(date(2026, 10, 8), 10)) == []


async def test_an_accepted_appointment_never_sends_the_letter_nor_shows(
    school: School, pupil: Student
) -> None:
    await whole_day(school, pupil, MON, entered=MON)
    await whole_day(school, pupil, TUE, entered=TUE, reason="RDV_MEDICAL")
    await planned(school, date(2026, 10, 7))
    calendar = await load_calendar(school)
    [row] = await undecided_crossings(school, calendar, at(date(2026, 10, 7), 10))
    assert (row.without, row.with_undecided) == (2, 4)
    [appointment] = await Event.filter(student_id=pupil.id, reason_id__isnull=False)
    await correct_event(school, CPE, appointment.id, EventPatch(accepted=True))
    await planned(school, date(2026, 10, 8))
    assert await letters(pupil) == []
    assert await undecided_crossings(school, calendar, at(date(2026, 10, 8), 10)) == []


async def test_without_a_reason_or_with_a_reason_refused_by_default_the_absence_counts(
    school: School, pupil: Student
) -> None:
    await whole_day(school, pupil, MON, entered=MON)
    whim = await whole_day(school, pupil, TUE, entered=TUE, reason="CONVENANCE")
    assert whim.accepted is False
    await planned(school, date(2026, 10, 7))
    assert await letters(pupil) == [("threshold", "2026-10", 4)]


async def test_a_letter_planned_then_held_by_a_reason_given_is_cancelled_when_it_would_leave(
    school: School, pupil: Student
) -> None:
    await whole_day(school, pupil, MON, entered=MON)
    tuesday = await whole_day(school, pupil, TUE, entered=TUE)
    await planned(school, date(2026, 10, 7))
    [letter] = await Notice.filter(student_id=pupil.id, kind="threshold")
    patch = EventPatch.model_validate({"reason": "RDV_MEDICAL"})  # the family's reason, at last
    await correct_event(school, CPE, tuesday.id, patch)
    assert not await dated_notice_stands(letter, school, at(date(2026, 10, 7), 8))


# --- (3) a lesson a few minutes past midday -------------------------------------------------------


async def test_a_whole_morning_over_a_lesson_past_midday_counts_one_half_day(
    school: School, pupil: Student
) -> None:
    # midday at 11:55: the 11:00-12:00 lesson runs 5 minutes into the afternoon
    await update_settings(
        school, parse_settings_patch({"midday": "11:55", "midday_tolerance_minutes": 0}), CPE
    )
    school = await School.get(id=school.id)
    for day in (MON, TUE):
        await absent(school, pupil, at(day, 8), at(day, 12))
    calendar = await load_calendar(school)
    split = await month_counts(school, calendar, (2026, 10), now=at(THU, 10))
    assert split[pupil.id].count == 4  # two mornings made four half-days

    await update_settings(school, parse_settings_patch({"midday_tolerance_minutes": 10}), CPE)
    school = await School.get(id=school.id)
    assert school.midday_tolerance_minutes == 10
    calendar = await load_calendar(school)
    whole = await month_counts(school, calendar, (2026, 10), now=at(THU, 10))
    assert whole[pupil.id].count == 2
    assert [(k.day, k.half.value) for k in whole[pupil.id].half_days] == [
        (MON, "am"),
        (TUE, "am"),
    ]
    await planned(school, THU)
    assert await letters(pupil) == []


async def test_the_tolerance_is_ten_minutes_by_default(school: School) -> None:
    assert school.midday_tolerance_minutes == 10
    assert (await load_calendar(school)).midday_tolerance == timedelta(minutes=10)
