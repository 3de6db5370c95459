"""Absence notices, written in the transaction of the event that calls for them.

``record_event`` calls :func:`plan_absence_notices`; ``correct_event`` and ``delete_event`` call
:func:`reconcile_notices`. A notice is one per (student, first half-day touched, kind), by its
unique ``dedupe_key``; its first deliveries are one per recipient (rules.recipients), on the
first channel of that guardian's plan (rules.channel_plan), ``scheduled`` with ``not_before``
after the send-after delay and out of the quiet hours. The rest of the plan is NOT stored: it is
computed again from the contact points as they are at fallback time (see
``delivery_rows.fall_back``), so a number marked invalid meanwhile is skipped.

Half-days of today or later are notified ("absence today"); an absence entered after its day
(a paper roll call typed in on Monday) is notified too when its day is at most the school's
``late_notice_days`` old, by a notice that names the day (payload ``past``); an older one gets
none, and its event's dialog says why (:func:`late_entry_days`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.models import Delivery, DeliveryStatus, Event, Notice, NoticeStatus, School
from core.queries.calendar import load_calendar
from core.rules import notices as rules
from core.rules.calendar import Half, HalfDayKey, SchoolCalendar, half_of, local_date
from core.rules.counting import EventKind, coverage
from core.services.delivery.rows import Due, create_delivery, move, send_time
from core.services.notices.facts import dated_notice_stands
from core.services.notices.recipients import guardian_options

OPEN_ENDED_SPAN = timedelta(days=7)  # how far an open-ended absence is looked at for its start


class EventState(Protocol):
    """What deciding the notice an event calls for reads of it (a model, or a batch's row)."""

    @property
    def kind(self) -> str: ...
    @property
    def accepted(self) -> bool | None: ...
    @property
    def counts(self) -> bool: ...
    @property
    def deleted(self) -> bool: ...
    @property
    def source(self) -> str: ...


def notice_kind(event: EventState, school: School) -> str | None:
    """The notice kind ``event`` calls for as it stands (see rules.notice_kind_for)."""
    return rules.notice_kind_for(
        str(event.kind),
        accepted=event.accepted,
        counts=event.counts,
        deleted=event.deleted,
        source=str(event.source),
        notify_lateness=school.notify_lateness,
    )


def _touched(calendar: SchoolCalendar, event: Event) -> list[HalfDayKey]:
    start = event.starts_at
    end = event.ends_at or start + OPEN_ENDED_SPAN
    keys = [c.key for c in coverage(calendar, start, end)] if end > start else []
    if not keys and event.kind == EventKind.LATENESS:
        keys = [half_of(start, calendar.tz, calendar.midday)]
    return keys


def first_half_day(calendar: SchoolCalendar, event: Event) -> HalfDayKey | None:
    """The first school half-day the event touches (a lateness between lessons: its own)."""
    keys = _touched(calendar, event)
    return keys[0] if keys else None


def late_entry_days(
    calendar: SchoolCalendar, event: Event, school: School, recorded_at: datetime
) -> int | None:
    """How many days after its first half-day ``event`` was entered, when that is too late for
    a notice (``late_notice_days``); None when it was not."""
    key = first_half_day(calendar, event)
    if key is None:
        return None
    today = local_date(recorded_at, calendar.tz)
    if rules.catch_up(key.day, today, school.late_notice_days) != "too_late":
        return None
    return (today - key.day).days


def touches(calendar: SchoolCalendar, event: Event, key: HalfDayKey) -> bool:
    """Whether the event touches the half-day (an open-ended one: every half-day from its first)."""
    keys = _touched(calendar, event)
    if event.ends_at is None and event.kind == EventKind.ABSENCE:
        return bool(keys) and keys[0] <= key
    return key in keys


class AboutAHalfDay(Protocol):
    @property
    def payload(self) -> dict[str, object]: ...


def notice_half_day(notice: AboutAHalfDay) -> HalfDayKey:
    """The half-day a notice is about (kept in its payload)."""
    payload = notice.payload
    return HalfDayKey(date.fromisoformat(str(payload["day"])), Half(str(payload["half"])))


async def plan_absence_notices(event: Event, school: School, *, now: datetime) -> list[Due]:
    """Write the notice ``event`` calls for and its first deliveries, inside the caller's
    transaction; returns those deliveries, to enqueue once it has committed (none when the
    event calls for no notice or the half-day already has its notice).

    A notice no guardian can be reached for is written FAILED with its reason (staff see it).
    """
    kind = notice_kind(event, school)
    if kind is None:
        return []
    calendar = await load_calendar(school)
    key = first_half_day(calendar, event)
    if key is None:
        return []
    when = rules.catch_up(key.day, local_date(now, calendar.tz), school.late_notice_days)
    if when == "too_late":
        return []
    notice = await _open_notice(event, school, kind, key, past=when == "catch_up")
    if notice is None:
        return []
    due = await first_deliveries(notice, school, now=now, base=max(now, event.starts_at))
    if not due:
        notice.status = NoticeStatus.FAILED
        notice.payload = {**notice.payload, "reason": "no guardian can be reached"}
        await notice.save(update_fields=["status", "payload", "updated_at"])
    return due


async def _open_notice(
    event: Event, school: School, kind: str, key: HalfDayKey, *, past: bool
) -> Notice | None:
    """Get-or-create on ``dedupe_key``; a cancelled notice is opened again for this event.
    ``past``: the half-day was over when the event was entered (the text names the day)."""
    dedupe = rules.dedupe_key(kind, event.student_id, key)
    existing = await Notice.get_or_none(dedupe_key=dedupe)
    if existing is not None:
        if existing.status != NoticeStatus.CANCELLED:
            return None
        existing.status, existing.event_id = NoticeStatus.PENDING, event.id
        kept = {k: v for k, v in existing.payload.items() if k != "reason"}
        existing.payload = {**kept, "past": past}
        await existing.save(update_fields=["status", "event_id", "payload", "updated_at"])
        return existing
    try:
        async with in_transaction():  # a savepoint: a lost race must not spoil the caller's
            return await Notice.create(
                school_id=school.id,
                student_id=event.student_id,
                event_id=event.id,
                kind=kind,
                dedupe_key=dedupe,
                payload={"day": key.day.isoformat(), "half": key.half.value, "past": past},
            )
    except IntegrityError:
        return None  # another event of the same half-day won: its notice stands


async def first_deliveries(
    notice: Notice,
    school: School,
    *,
    now: datetime,
    base: datetime,
    delay_minutes: int | None = None,
) -> list[Due]:
    """The first deliveries of ``notice``, inside the caller's transaction: one per recipient
    (rules.recipients), on the first channel of that guardian's plan in the order of the
    notice's kind (rules.channel_order_for: the school's ``channel_order`` for most kinds),
    ``scheduled`` ``delay_minutes`` after ``base`` (the school's send-after delay when None)
    and out of the quiet hours. Empty when nobody can be reached."""
    delay = school.notice_delay_minutes if delay_minutes is None else delay_minutes
    order = rules.channel_order_for(str(notice.kind), school.channel_order)
    options, persons = await guardian_options(notice.student_id)
    created: list[Due] = []
    for guardian in rules.recipients(options):
        plan = rules.channel_plan(guardian, order)
        if not plan:
            continue
        first = plan[0]
        when = send_time(school, first.channel, base, delay)
        language = persons[guardian.person_id].language
        due = await create_delivery(
            notice, first, language=language, not_before=when, source="plan", at=now
        )
        created.append(due)
    return created


async def reconcile_notices(event: Event, school: School, *, now: datetime) -> list[Due]:
    """After a correction or a deletion, inside its transaction: a pending notice of this event
    that no event of the student calls for any more is cancelled (its scheduled deliveries
    too), one another event still calls for moves to that event; then the notice the event
    calls for now, if any, is planned (its deliveries returned, to enqueue after the commit)."""
    calendar = await load_calendar(school)
    kinds = sorted(EVENT_KINDS)
    pending = Notice.filter(event_id=event.id, status=NoticeStatus.PENDING, kind__in=kinds)
    for notice in await pending:  # a reminder is checked when it leaves (still_wanted)
        supporting = await supporting_event(notice, school, calendar)
        if supporting is None:
            await cancel_notice(notice, now=now, reason="the event was corrected or deleted")
        elif supporting.id != event.id:
            notice.event_id = supporting.id
            await notice.save(update_fields=["event_id", "updated_at"])
    return await plan_absence_notices(event, school, now=now)


async def supporting_event(
    notice: Notice, school: School, calendar: SchoolCalendar | None = None
) -> Event | None:
    """An event of the student that still calls for ``notice`` (its own event first)."""
    key = notice_half_day(notice)
    tz = ZoneInfo(school.timezone)
    day_start, day_end = (
        datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)  # UTC: SQLite compares text
        for day in (key.day, key.day + timedelta(days=1))
    )
    candidates = await Event.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=day_start),
        student_id=notice.student_id,
        deleted=False,
        starts_at__lt=day_end,
    )
    candidates.sort(key=lambda e: (e.id != notice.event_id, e.starts_at, e.id))
    for event in candidates:
        if notice_kind(event, school) != notice.kind:
            continue
        calendar = calendar or await load_calendar(school)
        if touches(calendar, event, key):
            return event
    return None


