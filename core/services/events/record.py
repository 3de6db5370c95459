"""Recording and changing events: each write is one transaction with its audit record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.bounds import MAX_ID, Moment, column_length
from core.errors import Conflict, Invalid, invalid_field
from core.models import Event, EventSource, JustificationType, Reason, School, Student
from core.queries.calendar import load_calendar
from core.queries.records import school_event, school_student
from core.rules.counting import EventKind, classify_duration, coverage
from core.services import audit
from core.services.audit import Actor
from core.services.delivery.rows import Due
from core.services.notices.absence import plan_absence_notices, reconcile_notices
from core.services.schools.school import now_utc
from core.services.schools.years import refuse_closed
from core.services.stats.half_days import refresh_days, touched_days

AUDITED = (
    "kind",
    "starts_at",
    "ends_at",
    "reason_id",
    "justification_id",
    "accepted",
    "settled",
    "counts",
    "comment",
    "deleted",
    "version",
)


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event as a service left it, with the deliveries it scheduled (to enqueue after the
    commit: ``workers.queue.enqueue_scheduled``)."""

    event: Event
    due: list[Due]


class EventPatch(BaseModel):
    """A correction: only the fields given change (``reason``/``justification`` are codes)."""

    model_config = ConfigDict(extra="forbid")

    kind: EventKind | None = None
    start: Moment | None = None
    end: Moment | None = None
    reason: str | None = Field(default=None, max_length=column_length(Reason, "code"))
    justification: str | None = Field(
        default=None, max_length=column_length(JustificationType, "code")
    )
    accepted: bool | None = None
    settled: bool | None = None
    counts: bool | None = None
    comment: str | None = Field(default=None, max_length=2000)
    version: int | None = Field(
        default=None, ge=0, le=MAX_ID, description="refuse the change if it moved on"
    )


def parse_patch(data: object) -> EventPatch:
    try:
        return EventPatch.model_validate(data)
    except ValidationError as error:
        raise invalid_field(error, "body") from None


def aware_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(
            f"{name} must carry a time zone offset, e.g. 2026-03-02T08:00:00+01:00",
            code="time_zone_offset",
        )
    # In UTC, as stored: SQLite compares datetimes as text, so a filter on a +01:00 value
    # against stored +00:00 values would be wrong.
    return value.astimezone(UTC)


async def resolve_reason(school: School, code: str | None) -> Reason | None:
    """A local reason by its code, or the school's reason under that national generic code."""
    if code is None:
        return None
    reason = await Reason.get_or_none(school=school, code=code, active=True)
    if reason is None:
        reason = await Reason.filter(school=school, generic__code=code, active=True).first()
    if reason is None:
        raise Invalid(f"unknown reason {code!r} for school {school.uai}", code="reason_unknown")
    return reason


async def resolve_justification(school: School, code: str | None) -> JustificationType | None:
    if code is None:
        return None
    found = await JustificationType.get_or_none(school=school, code=code, active=True)
    if found is None:
        raise Invalid(
            f"unknown justification type {code!r} for school {school.uai}",
            code="justification_unknown",
        )
    return found


def _kind_by_duration(
    school: School, kind: EventKind, start: datetime, end: datetime | None
) -> EventKind:
    """An absence shorter than the school's lateness threshold is a lateness (the other kinds,
    and open-ended absences, stay as they are)."""
    if kind is not EventKind.ABSENCE or (end is not None and end <= start):
        return kind  # an end before the start is refused with the interval
    return classify_duration(start, end, school.lateness_threshold_minutes)


def _check_reason_fits(
    reason: Reason | None, kind: EventKind, *, shortened: int | None = None
) -> None:
    """A lateness takes a lateness reason, an absence an absence reason (the school's flags).

    ``shortened``: the threshold that turned an absence into this lateness, said in the refusal.
    """
    if reason is None:
        return
    if kind is EventKind.LATENESS and not reason.for_lateness:
        why = (
            f"shorter than {shortened} minutes, the absence is a lateness: "
            if shortened is not None
            else ""
        )
        raise Invalid(
            f"{why}the reason {reason.code!r} is not one for lateness",
            code="reason_not_for_lateness",
        )
    if kind is not EventKind.LATENESS and not reason.for_absence:
        raise Invalid(
            f"the reason {reason.code!r} is only for lateness", code="reason_only_for_lateness"
        )


async def _check_interval(
    school: School, kind: EventKind, start: datetime, end: datetime | None
) -> None:
    if end is not None and end <= start:
        raise Invalid("the end must come after the start", code="end_before_start")
    if kind is EventKind.ABSENCE:
        calendar = await load_calendar(school)
        if end is not None and not coverage(calendar, start, end):
            raise Invalid(
                "the absence touches no lesson of the school's timetable", code="no_lesson"
            )


