"""A student's yearly file (R131-6): events, half-day counts, family, notices, replies, actions.

Reads only. The counts come from :mod:`core.rules.counting` over the school's calendar, so the
file says what the thresholds and the statistics say.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from core.models import Event, School, Student
from core.queries.calendar import load_calendar
from core.queries.common import countable, day_start, local, school_year_dates, zone
from core.queries.extras import notice_counts
from core.queries.file_parts import (
    actions_of,
    conversation_of,
    guardians_of,
    notices_of,
    replies_of,
)
from core.queries.file_views import (
    Counts,
    FileEvent,
    HalfDays,
    MonthCount,
    StudentFile,
    StudentView,
)
from core.queries.records import school_student
from core.queries.scope import ALL, Scope
from core.rules.calendar import SchoolCalendar, school_year_of
from core.rules.counting import (
    CountingMode,
    EventKind,
    alert_level,
    monthly_counts,
)
from core.rules.structures import readable_label
from core.rules.visibility import EVERYTHING, ReasonShown, Visibility

Month = tuple[int, int]


def current_year(school: School, now: datetime) -> int:
    return school_year_of(now.astimezone(zone(school)).date())


async def _events(school: School, student: Student, first: date, last: date) -> list[Event]:
    tz = zone(school)
    start, end = day_start(first, tz), day_start(last + timedelta(days=1), tz)
    return list(
        await Event.filter(school=school, student=student, starts_at__lt=end)
        .filter(Q(ends_at__gte=start) | Q(ends_at__isnull=True, starts_at__gte=start))
        .order_by("starts_at", "id")
        .prefetch_related("reason__generic", "justification", "recorded_by", "deleted_by")
    )


def _name(user: object) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or getattr(user, "email", ""))


def _file_event(
    event: Event, tz: ZoneInfo, notices: dict[int, int], view: Visibility = EVERYTHING
) -> FileEvent:
    reason = event.reason
    local_reason = view.reason == ReasonShown.LOCAL
    return FileEvent(
        id=event.id,
        kind=str(event.kind),
        starts_at=event.starts_at.astimezone(tz),
        ends_at=local(event.ends_at, tz),
        reason=view.reason_of(reason.label, reason.generic.label) if reason else "",
        colour=reason.colour if reason and local_reason else "",
        justification=view.justification(event.justification.label if event.justification else ""),
        accepted=event.accepted,
        settled=event.settled,
        counts=event.counts,
        comment=view.comment(event.comment),
        source=str(event.source),
        recorded_by=_name(event.recorded_by),
        recorded_at=event.recorded_at.astimezone(tz),
        deleted=event.deleted,
        deleted_by=_name(event.deleted_by),
        deleted_at=local(event.deleted_at, tz),
        notices=notices.get(event.id, 0),
    )


def _month_tables(
    school: School, calendar: SchoolCalendar, events: list[Event], now: datetime
) -> tuple[list[dict[Month, float]], dict[Month, float]]:
    """Per month: raw all, raw unjustified, complete all, complete unjustified; and the
    unjustified count in the school's own mode."""
    counted = [c for c in (countable(e) for e in events) if c is not None]

    def per_month(mode: CountingMode, justified_too: bool) -> dict[Month, float]:
        return monthly_counts(calendar, counted, now=now, mode=mode, justified_too=justified_too)

    tables = [
        per_month(CountingMode.RAW, True),
        per_month(CountingMode.RAW, False),
        per_month(CountingMode.COMPLETE, True),
        per_month(CountingMode.COMPLETE, False),
    ]
    return tables, per_month(CountingMode(str(school.counting_mode)), False)


async def _counts(school: School, events: list[Event], now: datetime) -> Counts:
    """Per month: raw and complete half-days, all and unjustified; lateness; the alert level."""
    calendar = await load_calendar(school)
    tables, official = _month_tables(school, calendar, events, now)
    late: Counter[Month] = Counter(
        (day.year, day.month)
        for day in (e.starts_at.astimezone(calendar.tz).date() for e in events if _late(e))
    )
    threshold, persistent = (
        school.absence_threshold_half_days,
        school.persistent_threshold_half_days,
    )
    months = [
        MonthCount(
            month[0],
            month[1],
            _half_days([table.get(month, 0.0) for table in tables], late[month]),
            official.get(month, 0.0),
            alert_level(official.get(month, 0.0), threshold, persistent),
        )
        for month in sorted({*tables[0], *late})
    ]
    total = _half_days([math.fsum(table.values()) for table in tables], sum(late.values()))
    return Counts(months, total, str(school.counting_mode), threshold, persistent)


def _half_days(values: list[float], lateness: int) -> HalfDays:
    raw, raw_unjustified, complete, complete_unjustified = values
    return HalfDays(raw, raw_unjustified, complete, complete_unjustified, lateness)


def _late(event: Event) -> bool:
    return event.kind == EventKind.LATENESS and not event.deleted


async def _student_view(student: Student) -> StudentView:
    await student.fetch_related("division", "groups")
    return StudentView(
        id=student.id,
        name=student.display_name,
        division=student.division.code if student.division else "",
        groups=sorted(readable_label(g.label) or g.code for g in student.groups),
        birth_date=student.birth_date,
        ine=student.ine or "",
        siecle_id=student.siecle_id or "",
        regime=student.regime or "",
        active=student.active,
        left_on=student.left_on,
    )


async def student_file(
    school: School,
    student_id: int,
    year: int | None = None,
    *,
    now: datetime,
    scope: Scope = ALL,
) -> StudentFile:
    """The student's file for the school year starting in ``year`` (default: the current one),
    as much of it as the reader's ``scope`` shows.

    Raises NotFound for a student of another school or out of the reader's scope. Open-ended
    absences run until ``now``.
    """
    scope.check(student_id)
    view = scope.view
    student = await school_student(school, student_id)
    tz = zone(school)
    start_year = current_year(school, now) if year is None else year
    first, last = await school_year_dates(school, start_year)
    events = await _events(school, student, first, last)
    notices = await notice_counts([e.id for e in events])
    window = (day_start(first, tz), day_start(last + timedelta(days=1), tz))
    replies = await replies_of(school, student, window, tz, view)
    return StudentFile(
        student=await _student_view(student),
        start_year=start_year,
        starts_on=first,
        ends_on=last,
        events=[_file_event(e, tz, notices, view) for e in events],
        counts=await _counts(school, events, now),
        guardians=await guardians_of(student, tz, school.channel_order),
        notices=await notices_of(school, student, [e.id for e in events], window, tz, view),
        replies=replies,
        conversation=await conversation_of(school, student, replies, window, tz, view),
        actions=await actions_of(school, student, window, tz, view),
    )
