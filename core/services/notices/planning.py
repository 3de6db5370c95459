"""Notices planned by date, once per local day per school: reminders of absences still not
justified, the monthly threshold letters (L131-8) and persistent-absence letters, the weekly
summary.

:func:`plan_dated_notices` claims the school's day (``School.planned_on``: a conditional UPDATE,
so two planners never plan one school twice and the periodic task costs one query a school once
the day is planned), then in ONE transaction writes the notices the rules of
``core/rules/dated_notices.py`` call for — get-or-create on their ``dedupe_key``, a cancelled
one opened again — with their first deliveries (``notices.first_deliveries``: the recipients and
channel plans of every notice, in the order of the kind) and one audit row. It returns the
deliveries to enqueue once committed. Each delivery leaves at once but not before 08:00 local
(rules ``leaves_at``), SMS and calls after the quiet hours; ``notices.still_wanted`` checks
again when it leaves.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.i18n import LANGUAGES
from core.models import Event, Notice, NoticeStatus, School
from core.queries.calendar import load_calendar
from core.queries.thresholds import MonthCount, month_counts, not_justified
from core.queries.years import closed_through
from core.rules import dated_notices as dated
from core.rules.calendar import HalfDayKey, SchoolCalendar, day_start, local_date, month_label
from core.rules.counting import EventKind
from core.services import audit
from core.services.audit import Actor
from core.services.delivery.rows import Due
from core.services.notices.absence import first_deliveries, first_half_day
from core.services.notices.facts import letter_threshold
from core.services.notices.labels import (
    date_label,
    day_label,
    half_label,
    kind_label,
    month_year,
    state_label,
    time_label,
)

PLANNER = Actor.system("planner")
NOBODY = "no guardian can be reached"


@dataclass
class _Plan:
    """One school's planning run: what it knows and what it wrote."""

    school: School
    calendar: SchoolCalendar
    now: datetime
    today: date
    since: date | None  # the previous day planned: events changed from then on are looked at
    due: list[Due] = field(default_factory=list)
    written: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @property
    def tz(self) -> ZoneInfo:
        return self.calendar.tz


def local_today(school: School, now: datetime) -> date:
    return local_date(now, ZoneInfo(school.timezone))


def needs_planning(school: School, now: datetime) -> bool:
    """Whether the school's dated notices are not planned yet for its local day (a zone
    unknown here says yes: planning then fails for that school alone, with its reason)."""
    if school.planned_on is None:
        return True
    try:
        return school.planned_on < local_today(school, now)
    except (ZoneInfoNotFoundError, ValueError):
        return True


async def schools_to_plan(now: datetime) -> list[School]:
    """The schools whose local day has not been planned yet (one cheap query)."""
    return [school for school in await School.all().order_by("id") if needs_planning(school, now)]


async def plan_dated_notices(school: School, now: datetime) -> list[Due]:
    """Plan the school's dated notices for its local day, once: reminders (when
    ``reminder_after_days`` > 0), the monthly letters of the previous and current months and of
    the months absences changed since the previous day planned lie in, the weekly summary of the
    previous week (when ``weekly_summary``). Idempotent: a day already planned, or a notice
    already written, plans nothing. Returns the deliveries to enqueue after the commit."""
    today = local_today(school, now)
    if not needs_planning(school, now):
        return []
    calendar = await load_calendar(school)
    plan = _Plan(school, calendar, now, today, school.planned_on)
    async with in_transaction():
        claimed = await School.filter(
            Q(planned_on__isnull=True) | Q(planned_on__lt=today), id=school.id
        ).update(planned_on=today)
        if not claimed:
            return []  # another planner has the day
        await _reminders(plan)
        await _month_letters(plan)
        if school.weekly_summary:
            await _weekly_summaries(plan)
        await audit.record(
            PLANNER,
            "notices.plan",
            school,
            school_id=school.id,
            before={"planned_on": audit.plain(school.planned_on)},
            after={"planned_on": today.isoformat(), "notices": dict(plan.written)},
        )
    school.planned_on = today
    return plan.due


async def _existing(keys: list[str]) -> dict[str, Notice]:
    return {n.dedupe_key: n for n in await Notice.filter(dedupe_key__in=keys)} if keys else {}