async def _check_overlap(
    student: Student, kind: EventKind, start: datetime, end: datetime | None, skip: int | None
) -> None:
    query = Event.filter(student=student, kind=kind, deleted=False)
    if skip is not None:
        query = query.exclude(id=skip)
    if end is not None:
        query = query.filter(starts_at__lt=end)
    if kind is EventKind.LATENESS:
        query = query.filter(starts_at=start)
    else:
        query = query.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))
    clash = await query.first()
    if clash is not None:
        raise Conflict(
            f"it overlaps event {clash.id} of the same student", code="overlap", event=clash.id
        )


async def record_event(
    school: School,
    actor: Actor,
    *,
    student_id: int,
    kind: EventKind,
    start: datetime,
    end: datetime | None = None,
    reason: str | None = None,
    comment: str = "",
    source: EventSource = EventSource.DESK,
    recorded_from: str = "",
    now: datetime | None = None,
) -> Recorded:
    """Record an absence, a lateness… for a student of ``school``.

    The reason's flags give the starting classification: a legitimate reason is accepted, a
    reason that does not count (school activity) does not count. Overlapping an existing
    event of the same kind is a conflict: correct that one instead. The notice the event calls
    for is written in the same transaction; its deliveries come back in :attr:`Recorded.due`,
    for the caller to enqueue once it has committed. ``now`` is the recording time.
    """
    now = aware_utc(now, "now") if now is not None else now_utc()
    start = aware_utc(start, "start")
    end = None if end is None else aware_utc(end, "end")
    student = await school_student(school, student_id)
    await refuse_closed(school, start)
    asked, kind = kind, _kind_by_duration(school, kind, start, end)
    await _check_interval(school, kind, start, end)
    found_reason = await resolve_reason(school, reason)
    shortened = school.lateness_threshold_minutes if kind is not asked else None
    _check_reason_fits(found_reason, kind, shortened=shortened)
    async with in_transaction():
        await Student.select_for_update().get(id=student.id)
        await _check_overlap(student, kind, start, end, None)
        event = await Event.create(
            school=school,
            student=student,
            kind=kind,
            starts_at=start,
            ends_at=end,
            reason=found_reason,
            reason_by_id=actor.user_id if found_reason else None,
            reason_at=now_utc() if found_reason else None,
            accepted=found_reason.legitimate_by_default if found_reason else None,
            counts=found_reason.counts if found_reason else True,
            comment=comment,
            source=source,
            recorded_by_id=actor.user_id,
            recorded_from=recorded_from[:64],
        )
        await audit.record(
            actor, "event.record", event, school_id=school.id, after=audit.snapshot(event, AUDITED)
        )
        await _refresh_half_days(school, event, (start, end))
        due = await plan_absence_notices(event, school, now=now)
    return Recorded(event, due)


async def _refresh_half_days(
    school: School, event: Event, *intervals: tuple[datetime, datetime | None]
) -> None:
    """The student's missed half-days over the days the event touches, and touched before."""
    first, last = touched_days(ZoneInfo(school.timezone), *intervals)
    await refresh_days(school, event.student_id, first, last)


async def _apply_patch(school: School, event: Event, patch: EventPatch, actor: Actor) -> None:
    given = patch.model_fields_set - {"version"}
    now = now_utc()
    if "kind" in given:
        if patch.kind is None:
            raise Invalid("kind cannot be null", code="kind_required")
        event.kind = patch.kind
    if "start" in given:
        if patch.start is None:
            raise Invalid("start cannot be null", code="start_required")
        event.starts_at = aware_utc(patch.start, "start")
    if "end" in given:
        event.ends_at = None if patch.end is None else aware_utc(patch.end, "end")
    shortened = None
    if given & {"kind", "start", "end"}:
        kind = _kind_by_duration(school, EventKind(event.kind), event.starts_at, event.ends_at)
        if kind is not EventKind(event.kind):
            event.kind, shortened = kind, school.lateness_threshold_minutes
    if "reason" in given:
        event.reason = await resolve_reason(school, patch.reason)
        event.reason_by_id, event.reason_at = actor.user_id, now
        _check_reason_fits(event.reason, EventKind(event.kind), shortened=shortened)
        _apply_reason_flags(event, event.reason, given, actor, now)
    elif shortened is not None and event.reason_id is not None:
        reason = await Reason.get(id=event.reason_id)
        _check_reason_fits(reason, EventKind(event.kind), shortened=shortened)
    if "justification" in given:
        event.justification = await resolve_justification(school, patch.justification)
    _set_state(event, given, patch, actor, now)
    if "comment" in given:
        event.comment = patch.comment or ""


