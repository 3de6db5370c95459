"""The missed half-days table (models.MissedHalfDay), kept true.

Each event change refreshes the student's half-days over the days it touched, in the same
transaction (:func:`refresh_days`, called by services.events.record). A school's table is
computed again whole when its calendar changed since it was built, or never was
(:func:`ensure_current`, called before any statistic is read); :func:`check` recomputes and
compares (``absences stats check``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.models import Event, HalfDayLedger, MissedHalfDay, School, Student
from core.queries.calendar import load_calendar, load_calendars
from core.queries.common import countable
from core.rules.absenteeism import calendar_fingerprint
from core.rules.calendar import SchoolCalendar, day_start, local_date
from core.rules.counting import CountableEvent, EventKind, missed_coverage
from core.services.schools.school import now_utc

BATCH = 500
Row = tuple[int, date, str, int, int, int]  # student, day, half, lesson, all, unjustified


def _absences(school_id: int, start: datetime | None, end: datetime | None) -> Q:
    """Closed absences of the school that may count, overlapping [start, end)."""
    query = Q(
        school_id=school_id,
        kind=EventKind.ABSENCE,
        deleted=False,
        counts=True,
        ends_at__isnull=False,
    )
    if start is not None:
        query &= Q(ends_at__gt=start)
    if end is not None:
        query &= Q(starts_at__lt=end)
    return query


def rows_of(
    calendar: SchoolCalendar,
    student_id: int,
    events: Iterable[CountableEvent],
    first: date | None = None,
    last: date | None = None,
    *,
    now: datetime | None = None,
) -> list[Row]:
    """One student's missed half-days between ``first`` and ``last`` (both included); an
    open-ended absence runs until ``now``."""
    events = list(events)
    now = now or now_utc()
    unjustified = {c.key: c.missed_seconds for c in missed_coverage(calendar, events, now=now)}
    found: list[Row] = []
    for c in missed_coverage(calendar, events, now=now, justified_too=True):
        day = c.key.day
        if (first is None or day >= first) and (last is None or day <= last):
            missed = unjustified.get(c.key, 0)
            found.append(
                (student_id, day, str(c.key.half), c.lesson_seconds, c.missed_seconds, missed)
            )
    return found


def by_student(events: Iterable[Event]) -> dict[int, list[CountableEvent]]:
    grouped: dict[int, list[CountableEvent]] = defaultdict(list)
    for event in events:
        item = countable(event)
        if item is not None:
            grouped[event.student_id].append(item)
    return grouped


async def _insert(school_id: int, rows: list[Row]) -> None:
    for at in range(0, len(rows), BATCH):
        await MissedHalfDay.bulk_create(
            [
                MissedHalfDay(
                    school_id=school_id,
                    student_id=student,
                    day=day,
                    half=half,
                    lesson_seconds=lesson,
                    missed_all=missed_all,
                    missed_unjustified=missed,
                )
                for student, day, half, lesson, missed_all, missed in rows[at : at + BATCH]
            ]
        )


def touched_days(tz: ZoneInfo, *intervals: tuple[datetime, datetime | None]) -> tuple[date, date]:
    """The first and last local days the intervals touch (an open end: its start day)."""
    days = []
    for start, end in intervals:
        days.append(local_date(start, tz))
        if end is not None and end > start:
            days.append(local_date(end - timedelta(microseconds=1), tz))
    return min(days), max(days)


async def refresh_days(school: School, student_id: int, first: date, last: date) -> None:
    """Compute one student's half-days from ``first`` to ``last`` again (inside the caller's
    transaction: the event change and its half-days commit together). The student's row is
    locked first: two changes of the same student's events write their half-days in turn."""
    await Student.select_for_update().filter(id=student_id).first()
    calendar = await load_calendar(school)
    start, end = day_start(first, calendar.tz), day_start(last + timedelta(days=1), calendar.tz)
    events = await Event.filter(_absences(school.id, start, end), student_id=student_id)
    rows = rows_of(calendar, student_id, by_student(events).get(student_id, []), first, last)
    await MissedHalfDay.filter(student_id=student_id, day__gte=first, day__lte=last).delete()
    await _insert(school.id, rows)


async def compute_school(school: School, calendar: SchoolCalendar) -> list[Row]:
    """Every missed half-day of the school, from its events as they are now."""
    events = await Event.filter(_absences(school.id, None, None)).order_by("student_id")
    rows: list[Row] = []
    for student, items in by_student(events).items():
        rows.extend(rows_of(calendar, student, items))
    return rows


async def rebuild(school: School) -> int:
    """Compute the school's table again, whole; returns the half-days written."""
    calendar = await load_calendar(school)
    async with in_transaction():
        await School.select_for_update().get(id=school.id)
        # Its students' rows too: an event change waits (refresh_days locks its student's).
        await Student.select_for_update().filter(school_id=school.id).values_list("id", flat=True)
        rows = await compute_school(school, calendar)
        await MissedHalfDay.filter(school_id=school.id).delete()
        await _insert(school.id, rows)
        ledger = await HalfDayLedger.get_or_none(school_id=school.id)
        fingerprint = calendar_fingerprint(calendar)
        if ledger is None:
            await HalfDayLedger.create(school_id=school.id, calendar=fingerprint)
        else:
            ledger.calendar = fingerprint
            await ledger.save(update_fields=["calendar", "built_at"])
    return len(rows)


async def ensure_current(school: School) -> SchoolCalendar:
    """The school's calendar, after building its table if that calendar is not the one it was
    built with (a slot, a closed day, midday or the time zone changed) or it never was."""
    return (await ensure_current_all([school]))[school.id]


async def ensure_current_all(schools: Sequence[School]) -> dict[int, SchoolCalendar]:
    """:func:`ensure_current` for each school, read in three statements whatever their
    number (a school to build again costs its own)."""
    calendars = await load_calendars(schools)
    built = dict(
        await HalfDayLedger.filter(school_id__in=[s.id for s in schools]).values_list(
            "school_id", "calendar"
        )
    )
    for school in schools:
        if built.get(school.id) != calendar_fingerprint(calendars[school.id]):
            await rebuild(school)
    return calendars


async def is_current(school: School) -> bool:
    """Whether the school's table was built with its calendar as it is (else the next read
    builds it again)."""
    built = await HalfDayLedger.get_or_none(school_id=school.id)
    return built is not None and built.calendar == calendar_fingerprint(await load_calendar(school))


@dataclass(frozen=True, slots=True)
class Mismatch:
    student_id: int
    day: date
    half: str
    stored: tuple[int, int, int] | None  # lesson, all, unjustified seconds
    computed: tuple[int, int, int] | None


async def check(school: School) -> list[Mismatch]:
    """Recompute every half-day from the events and compare with the table (nothing changes)."""
    calendar = await load_calendar(school)
    computed = {(r[0], r[1], r[2]): r[3:] for r in await compute_school(school, calendar)}
    stored = {
        (r.student_id, r.day, r.half): (r.lesson_seconds, r.missed_all, r.missed_unjustified)
        for r in await MissedHalfDay.filter(school_id=school.id)
    }
    return [
        Mismatch(key[0], key[1], key[2], stored.get(key), computed.get(key))
        for key in sorted(computed.keys() | stored.keys())
        if computed.get(key) != stored.get(key)
    ]