async def _write(
    plan: _Plan,
    existing: dict[str, Notice],
    *,
    key: str,
    kind: str,
    student_id: int,
    payload: dict[str, object],
    event_id: int | None = None,
) -> None:
    """Get-or-create the notice on its key (a cancelled one opens again with today's facts),
    then its first deliveries; nobody reachable: FAILED with its reason (staff see it)."""
    notice = existing.get(key)
    if notice is not None and notice.status != NoticeStatus.CANCELLED:
        return
    if notice is None:
        notice = await Notice.create(
            school_id=plan.school.id,
            student_id=student_id,
            event_id=event_id,
            kind=kind,
            dedupe_key=key,
            payload=payload,
        )
    else:
        notice.status, notice.payload, notice.event_id = NoticeStatus.PENDING, payload, event_id
        await notice.save(update_fields=["status", "payload", "event_id", "updated_at"])
    base = dated.leaves_at(plan.now, plan.tz)
    due = await first_deliveries(notice, plan.school, now=plan.now, base=base, delay_minutes=0)
    if not due:
        notice.status = NoticeStatus.FAILED
        notice.payload = {**payload, "reason": NOBODY}
        await notice.save(update_fields=["status", "payload", "updated_at"])
    plan.due.extend(due)
    plan.written[kind].append(notice.id)


# --- reminders ----------------------------------------------------------------------------------


async def _reminders(plan: _Plan) -> None:
    """A reminder per absence still not justified whose first half-day is ``after_days`` ago
    (or a few days more: a day the planner missed is caught up)."""
    window = dated.reminder_window(plan.today, plan.school.reminder_after_days)
    if window is None:
        return
    first, last = window
    candidates = await Event.filter(
        not_justified(plan.school.id),
        # an absence may start on a day off before its first school half-day
        starts_at__gte=day_start(first - timedelta(days=dated.REMINDER_CATCH_UP_DAYS), plan.tz),
        starts_at__lt=day_start(last + timedelta(days=1), plan.tz),
    ).order_by("starts_at", "id")
    chosen: list[tuple[Event, HalfDayKey]] = []
    for event in candidates:
        wanted = dated.reminder_wanted(
            str(event.kind),
            accepted=event.accepted,
            counts=event.counts,
            deleted=event.deleted,
            source=str(event.source),
        )
        key = first_half_day(plan.calendar, event) if wanted else None
        if key is not None and first <= key.day <= last:
            chosen.append((event, key))
    existing = await _existing([dated.reminder_key(event.id) for event, _ in chosen])
    written = {lang: {"written_on": date_label(plan.today, lang)} for lang in LANGUAGES}
    for event, key in chosen:
        payload: dict[str, object] = {
            "day": key.day.isoformat(),
            "half": key.half.value,
            "localized": written,
        }
        await _write(
            plan,
            existing,
            key=dated.reminder_key(event.id),
            kind=dated.REMINDER,
            student_id=event.student_id,
            payload=payload,
            event_id=event.id,
        )


# --- monthly letters ----------------------------------------------------------------------------


async def _changed_months(plan: _Plan) -> dict[dated.Month, set[int]]:
    """The months of the absences entered or changed since the previous day planned (as they
    are now: a month an absence left only lost half-days), with their students: those that
    may count (not deleted, counted, not justified)."""
    if plan.since is None:
        return {}  # the school's first planning: the usual months only
    rows = await Event.filter(
        not_justified(plan.school.id), updated_at__gte=day_start(plan.since, plan.tz)
    ).values_list("student_id", "starts_at", "ends_at")
    months: dict[dated.Month, set[int]] = defaultdict(set)
    for student_id, starts_at, ends_at in rows:
        first = local_date(starts_at, plan.tz)
        last = min(local_date(ends_at or plan.now, plan.tz), plan.today)
        for month in dated.months_between(first, last):
            months[month].add(int(student_id))
    return months


