"""The monthly absenteeism indicator (DEPP) against an independent computation written here,
on a school created from its SIECLE export, with generated absences and the tricky cases: an
absence across a month boundary, one justified after the month ended (and the figure as it
stood before), lateness that never counts, closed days, the daylight-saving weekend, a student
who changed division and one who left mid-month."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.models import (
    ClosedDay,
    Division,
    Enrolment,
    Event,
    MissedHalfDay,
    School,
    Student,
    TimetableSlot,
)
from core.rules.absenteeism import DEPP_THRESHOLD
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import EventPatch, correct_event, delete_event, record_event
from core.services.schools.closed_days import add_closed_day
from core.services.siecle.importer import import_siecle
from core.services.stats import half_days
from core.services.stats.absenteeism import school_month
from core.siecle.files import load_export

SIECLE = Path(__file__).resolve().parents[2] / "fixtures" / "siecle" / "college-jean-moulin-2026"
UAI = "0751234X"
ADMIN = Actor.system("admin@college.example")
PARIS = ZoneInfo("Europe/Paris")


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=PARIS)


async def independent(school: School, month: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """Per division (and "" for the school): enrolled and over the threshold, counted here from
    the rows with plain loops: a half-day counts when an unjustified absence that counts
    overlaps one of its slots in local wall time, the day and half not closed."""
    midday = time.fromisoformat(school.midday)
    slots = defaultdict(list)
    for slot in await TimetableSlot.filter(school=school):
        slots[slot.weekday].append((slot.starts_at, slot.ends_at))
    closed = {(c.day, c.half) for c in await ClosedDay.filter(school=school)}
    first = date(*month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    touched: dict[int, set[tuple[date, str]]] = defaultdict(set)
    for event in await Event.filter(school=school, kind=EventKind.ABSENCE):
        if event.deleted or not event.counts or event.accepted is True:
            continue
        start = event.starts_at.astimezone(PARIS)
        end = (event.ends_at or datetime.now(UTC)).astimezone(PARIS)  # open: absent until now
        day = start.date()
        while day <= end.date():
            for slot_start, slot_end in slots[day.weekday()]:
                lo = max(at(day, slot_start.isoformat()), start)
                hi = min(at(day, slot_end.isoformat()), end)
                if lo >= hi or not first <= day <= last:
                    continue
                halves = []
                if lo.timetz().replace(tzinfo=None) < midday:
                    halves.append("am")
                if hi.timetz().replace(tzinfo=None) > midday:
                    halves.append("pm")
                for half in halves:
                    if (day, "day") not in closed and (day, half) not in closed:
                        touched[event.student_id].add((day, half))
            day += timedelta(days=1)
    enrolled = await last_divisions(school, first, last)
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for student, (_, division) in enrolled.items():
        over = len(touched[student]) >= DEPP_THRESHOLD
        for key in ("", division):
            result[key][0] += 1
            result[key][1] += over
    return {k: (v[0], v[1]) for k, v in result.items()}


async def last_divisions(school: School, first: date, last: date) -> dict[int, tuple[date, str]]:
    """Each student enrolled between the days, with the division they were in last."""
    enrolled: dict[int, tuple[date, str]] = {}
    for row in await Enrolment.filter(division__school=school).prefetch_related("division"):
        there = row.starts_on <= last and (row.ends_on is None or row.ends_on >= first)
        if there and (
            row.student_id not in enrolled or enrolled[row.student_id][0] <= row.starts_on
        ):
            enrolled[row.student_id] = (row.starts_on, row.division.code)
    return enrolled


def figures(indicator_json: dict[str, object]) -> dict[str, tuple[int, int]]:
    divisions = indicator_json["by_division"]
    assert isinstance(divisions, dict)
    found = {k: (v["enrolled"], v["over_threshold"]) for k, v in divisions.items()}
    found[""] = (indicator_json["enrolled"], indicator_json["over_threshold"])  # type: ignore[assignment]
    return found


async def test_the_indicator_agrees_with_an_independent_count(db: str) -> None:
    export = load_export([SIECLE])
    await import_siecle(export, ADMIN, today=date(2026, 9, 1))
    school = await School.get(uai=UAI)
    assert school.timezone == "Europe/Paris"
    students = await Student.filter(school=school, active=True).order_by("id")
    mover, leaver, late, bridged, dst, justified, still = students[:7]

    # A student changes division on 16 November, another leaves on the 20th (SIECLE again).
    other = next(s for s in students if s.division_id not in (None, mover.division_id))
    other_division = (await Division.get(id=other.division_id)).code
    records = []
    for record in export.students:
        if record.siecle_id == mover.siecle_id:
            record = replace(record, division=other_division)
        if record.siecle_id == leaver.siecle_id:
            record = replace(record, left_on=date(2026, 11, 20))
        records.append(record)
    await import_siecle(replace(export, students=tuple(records)), ADMIN, today=date(2026, 11, 16))

    # Closed: Wednesday 11 November is a public holiday; the 25th's afternoon too (a meeting).
    await add_closed_day(school, date(2026, 11, 25), "pm", "Conseil", ADMIN)

    async def absent(student: Student, start: datetime, end: datetime) -> int:
        done = await record_event(
            school, ADMIN, student_id=student.id, kind=EventKind.ABSENCE, start=start, end=end
        )
        return done.event.id

    rng = random.Random(2026)
    november = [date(2026, 11, d) for d in range(2, 31) if date(2026, 11, d).weekday() < 5]
    for student in students[7:80]:
        for day in rng.sample(november, rng.randint(0, 5)):
            begin = rng.choice(["08:00", "09:00", "10:00", "13:30", "14:30"])
            hours = rng.choice([1, 2, 4, 8])
            start = at(day, begin)
            try:
                event_id = await absent(student, start, start + timedelta(hours=hours))
            except Exception:  # an overlap with one drawn earlier: the desk refuses it too
                continue
            if rng.random() < 0.3:
                await correct_event(school, ADMIN, event_id, EventPatch(accepted=True))
            elif rng.random() < 0.1:
                await delete_event(school, ADMIN, event_id)

    # The mover: 2 half-days before the change, 2 after: counted once, in the new division.
    await absent(mover, at(date(2026, 11, 9), "08:00"), at(date(2026, 11, 9), "17:00"))
    await absent(mover, at(date(2026, 11, 17), "08:00"), at(date(2026, 11, 17), "17:00"))
    # The leaver: 4 half-days before leaving; still enrolled in November.
    await absent(leaver, at(date(2026, 11, 2), "08:00"), at(date(2026, 11, 3), "17:00"))
    # Lateness never counts.
    for day in november[:6]:
        await record_event(
            school,
            ADMIN,
            student_id=late.id,
            kind=EventKind.LATENESS,
            start=at(day, "08:00"),
            end=at(day, "08:10"),
        )
    # Across the month boundary: Monday 30 November afternoon to Tuesday 1 December morning,
    # and the whole week of the 11th (closed): 2 + 2 + 2 = ... counted by the independent loop.
    await absent(bridged, at(date(2026, 11, 30), "13:00"), at(date(2026, 12, 1), "12:00"))
    await absent(bridged, at(date(2026, 11, 10), "08:00"), at(date(2026, 11, 12), "12:00"))
    # Justified after the month ended: over on 30 November, no longer in December.
    made = await absent(justified, at(date(2026, 11, 23), "08:00"), at(date(2026, 11, 24), "17:00"))
    # The daylight-saving weekend of March: Friday 26 to Tuesday 30 March 2027 at noon (Monday
    # the 29th is Easter Monday, a closed day).
    await absent(dst, at(date(2027, 3, 26), "08:00"), at(date(2027, 3, 30), "12:00"))

    # Still absent: since Thursday 26 November, no end given (counted until now).
    await record_event(
        school,
        ADMIN,
        student_id=still.id,
        kind=EventKind.ABSENCE,
        start=at(date(2026, 11, 26), "08:00"),
    )

    survey = datetime.now(UTC)  # the survey date: before the justification below
    before = await school_month(school, (2026, 11))
    assert justified.id in before.over
    await correct_event(
        school, ADMIN, made, EventPatch(accepted=True), now=datetime(2026, 12, 5, tzinfo=UTC)
    )
    november_now = await school_month(school, (2026, 11))
    assert figures(november_now.as_json()) == await independent(school, (2026, 11))
    assert justified.id not in november_now.over
    assert late.id not in november_now.over
    assert mover.id in november_now.over and leaver.id in november_now.over
    assert still.id in november_now.over
    placed = sum(1 for s in students if s.division_id is not None)  # the leaver among them
    assert november_now.total.enrolled == placed
    as_it_stood = await school_month(school, (2026, 11), as_of=survey)
    assert justified.id in as_it_stood.over
    assert as_it_stood.total.over_threshold == november_now.total.over_threshold + 1
    moved_in = november_now.by_division[other_division]
    assert moved_in.enrolled == sum(1 for s in students if s.division_id == other.division_id) + 1

    december = await school_month(school, (2026, 12))
    assert figures(december.as_json()) == await independent(school, (2026, 12))
    march = await school_month(school, (2027, 3))
    assert figures(march.as_json()) == await independent(school, (2027, 3))
    rows = await MissedHalfDay.filter(student_id=dst.id).order_by("day", "half")
    assert [(r.day.isoformat(), r.half) for r in rows] == [
        ("2027-03-26", "am"),
        ("2027-03-26", "pm"),
        ("2027-03-30", "am"),
    ]
    assert await half_days.check(school) == []


async def test_a_calendar_change_rebuilds_the_half_days(db: str) -> None:
    await import_siecle(load_export([SIECLE]), ADMIN, today=date(2026, 9, 1))
    school = await School.get(uai=UAI)
    student = await Student.filter(school=school).order_by("id").first()
    assert student is not None
    for day in (2, 3):
        await record_event(
            school,
            ADMIN,
            student_id=student.id,
            kind=EventKind.ABSENCE,
            start=at(date(2026, 11, day), "08:00"),
            end=at(date(2026, 11, day), "17:00"),
        )
    assert student.id in (await school_month(school, (2026, 11))).over
    await add_closed_day(school, date(2026, 11, 3), "day", "Grève", ADMIN)
    assert student.id not in (await school_month(school, (2026, 11))).over
    assert await half_days.check(school) == []
    # A row written behind the services' back is found by the check.
    await MissedHalfDay.filter(student_id=student.id).update(missed_unjustified=1)
    mismatches = await half_days.check(school)
    assert {m.student_id for m in mismatches} == {student.id}


async def test_changes_at_once_to_one_students_events_keep_the_half_days_true(db: str) -> None:
    """Two corrections of one student's events at the same time, and a rebuild among them
    (PostgreSQL runs them at once): no conflict, and the table agrees with the events."""
    await import_siecle(load_export([SIECLE]), ADMIN, today=date(2026, 9, 1))
    school = await School.get(uai=UAI)
    student = await Student.filter(school=school).order_by("id").first()
    assert student is not None
    made = []
    for day in (2, 3):
        done = await record_event(
            school,
            ADMIN,
            student_id=student.id,
            kind=EventKind.ABSENCE,
            start=at(date(2026, 11, day), "08:00"),
            end=at(date(2026, 11, day), "12:00"),
        )
        made.append(done.event.id)
    for hour in ("13:00", "14:00", "15:00", "16:00"):
        await asyncio.gather(
            *(
                correct_event(
                    school, ADMIN, event_id, EventPatch(end=at(date(2026, 11, day), hour))
                )
                for event_id, day in zip(made, (2, 3), strict=True)
            ),
            half_days.rebuild(school),
        )
    assert await half_days.check(school) == []
    assert student.id in (await school_month(school, (2026, 11))).over  # 4 half-days
    rows = await MissedHalfDay.filter(student_id=student.id).count()
    assert rows == 4  # both days, morning and afternoon