EVENT_KINDS = frozenset({"absence", "lateness"})
"""Notice kinds about one half-day of one event (the others are planned by date or by staff)."""


def stands_at_a_glance(
    status: str, kind: str, event: EventState | None, school: School
) -> bool | None:
    """Whether a notice still stands, from its own row and event alone: False when it was
    cancelled, True when its event still calls for it; None when :func:`still_wanted` must look
    further (a notice planned by date, or an event that no longer calls for it: another event
    of the student's may)."""
    if status == NoticeStatus.CANCELLED:
        return False
    if str(kind) in EVENT_KINDS and event is not None and notice_kind(event, school) == kind:
        return True
    return None


async def still_wanted(notice: Notice, school: School) -> bool:
    """Whether ``notice`` should still go out, checked when one of its deliveries is about to
    leave; cheap when the notice's event (loaded as ``notice.event``) still calls for it. A
    notice planned by date asks what it stands on (``notice_facts.dated_notice_stands``: its
    absence still unjustified, its month still over the threshold…)."""
    glance = stands_at_a_glance(notice.status, notice.kind, notice.event, school)
    if glance is not None:
        return glance
    if str(notice.kind) not in EVENT_KINDS:
        return await dated_notice_stands(notice, school)
    return await supporting_event(notice, school) is not None


async def cancel_notice(notice: Notice, *, now: datetime, reason: str) -> None:
    """Cancel the scheduled deliveries; the notice is cancelled unless something already left."""
    scheduled = await Delivery.filter(notice_id=notice.id, status=DeliveryStatus.SCHEDULED)
    for delivery in scheduled:
        await move(
            delivery.id,
            DeliveryStatus.SCHEDULED,
            DeliveryStatus.CANCELLED,
            at=now,
            source="correction",
            final_at=now.astimezone(UTC),
            error=reason,
        )
    if not await Delivery.filter(
        notice_id=notice.id,
        status__in=[DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
    ).exists():
        notice.status = NoticeStatus.CANCELLED
        notice.payload = {**notice.payload, "reason": reason}
        await notice.save(update_fields=["status", "payload", "updated_at"])


async def scheduled_deliveries(event_id: int) -> list[Due]:
    """The scheduled deliveries of the notices of an event: what the entry point enqueues once
    the event's transaction has committed."""
    rows = await Delivery.filter(
        notice__event_id=event_id, status=DeliveryStatus.SCHEDULED
    ).values_list("id", "not_before")
    return [Due(int(delivery_id), when) for delivery_id, when in rows]