def _apply_reason_flags(
    event: Event, reason: Reason | None, given: set[str], actor: Actor, now: datetime
) -> None:
    """A new reason brings its flags, as at recording, unless the same edit sets those states:
    a reason that does not count (school activity) takes the event out of the counts, a
    legitimate one accepts it, an illegitimate one refuses it. A reason without a default
    decision leaves the decision as it was; no reason at all counts."""
    counts = reason.counts if reason is not None else True
    if "counts" not in given and event.counts != counts:
        event.counts = counts
        event.counts_by_id, event.counts_at = actor.user_id, now
    decision = reason.legitimate_by_default if reason is not None else None
    if "accepted" not in given and decision is not None and event.accepted != decision:
        event.accepted = decision
        event.accepted_by_id, event.accepted_at = actor.user_id, now


def _set_state(
    event: Event, given: set[str], patch: EventPatch, actor: Actor, now: datetime
) -> None:
    if "accepted" in given:
        event.accepted = patch.accepted
        event.accepted_by_id, event.accepted_at = actor.user_id, now
    if "settled" in given:
        event.settled = bool(patch.settled)
        event.settled_by_id, event.settled_at = actor.user_id, now
    if "counts" in given:
        if patch.counts is None:
            raise Invalid("counts must be true or false", code="counts_boolean")
        event.counts = patch.counts
        event.counts_by_id, event.counts_at = actor.user_id, now


async def correct_event(
    school: School, actor: Actor, event_id: int, patch: EventPatch, *, now: datetime | None = None
) -> Recorded:
    """Change an event's times, reason, justification or states (who and when kept per state).

    In the same transaction its notices follow: cancelled if it no longer calls for them,
    planned if it now does (see ``notices.reconcile_notices``); the deliveries planned come back
    in :attr:`Recorded.due`, for the caller to enqueue once it has committed.
    """
    now = aware_utc(now, "now") if now is not None else now_utc()
    async with in_transaction():
        event = await school_event(school, event_id, for_update=True)
        if event.deleted:
            raise Conflict(
                f"event {event_id} was marked as entered by mistake", code="event_cancelled"
            )
        if patch.version is not None and patch.version != event.version:
            raise Conflict(
                f"event {event_id} changed meanwhile (version {event.version})",
                code="event_changed",
            )
        if not patch.model_fields_set - {"version"}:
            return Recorded(event, [])  # nothing to change: no new version, no audit row
        before, was, was_end = audit.snapshot(event, AUDITED), event.starts_at, event.ends_at
        await _apply_patch(school, event, patch, actor)
        await refuse_closed(school, was, event.starts_at)  # nor moved into a closed year
        await _check_interval(school, EventKind(event.kind), event.starts_at, event.ends_at)
        student = await Student.get(id=event.student_id)
        await _check_overlap(
            student, EventKind(event.kind), event.starts_at, event.ends_at, event.id
        )
        event.version += 1
        await event.save()
        after = audit.changed(before, audit.snapshot(event, AUDITED))
        await audit.record(
            actor,
            "event.correct",
            event,
            school_id=school.id,
            before={k: before[k] for k in after},
            after=after,
        )
        await _refresh_half_days(school, event, (was, was_end), (event.starts_at, event.ends_at))
        due = await reconcile_notices(event, school, now=now)
    return Recorded(event, due)


async def delete_event(
    school: School, actor: Actor, event_id: int, *, now: datetime | None = None
) -> Event:
    """Mark an event "entered by mistake": kept in history, out of every count and notice
    (its notices not sent yet are cancelled in the same transaction)."""
    now = aware_utc(now, "now") if now is not None else now_utc()
    async with in_transaction():
        event = await school_event(school, event_id, for_update=True)
        if event.deleted:
            raise Conflict(
                f"event {event_id} is already marked as entered by mistake",
                code="event_already_cancelled",
            )
        await refuse_closed(school, event.starts_at)
        before = audit.snapshot(event, AUDITED)
        event.deleted, event.deleted_by_id, event.deleted_at = True, actor.user_id, now_utc()
        event.version += 1
        await event.save()
        await audit.record(
            actor,
            "event.delete",
            event,
            school_id=school.id,
            before=before,
            after=audit.changed(before, audit.snapshot(event, AUDITED)),
        )
        await _refresh_half_days(school, event, (event.starts_at, event.ends_at))
        await reconcile_notices(event, school, now=now)
    return event
