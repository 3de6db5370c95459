"""What the dated notices stand on, read from the events as they are now: a student's unjustified
half-days in a month, and whether a dated notice still stands when one of its deliveries is
about to leave (``notices.still_wanted`` asks here for every kind that is not about one
half-day of one event).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from core.models import Event, Notice, School
from core.rules import dated_notices as dated
from core.rules.calendar import HalfDayKey, SchoolCalendar, day_start
from core.rules.counting import (
    CountableEvent,
    CountingMode,
    EventKind,
    missed_half_days,
    monthly_counts,
)
from core.services.schools.school import load_calendar, now_utc


@dataclass(frozen=True, slots=True)
class MonthCount:
    """A student's unjustified half-days in one month: the count in the school's counting mode
    and the half-days it is made of, sorted."""

    count: float
    half_days: tuple[HalfDayKey, ...]


def countable(event: Event) -> CountableEvent | None:
    """The event as the counting rules see it (the dated notices and the student's file)."""
    end = event.ends_at
    if end is not None and end <= event.starts_at:
        return None  # an instantaneous record (a lateness without end) misses no lesson time
    return CountableEvent(
        start=event.starts_at,
        end=end,
        kind=EventKind(event.kind),
        counts=event.counts,
        accepted=event.accepted,
        deleted=event.deleted,
    )


async def _unjustified_absences(
    school: School, first: date, last: date, student_id: int | None
) -> list[Event]:
    """Absences of active students that count, not justified, overlapping the days."""
    tz = ZoneInfo(school.timezone)
    start, end = day_start(first, tz), day_start(last + timedelta(days=1), tz)
    query = Event.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=start),
        Q(accepted__isnull=True) | Q(accepted=False),
        school_id=school.id,
        kind=EventKind.ABSENCE,
        deleted=False,
        counts=True,
        starts_at__lt=end,
        student__active=True,
    )
    if student_id is not None:
        query = query.filter(student_id=student_id)
    return list(await query.order_by("student_id", "starts_at", "id"))


async def month_counts(
    school: School,
    calendar: SchoolCalendar,
    month: dated.Month,
    *,
    now: datetime,
    student_id: int | None = None,
) -> dict[int, MonthCount]:
    """Per student (or only ``student_id``): the unjustified half-days of ``month`` in the
    school's counting mode (rules.counting: monthly_counts, missed_half_days); students
    without any are left out. Open-ended absences run until ``now``."""
    first, last = dated.month_bounds(month)
    by_student: dict[int, list[CountableEvent]] = defaultdict(list)
    for event in await _unjustified_absences(school, first, last, student_id):
        item = countable(event)
        if item is not None:
            by_student[event.student_id].append(item)
    mode = CountingMode(str(school.counting_mode))
    result: dict[int, MonthCount] = {}
    for student, events in by_student.items():
        count = monthly_counts(calendar, events, now=now, mode=mode).get(month, 0.0)
        if count <= 0:
            continue
        weights = missed_half_days(calendar, events, now=now, mode=mode)
        keys = tuple(sorted(key for key in weights if dated.in_month(key, month)))
        result[student] = MonthCount(count, keys)
    return result


def letter_threshold(school: School, kind: str) -> int:
    """The count a monthly letter of ``kind`` stands on."""
    if kind == dated.PERSISTENT:
        return school.persistent_threshold_half_days
    return school.absence_threshold_half_days


def _month_of(notice: Notice) -> dated.Month | None:
    raw = notice.payload.get("month")
    try:
        year, month = (int(part) for part in str(raw).split("-"))
        date(year, month, 1)
    except ValueError:
        return None
    return year, month


async def _reminder_stands(notice: Notice) -> bool:
    event = await Event.get_or_none(id=notice.event_id) if notice.event_id else None
    return event is not None and dated.reminder_wanted(
        str(event.kind),
        accepted=event.accepted,
        counts=event.counts,
        deleted=event.deleted,
        source=str(event.source),
    )


async def _letter_stands(notice: Notice, school: School, now: datetime) -> bool:
    month = _month_of(notice)
    if month is None:
        return True  # not one the planner wrote: nothing to check it against
    calendar = await load_calendar(school)
    counts = await month_counts(school, calendar, month, now=now, student_id=notice.student_id)
    found = counts.get(notice.student_id)
    return found is not None and found.count >= letter_threshold(school, str(notice.kind))


async def _summary_stands(notice: Notice, school: School) -> bool:
    try:
        first = date.fromisoformat(str(notice.payload["week_start"]))
        last = date.fromisoformat(str(notice.payload["week_end"]))
    except (KeyError, ValueError):
        return True
    tz = ZoneInfo(school.timezone)
    return await Event.filter(
        school_id=school.id,
        student_id=notice.student_id,
        deleted=False,
        starts_at__gte=day_start(first, tz),
        starts_at__lt=day_start(last + timedelta(days=1), tz),
    ).exists()


async def dated_notice_stands(notice: Notice, school: School, now: datetime | None = None) -> bool:
    """Whether a notice planned by date still stands: a reminder while its absence is still not
    justified (nor deleted); a monthly letter while the month still reaches its threshold; a
    weekly summary while the week still has an event; a convocation always (staff asked)."""
    kind = str(notice.kind)
    if kind == dated.REMINDER:
        return await _reminder_stands(notice)
    if kind in (dated.THRESHOLD, dated.PERSISTENT):
        return await _letter_stands(notice, school, now or now_utc())
    if kind == dated.WEEKLY_SUMMARY:
        return await _summary_stands(notice, school)
    return True
