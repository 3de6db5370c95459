"""Notices planned by date rather than by an event as it is entered: reminders of absences still
not justified, the monthly threshold letters, the weekly summary — and their dedupe keys.

Pure functions over plain values: the planning service (``core/services/notices/planning.py``)
hands in days, counts and settings, and writes what these functions decide. Every key is
deterministic, so planning twice plans nothing new.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.rules.calendar import HalfDayKey, require_aware
from core.rules.counting import thresholds_crossed
from core.rules.notices import notice_kind_for

REMINDER = "reminder"
THRESHOLD = "threshold"
PERSISTENT = "persistent"
WEEKLY_SUMMARY = "weekly_summary"
CONVOCATION = "convocation"

REMINDER_CATCH_UP_DAYS = 7
"""How far back a reminder missed on its day (server down) is still sent: the planner looks at
absences from ``after_days + 7`` to ``after_days`` days ago, so that turning reminders on sends
no flood about the whole year."""

SEND_FROM = time(8, 0)
"""Dated notices are planned just after local midnight; none leaves before this local time,
whatever the quiet hours (a school may have turned them off for the absence notices)."""

Month = tuple[int, int]


def leaves_at(now: datetime, tz: ZoneInfo) -> datetime:
    """When the notices planned at ``now`` may leave: now, or today's :data:`SEND_FROM`."""
    require_aware(now, "now")
    opening = datetime.combine(now.astimezone(tz).date(), SEND_FROM, tzinfo=tz)
    return max(now, opening.astimezone(now.tzinfo))


# --- reminders ----------------------------------------------------------------------------------


def reminder_window(today: date, after_days: int) -> tuple[date, date] | None:
    """The first days of the absences whose reminder is due ``today`` (inclusive bounds), or
    None when reminders are off (``after_days`` 0 or less)."""
    if after_days <= 0:
        return None
    last = today - timedelta(days=after_days)
    return last - timedelta(days=REMINDER_CATCH_UP_DAYS), last


def reminder_wanted(
    event_kind: str, *, accepted: bool | None, counts: bool, deleted: bool, source: str
) -> bool:
    """Whether an event still calls for a reminder: an absence that counts, not justified (no
    reason accepted, undecided included), not deleted, and not one the family itself told us of
    — the events that call for an absence notice."""
    kind = notice_kind_for(
        event_kind,
        accepted=accepted,
        counts=counts,
        deleted=deleted,
        source=source,
        notify_lateness=False,
    )
    return kind == "absence"


def reminder_key(event_id: int) -> str:
    """One reminder per event."""
    return f"{REMINDER}:{event_id}"


# --- monthly letters (L131-8) -------------------------------------------------------------------


def month_letter(count: float, threshold: int, persistent: int) -> str | None:
    """The letter a month's count of unjustified half-days calls for: ``"persistent"`` from the
    persistent threshold (it says all the threshold letter says, so a student who reaches both
    at once gets that one only), ``"threshold"`` from the monthly one (4 by law), else None."""
    crossed = thresholds_crossed(0, count, (threshold, persistent))
    if persistent in crossed:
        return PERSISTENT
    if threshold in crossed:
        return THRESHOLD
    return None


def months_to_check(today: date) -> list[Month]:
    """The months the letters are looked for: the previous one (absences of its last days are
    often entered or decided later) and the current one."""
    previous = today.replace(day=1) - timedelta(days=1)
    return [(previous.year, previous.month), (today.year, today.month)]


def month_bounds(month: Month) -> tuple[date, date]:
    """The first and last days of a calendar month."""
    year, number = month
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def month_label(month: Month) -> str:
    """``YYYY-MM``."""
    return f"{month[0]:04d}-{month[1]:02d}"


def month_key(kind: str, student_id: int, month: Month) -> str:
    """One letter of a kind per student and month."""
    return f"{kind}:{student_id}:{month_label(month)}"


def in_month(key: HalfDayKey, month: Month) -> bool:
    return (key.day.year, key.day.month) == month


def shown_count(count: float) -> int | float:
    """A count as a letter prints it: 4, or 4.5 in proportional mode."""
    return int(count) if count == int(count) else round(count, 2)


# --- weekly summary -----------------------------------------------------------------------------


def week_to_summarise(today: date) -> tuple[date, date]:
    """The Monday and Sunday of the ISO week before ``today``'s: summaries go out once the week
    is over (on the Monday, or the first day the planner runs after it)."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def iso_week(day: date) -> str:
    """``YYYY-Www``, the ISO year and week of ``day`` (week 1 holds the first Thursday)."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def weekly_key(student_id: int, monday: date) -> str:
    """One summary per student and ISO week."""
    return f"weekly:{student_id}:{iso_week(monday)}"


# --- convocations -------------------------------------------------------------------------------


def convocation_key(student_id: int, meeting_at: datetime) -> str:
    """One convocation per student and meeting time: a second click does not convoke twice."""
    require_aware(meeting_at, "meeting_at")
    return f"{CONVOCATION}:{student_id}:{meeting_at.astimezone(UTC):%Y-%m-%dT%H:%M}Z"
