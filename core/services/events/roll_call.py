"""The roll call (appel): a teacher marks who is absent, late or left class in a lesson.

Each mark becomes an event through :func:`core.services.events.record.record_event` (source
``roll_call``), in one transaction with the :class:`RollCall` row and its audit record. A
student already marked absent for the lesson (by the vie scolaire, or an earlier roll call) is
not recorded twice: the overlap the events service refuses is skipped and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.errors import Conflict, Forbidden, Invalid
from core.models import Event, EventSource, Lesson, RollCall, School, Student
from core.queries.calendar import load_calendar
from core.queries.lessons import LessonOfDay, is_given, is_open, of_day
from core.queries.records import school_lesson
from core.rules.calendar import SchoolCalendar
from core.rules.counting import EventKind
from core.services import audit
from core.services.audit import Actor
from core.services.delivery.rows import Due
from core.services.events.record import Recorded, record_event
from core.services.schools.school import now_utc


class MarkKind(StrEnum):
    ABSENT = "absent"
    LATE = "late"  # ``at`` is the arrival time
    LEFT = "left"  # ``at`` is the time the student left class


@dataclass(frozen=True)
class Mark:
    """One student who is not simply present; ``at`` is a local wall time for late / left."""

    student_id: int
    kind: MarkKind
    at: time | None = None


@dataclass(frozen=True)
class RollCallResult:
    roll_call: RollCall
    recorded: list[Event]
    skipped: list[int]  # students already marked for that time: nothing recorded twice
    due: list[Due]  # the deliveries of the notices the events called for, to enqueue


async def lesson_students(lesson: Lesson) -> list[Student]:
    """The active students of the lesson's division or group, by name."""
    if lesson.division_id is not None:
        query = Student.filter(division_id=lesson.division_id)
    elif lesson.group_id is not None:
        query = Student.filter(groups__id=lesson.group_id)
    else:
        return []
    return (
        await query.filter(school_id=lesson.school_id, active=True)
        .order_by("last_name", "first_name", "id")
        .distinct()
    )


async def already_absent(item: LessonOfDay, student_ids: list[int]) -> set[int]:
    """Students with an absence (not entered by mistake) overlapping the lesson."""
    rows: list[Any] = (
        await Event.filter(
            student_id__in=student_ids,
            kind=EventKind.ABSENCE,
            deleted=False,
            starts_at__lt=item.ends_at,
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=item.starts_at))
        .values_list("student_id", flat=True)
    )
    return {int(i) for i in rows}


@dataclass(frozen=True)
class Marked:
    """What a pupil already has in a lesson (the desk, the grid or an earlier roll call):
    absent, late with the arrival, or left with the departure (local wall times)."""

    kind: MarkKind
    at: time | None = None


async def marked_in_lesson(
    item: LessonOfDay, student_ids: list[int], calendar: SchoolCalendar
) -> dict[int, Marked]:
    """Each pupil's mark already recorded for the lesson: an absence overlapping it, else a
    lateness whose arrival falls in it, else a departure from it."""
    found: dict[int, Marked] = {
        i: Marked(MarkKind.ABSENT) for i in await already_absent(item, student_ids)
    }
    others = await Event.filter(
        student_id__in=student_ids,
        kind__in=[EventKind.LATENESS, EventKind.LEFT_CLASS],
        deleted=False,
        starts_at__gte=item.starts_at,
        starts_at__lt=item.ends_at,
    ).order_by("starts_at")
    for event in others:
        late = event.kind == EventKind.LATENESS
        moment = (event.ends_at or event.starts_at) if late else event.starts_at
        wall = moment.astimezone(calendar.tz).time().replace(second=0, microsecond=0)
        found.setdefault(event.student_id, Marked(MarkKind.LATE if late else MarkKind.LEFT, wall))
    return found


