"""A month's unjustified half-days per student, as the monthly letters (L131-8) count them, and
the absences awaiting a decision that would make a student cross a threshold (the dashboard).

An absence counts when it is not justified (refused, or not decided), except one awaiting
staff's decision on a reason that may be legitimate (``dated_notices.awaits_decision``): the
letter waits for that decision. Both counts are given, with and without those absences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.expressions import Q

from core.models import Event, Reason, School, Student
from core.queries.common import countable, day_start, zone
from core.queries.years import current_year
from core.rules import dated_notices as dated
from core.rules.calendar import HalfDayKey, SchoolCalendar, local_date, month_label
from core.rules.counting import (
    CountableEvent,
    CountingMode,
    EventKind,
    alert_level,
    missed_half_days,
    monthly_counts,
    total_weight,
)


@dataclass(frozen=True, slots=True)
class MonthCount:
    """A student's unjustified half-days in one month: ``count`` in the school's counting mode,
    the absences awaiting a decision left out (what a letter stands on), the half-days it is
    made of, sorted, and ``with_undecided``, those absences counted too; ``weights``: each
    half-day's weight in the counting mode (1, or its share in proportional mode)."""

    count: float
    half_days: tuple[HalfDayKey, ...]
    with_undecided: float
    weights: tuple[float, ...] = ()


Flags = dict[int, bool | None]


async def _reason_flags(school: School) -> Flags:
    """Each reason of the school: whether it is legitimate by default (None: case by case)."""
    rows = await Reason.filter(school_id=school.id).values_list("id", "legitimate_by_default")
    return {int(str(reason_id)): legitimate for reason_id, legitimate in rows}


def _waits(event: Event, flags: Flags) -> bool:
    reason_id = event.reason_id
    return dated.awaits_decision(
        accepted=event.accepted,
        reason_given=reason_id is not None,
        legitimate_by_default=flags.get(reason_id) if reason_id is not None else None,
    )


def not_justified(school_id: int) -> Q:
    """The school's absences of active students that count and are not justified (refused or
    not decided): those a reminder or a monthly letter may be about."""
    return Q(
        Q(accepted__isnull=True) | Q(accepted=False),
        school_id=school_id,
        kind=EventKind.ABSENCE,
        deleted=False,
        counts=True,
        student__active=True,
    )


def _unjustified(school: School, first: date, last: date) -> Q:
    """:func:`not_justified`, overlapping the days."""
    tz = zone(school)
    start, end = day_start(first, tz), day_start(last + timedelta(days=1), tz)
    return Q(
        not_justified(school.id),
        Q(ends_at__isnull=True) | Q(ends_at__gt=start),
        starts_at__lt=end,
    )


def _count(
    calendar: SchoolCalendar,
    events: list[CountableEvent],
    month: dated.Month,
    now: datetime,
    mode: CountingMode,
) -> float:
    return monthly_counts(calendar, events, now=now, mode=mode).get(month, 0.0)


async def month_counts(
    school: School,
    calendar: SchoolCalendar,
    month: dated.Month,
    *,
    now: datetime,
    students: Collection[int] | None = None,
) -> dict[int, MonthCount]:
    """Per student (or only those of ``students``): the unjustified half-days of ``month`` in
    the school's counting mode (rules.counting: monthly_counts, missed_half_days); students
    without any, even undecided, are left out. Open-ended absences run until ``now``."""
    first, last = dated.month_bounds(month)
    query = Event.filter(_unjustified(school, first, last))
    if students is not None:
        query = query.filter(student_id__in=list(students))
    flags = await _reason_flags(school)
    counted: dict[int, list[CountableEvent]] = defaultdict(list)
    undecided: dict[int, list[CountableEvent]] = defaultdict(list)
    for event in await query.order_by("student_id", "starts_at", "id"):
        item = countable(event)
        if item is not None:
            (undecided if _waits(event, flags) else counted)[event.student_id].append(item)
    mode = CountingMode(str(school.counting_mode))
    result: dict[int, MonthCount] = {}
    for student in sorted(counted.keys() | undecided.keys()):
        events = counted[student]
        weights = missed_half_days(calendar, events, now=now, mode=mode)
        keys = tuple(sorted(key for key in weights if dated.in_month(key, month)))
        shares = tuple(weights[key] for key in keys)
        count = total_weight(shares, mode)  # what monthly_counts says of the month, once
        every = (
            _count(calendar, events + undecided[student], month, now, mode)
            if undecided[student]
            else count
        )
        if every > 0:
            result[student] = MonthCount(count, keys, every, shares)
    return result


@dataclass(frozen=True, slots=True)
class UndecidedCrossing:
    """A student whose absences awaiting a decision would make a month cross a threshold."""

    student_id: int
    student: str
    division: str
    month: str  # YYYY-MM
    without: int | float  # the month's count as the letters see it
    with_undecided: int | float  # … if the undecided absences were refused
    level: str  # the letter they would call for: "threshold" or "persistent"
    absences: int  # the undecided absences of the month


async def undecided_crossings(
    school: School, calendar: SchoolCalendar, now: datetime
) -> list[UndecidedCrossing]:
    """The students of the current school year (up to this month) whose absences awaiting a
    decision would, refused, make a month reach the monthly or persistent threshold it does
    not reach without them; the most recent month first, then by name."""
    tz = calendar.tz
    today = local_date(now, tz)
    _, starts_on, _ = await current_year(school.id, today)
    first = min(starts_on, today).replace(day=1)
    flags = await _reason_flags(school)
    candidates = await Event.filter(
        _unjustified(school, first, today), accepted__isnull=True, reason_id__isnull=False
    ).order_by("starts_at", "id")
    by_month: dict[dated.Month, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for event in (e for e in candidates if _waits(e, flags)):
        end = event.ends_at if event.ends_at is not None else now
        for month in dated.months_between(
            max(local_date(event.starts_at, tz), first), min(local_date(end, tz), today)
        ):
            by_month[month][event.student_id] += 1
    found: list[tuple[dated.Month, int, MonthCount, int]] = []
    for month, students in sorted(by_month.items(), reverse=True):
        counts = await month_counts(school, calendar, month, now=now, students=students)
        for student_id, count in counts.items():
            if _level(school, count.count) != _level(school, count.with_undecided):
                found.append((month, student_id, count, students[student_id]))
    return await _crossings(school, found)


def _level(school: School, count: float) -> str:
    return alert_level(
        count, school.absence_threshold_half_days, school.persistent_threshold_half_days
    )


def _division(student: Student) -> str:
    division = student.division
    return division.code if division is not None else ""


async def _crossings(
    school: School, found: list[tuple[dated.Month, int, MonthCount, int]]
) -> list[UndecidedCrossing]:
    ids = sorted({student_id for _, student_id, _, _ in found})
    students = {
        s.id: s
        for s in await Student.filter(school_id=school.id, id__in=ids).prefetch_related("division")
    }
    rows = [
        UndecidedCrossing(
            student_id=student_id,
            student=students[student_id].display_name,
            division=_division(students[student_id]),
            month=month_label(date(*month, 1)),
            without=dated.shown_count(count.count),
            with_undecided=dated.shown_count(count.with_undecided),
            level=_level(school, count.with_undecided),
            absences=absences,
        )
        for month, student_id, count, absences in found
    ]
    rows.sort(key=lambda row: row.student)
    return sorted(rows, key=lambda row: row.month, reverse=True)  # stable: names stay sorted
