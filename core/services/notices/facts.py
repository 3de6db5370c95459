"""Whether a dated notice still stands when one of its deliveries is about to leave
(``notices.still_wanted`` asks here for every kind that is not about one half-day of one event),
read from the events as they are now: a monthly letter from the month's unjustified half-days as
``core.queries.thresholds`` counts them (the absences awaiting a decision on a reason that may be
legitimate left out).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.models import Event, Notice, School
from core.queries.calendar import load_calendar
from core.queries.thresholds import month_counts
from core.rules import dated_notices as dated
from core.rules.calendar import day_start
from core.services.schools.school import now_utc


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
    counts = await month_counts(school, calendar, month, now=now, students=[notice.student_id])
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