def _interval(item: LessonOfDay, mark: Mark, calendar: SchoolCalendar) -> tuple[datetime, datetime]:
    """The event's start and end for a mark (late: start → arrival; left: departure → end)."""
    if mark.kind is MarkKind.ABSENT:
        return item.starts_at, item.ends_at
    if mark.at is None:
        raise Invalid(
            f"a time is needed for student {mark.student_id} ({mark.kind})", code="roll_time_needed"
        )
    moment = calendar.to_utc(item.day, mark.at)
    if not item.starts_at < moment < item.ends_at:
        raise Invalid(
            f"the time for student {mark.student_id} is outside the lesson",
            code="roll_time_outside",
        )
    if mark.kind is MarkKind.LATE:
        return item.starts_at, moment
    return moment, item.ends_at


_KINDS = {
    MarkKind.ABSENT: EventKind.ABSENCE,
    MarkKind.LATE: EventKind.LATENESS,
    MarkKind.LEFT: EventKind.LEFT_CLASS,
}


async def _checked(
    school: School, actor: Actor, lesson_id: int, day: date, own_only: bool, now: datetime
) -> tuple[LessonOfDay, SchoolCalendar]:
    lesson = await school_lesson(school, lesson_id)
    if own_only and lesson.teacher_id != actor.user_id:
        raise Forbidden("only the lesson's teacher may take its roll call", code="not_the_teacher")
    if not await is_given(lesson, day):
        raise Invalid(
            f"lesson {lesson_id} is not given on {day.isoformat()}", code="lesson_not_that_day"
        )
    calendar = await load_calendar(school)
    item = of_day(calendar, lesson, day)
    if not is_open(calendar, item):
        raise Invalid(
            f"the school is closed on {day.isoformat()}", code="school_closed", day=day.isoformat()
        )
    if not item.started(now):
        raise Invalid("the lesson has not started yet", code="lesson_not_started")
    return item, calendar


async def _check_members(lesson: Lesson, marks: list[Mark]) -> None:
    members = {s.id for s in await lesson_students(lesson)}
    strangers = sorted({m.student_id for m in marks} - members)
    if strangers or len({m.student_id for m in marks}) != len(marks):
        raise Invalid(
            f"marks must name each student of the lesson once: {strangers or marks}",
            code="roll_marks",
        )


async def take_roll_call(
    school: School,
    actor: Actor,
    lesson_id: int,
    day: date,
    marks: list[Mark],
    *,
    own_only: bool = False,
    recorded_from: str = "",
    now: datetime | None = None,
) -> RollCallResult:
    """Validate the roll call of a lesson: every mark becomes an event, all in one transaction.

    ``own_only`` (a teacher) refuses another teacher's lesson with :class:`Forbidden`. Marks for
    students who are not in the lesson, or with a time outside it, are :class:`Invalid`.
    Taking the roll call again records the new marks and keeps the earlier ones.
    """
    now = now or now_utc()
    item, calendar = await _checked(school, actor, lesson_id, day, own_only, now)
    await _check_members(item.lesson, marks)
    intervals = [(mark, _interval(item, mark, calendar)) for mark in marks]
    async with in_transaction():
        roll, _ = await RollCall.get_or_create(school=school, lesson=item.lesson, day=day)
        done, skipped = await _record_marks(school, actor, intervals, recorded_from)
        recorded = [r.event for r in done]
        roll.taken_by_id, roll.taken_at, roll.validated = actor.user_id, now, True
        await roll.save()
        after = {"lesson": item.lesson.id, "day": day.isoformat()}
        after.update(events=[e.id for e in recorded], skipped=skipped)
        await audit.record(actor, "roll_call.take", roll, school_id=school.id, after=after)
    return RollCallResult(roll, recorded, skipped, [d for r in done for d in r.due])


async def _record_marks(
    school: School,
    actor: Actor,
    intervals: list[tuple[Mark, tuple[datetime, datetime]]],
    recorded_from: str,
) -> tuple[list[Recorded], list[int]]:
    recorded: list[Recorded] = []
    skipped: list[int] = []
    for mark, (start, end) in intervals:
        try:
            event = await record_event(
                school,
                actor,
                student_id=mark.student_id,
                kind=_KINDS[mark.kind],
                start=start,
                end=end,
                source=EventSource.ROLL_CALL,
                recorded_from=recorded_from,
            )
        except Conflict:  # already marked for that time (the desk, or an earlier roll call)
            skipped.append(mark.student_id)
        else:
            recorded.append(event)
    return recorded, skipped