async def _month_letters(plan: _Plan) -> None:
    """The threshold or persistent-absence letter of each student whose unjustified half-days
    of a month reach the school's thresholds: every student for the previous and current months,
    and the students whose absences of an earlier month were entered or changed since the last
    planning for that month (not in a closed school year). A letter is written once per student,
    month and kind; none of the threshold once the persistent one was."""
    school = plan.school
    changed = await _changed_months(plan)
    usual = dated.months_to_check(plan.today)
    closed = await closed_through(school.id)
    for month in dated.months_to_plan(plan.today, changed, closed):
        students = None if month in usual else changed[month]
        counts = await month_counts(school, plan.calendar, month, now=plan.now, students=students)
        wanted: list[tuple[int, str, MonthCount]] = []
        for student_id, found in sorted(counts.items()):
            kind = dated.month_letter(
                found.count,
                school.absence_threshold_half_days,
                school.persistent_threshold_half_days,
            )
            if kind is not None:
                wanted.append((student_id, kind, found))
        kinds = (dated.THRESHOLD, dated.PERSISTENT)
        existing = await _existing(
            [dated.month_key(k, student_id, month) for student_id, _, _ in wanted for k in kinds]
        )
        for student_id, kind, found in wanted:
            standing = [
                k
                for k in kinds
                if (n := existing.get(dated.month_key(k, student_id, month))) is not None
                and n.status != NoticeStatus.CANCELLED
            ]
            chosen = dated.letter_to_write(kind, standing)
            if chosen is None:
                continue
            payload = month_payload(month, found, letter_threshold(school, chosen), plan.today)
            key = dated.month_key(chosen, student_id, month)
            await _write(
                plan, existing, key=key, kind=chosen, student_id=student_id, payload=payload
            )


def month_payload(
    month: dated.Month, found: MonthCount, threshold: int, today: date
) -> dict[str, object]:
    """What a monthly letter prints: the month, the count, the threshold and every half-day
    (``half_days``: a list of ``{day, half}`` labels in the delivery's language)."""
    first = date(*month, 1)
    localized = {
        lang: {
            "written_on": date_label(today, lang),
            "month_label": month_year(first, lang),
            "half_days": [
                {"day": day_label(key.day, lang), "half": half_label(key.half.value, lang)}
                for key in found.half_days
            ],
        }
        for lang in LANGUAGES
    }
    return {
        "month": month_label(first),
        "count": dated.shown_count(found.count),
        "threshold": threshold,
        "half_day_keys": [[key.day.isoformat(), key.half.value] for key in found.half_days],
        "localized": localized,
    }


# --- weekly summary -----------------------------------------------------------------------------


async def _weekly_summaries(plan: _Plan) -> None:
    """A summary of the previous week for every active student with an event that week."""
    monday, sunday = dated.week_to_summarise(plan.today)
    events = await Event.filter(
        school_id=plan.school.id,
        deleted=False,
        student__active=True,
        starts_at__gte=day_start(monday, plan.tz),
        starts_at__lt=day_start(sunday + timedelta(days=1), plan.tz),
    ).order_by("student_id", "starts_at", "id")
    by_student: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        by_student[event.student_id].append(event)
    keys = {student_id: dated.weekly_key(student_id, monday) for student_id in by_student}
    existing = await _existing(list(keys.values()))
    for student_id, items in by_student.items():
        payload = weekly_payload(monday, sunday, items, plan.tz, plan.today)
        await _write(
            plan,
            existing,
            key=keys[student_id],
            kind=dated.WEEKLY_SUMMARY,
            student_id=student_id,
            payload=payload,
        )


def _state(event: Event) -> str:
    if event.accepted is True:
        return "justified"
    if event.accepted is False:
        return "unjustified"
    reason_id: int | None = getattr(event, "reason_id", None)  # the column tortoise adds
    return "under_review" if reason_id is not None else "reason_awaited"


def _item(event: Event, tz: ZoneInfo, lang: str) -> dict[str, str]:
    end = event.ends_at
    return {
        "kind": kind_label(str(event.kind), lang),
        "day": day_label(event.starts_at.astimezone(tz).date(), lang, year=False),
        "start": time_label(event.starts_at, tz, lang),
        "end": time_label(end, tz, lang) if end is not None and end > event.starts_at else "",
        "state": state_label(_state(event), lang),
    }


def weekly_payload(
    monday: date, sunday: date, events: list[Event], tz: ZoneInfo, today: date
) -> dict[str, object]:
    """What a weekly summary prints: the week and each event (``events``: a list of
    ``{kind, day, start, end, state}`` labels in the delivery's language)."""
    kinds = Counter(str(event.kind) for event in events)
    localized = {
        lang: {
            "written_on": date_label(today, lang),
            "week_label": day_label(monday, lang),
            "events": [_item(event, tz, lang) for event in events],
        }
        for lang in LANGUAGES
    }
    return {
        "week": dated.iso_week(monday),
        "week_start": monday.isoformat(),
        "week_end": sunday.isoformat(),
        "absences": kinds[EventKind.ABSENCE.value],
        "lateness": kinds[EventKind.LATENESS.value],
        "localized": localized,
    }
