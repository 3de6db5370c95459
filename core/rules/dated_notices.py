"""Notices planned by date rather than by an event as it is entered: reminders of absences still
not justified, the monthly threshold letters, the weekly summary — and their dedupe keys.

Pure functions over plain values: the planning service (``core/services/notices/planning.py``)
hands in days, counts and settings, and writes what these functions decide. Every key is
deterministic, so planning twice plans nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.rules.calendar import HalfDayKey, month_label, require_aware
from core.rules.counting import alert_level
from core.rules.notices import notice_kind_for
from core.rules.years import is_closed

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
    at once gets that one only), ``"threshold"`` from the monthly one (4 by law), else None:
    the alert level of the month (``counting.alert_level``) when it is one."""
    level = alert_level(count, threshold, persistent)
    return None if level == "none" else level


def months_to_check(today: date) -> list[Month]:
    """The months the letters are looked for every day, for every student: the previous one
    (absences of its last days are often entered or decided later) and the current one."""
    previous = today.replace(day=1) - timedelta(days=1)
    return [(previous.year, previous.month), (today.year, today.month)]


def months_between(first: date, last: date) -> list[Month]:
    """The months from ``first``'s to ``last``'s, both included (none when ``last`` comes
    first)."""
    months: list[Month] = []
    year, number = first.year, first.month
    while (year, number) <= (last.year, last.month):
        months.append((year, number))
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def months_to_plan(
    today: date, touched: Iterable[Month], closed_through: int | None
) -> list[Month]:
    """The months whose letters a day's planning looks at: the usual ones
    (:func:`months_to_check`) and the months an absence changed since the last planning lies in
    — a month crosses the threshold whenever the entries that make it cross are made, so an
    October absence entered or refused in December makes an October letter. Not a month still
    to come (it is looked at when it comes), nor one of a closed school year (read-only)."""
    current = (today.year, today.month)
    wanted = {*months_to_check(today), *touched}
    return sorted(
        month
        for month in wanted
        if month <= current and not is_closed(date(*month, 1), closed_through)
    )


def letter_to_write(kind: str | None, standing: Iterable[str]) -> str | None:
    """The month's letter to write given the letters of that student and month that stand
    already (written, not cancelled): none twice, and no threshold letter once the persistent
    one (which says all it says) was written — a month whose count fell back below the
    persistent threshold does not send it."""
    kinds = set(standing)
    if kind is None or kind in kinds or (kind == THRESHOLD and PERSISTENT in kinds):
        return None
    return kind


def awaits_decision(
    *, accepted: bool | None, reason_given: bool, legitimate_by_default: bool | None
) -> bool:
    """Whether an absence waits for staff's decision before it counts toward a monthly letter:
    the family gave a reason that may be legitimate (illness, a medical appointment… any
    reason not refused by default) and nobody decided yet (``accepted`` None). A reason
    legitimate by default is accepted when it is given (it does not count; refused later, it
    does), one refused by default is refused; one judged case by case (a medical appointment,
    a convocation, a religious holiday) leaves the decision to staff: the letter waits for
    it. Without a reason the absence counts: that is what the letter is about."""
    return accepted is None and reason_given and legitimate_by_default is not False


def month_bounds(month: Month) -> tuple[date, date]:
    """The first and last days of a calendar month."""
    year, number = month
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def month_key(kind: str, student_id: int, month: Month) -> str:
    """One letter of a kind per student and month."""
    return f"{kind}:{student_id}:{month_label(date(*month, 1))}"


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
