"""Changing the timetable by hand, on the Lessons page: a lesson added, moved or cancelled once
(a trip, a replacement teacher, a room change) or from a date on.

* Once: the lesson is cancelled that day (:class:`LessonCancellation`); a move adds a one-off
  lesson (first and last day the same) that ``replaces`` it, with the new time, room, teacher
  or day.
* From a date on: the lesson ends the day before, and its successor (same division or group,
  subject and week pattern) starts that day with the changes; cancelled from a date on, it
  simply ends. A lesson whose roll call was taken on or after that day is refused: the past
  stays as it was.

A teacher's lessons may not overlap on the days they are given; every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    Division,
    Lesson,
    LessonCancellation,
    LessonOrigin,
    Membership,
    RollCall,
    School,
    TeachingGroup,
)
from core.queries.lessons import is_given, lessons_of_day
from core.services import audit
from core.services.audit import Actor

MAX_REASON = 200


class Scope(StrEnum):
    ONCE = "once"  # that day only
    FROM = "from"  # from that day on


@dataclass(frozen=True, slots=True)
class LessonChange:
    """What changes (``None``: as it was); ``day`` moves a one-off change to another date."""

    start_minute: int | None = None
    end_minute: int | None = None
    room: str | None = None
    teacher_id: int | None = None
    day: date | None = None


@dataclass(frozen=True, slots=True)
class NewLesson:
    """A lesson added by hand: once on ``day``, or every week (its weekday) from ``day`` on."""

    day: date
    start_minute: int
    end_minute: int
    teacher_id: int
    subject: str
    division_id: int | None = None
    group_id: int | None = None
    room: str = ""
    weekly: bool = False


def _snapshot(lesson: Lesson) -> dict[str, object]:
    return {
        "division": lesson.division_id,
        "group": lesson.group_id,
        "teacher": lesson.teacher_id,
        "subject": lesson.subject,
        "weekday": lesson.weekday,
        "start_minute": lesson.start_minute,
        "end_minute": lesson.end_minute,
        "room": lesson.room,
        "starts_on": lesson.starts_on,
        "ends_on": lesson.ends_on,
        "pattern": lesson.pattern_id,
    }


async def _lesson(school: School, lesson_id: int) -> Lesson:
    lesson = await Lesson.get_or_none(id=lesson_id, school=school)
    if lesson is None:
        raise NotFound(f"no lesson {lesson_id} here")
    return lesson


async def _given(lesson: Lesson, day: date) -> None:
    if not await is_given(lesson, day):
        raise Invalid(
            f"lesson {lesson.id} is not given on {day.isoformat()}",
            code="lesson_not_that_day",
        )


def _times(start: int, end: int) -> None:
    if not 0 <= start < end <= 24 * 60 - 1:
        raise Invalid(f"a lesson from {start} to {end} minutes", code="lesson_times")


async def _teacher(school: School, teacher_id: int) -> None:
    if not await Membership.exists(school=school, user_id=teacher_id):
        raise Invalid(f"user {teacher_id} is not on the school's staff", code="lesson_teacher")


async def _free(
    school: School,
    teacher_id: int,
    day: date,
    start: int,
    end: int,
    ignore: set[int],
) -> None:
    """Refuse a lesson that would overlap another of the teacher's that day."""
    for item in await lessons_of_day(school, day, teacher_id=teacher_id):
        other = item.lesson
        if other.id in ignore:
            continue
        if other.start_minute < end and start < other.end_minute:
            raise Conflict(
                f"the teacher already has lesson {other.id} then",
                code="lesson_overlap",
                day=day.isoformat(),
                start=f"{other.start_minute // 60:02d}:{other.start_minute % 60:02d}",
            )


async def _no_roll_call_from(lesson: Lesson, day: date) -> None:
    if await RollCall.exists(lesson_id=lesson.id, day__gte=day):
        raise Conflict(
            f"lesson {lesson.id} has a roll call on or after {day.isoformat()}",
            code="lesson_has_roll_calls",
            day=day.isoformat(),
        )


def _copy(lesson: Lesson, change: LessonChange) -> Lesson:
    return Lesson(
        school_id=lesson.school_id,
        teacher_id=change.teacher_id or lesson.teacher_id,
        division_id=lesson.division_id,
        group_id=lesson.group_id,
        weekday=lesson.weekday,
        start_minute=lesson.start_minute if change.start_minute is None else change.start_minute,
        end_minute=lesson.end_minute if change.end_minute is None else change.end_minute,
        subject=lesson.subject,
        subject_code=lesson.subject_code,
        room=lesson.room if change.room is None else change.room[:40],
        pattern_id=lesson.pattern_id,
        origin=lesson.origin,
        replaces_id=lesson.id,
    )


async def change_lesson(
    school: School, actor: Actor, lesson_id: int, day: date, scope: Scope, change: LessonChange
) -> Lesson:
    """Move a lesson given on ``day``, that day only or from that day on; returns the lesson
    given instead."""
    async with in_transaction():
        lesson = await _lesson(school, lesson_id)
        await _given(lesson, day)
        new = _copy(lesson, change)
        _times(new.start_minute, new.end_minute)
        if change.teacher_id is not None:
            await _teacher(school, change.teacher_id)
        if scope is Scope.ONCE:
            on = change.day or day
            new.weekday, new.starts_on, new.ends_on = on.weekday(), on, on
            new.pattern_id, new.origin = None, LessonOrigin.MANUAL
            await _free(school, new.teacher_id, on, new.start_minute, new.end_minute, {lesson.id})
            await LessonCancellation.create(school=school, lesson=lesson, day=day, reason="moved")
        else:
            await _no_roll_call_from(lesson, day)
            await _free(school, new.teacher_id, day, new.start_minute, new.end_minute, {lesson.id})
            before_end = lesson.ends_on
            lesson.ends_on = day - timedelta(days=1)
            await lesson.save(update_fields=["ends_on"])
            new.starts_on, new.ends_on = day, before_end
        await new.save()
        await audit.record(
            actor,
            f"lesson.move_{scope.value}",
            new,
            school_id=school.id,
            before=_snapshot(lesson) | {"day": day},
            after=_snapshot(new),
        )
        return new


async def cancel_lesson(
    school: School, actor: Actor, lesson_id: int, day: date, scope: Scope, reason: str = ""
) -> None:
    """Cancel a lesson given on ``day``: that day only, or from that day on."""
    reason = reason.strip()[:MAX_REASON]
    async with in_transaction():
        lesson = await _lesson(school, lesson_id)
        await _given(lesson, day)
        before = _snapshot(lesson)
        if scope is Scope.ONCE:
            if await RollCall.exists(lesson_id=lesson.id, day=day, validated=True):
                raise Conflict(
                    f"lesson {lesson.id} has its roll call on {day.isoformat()}",
                    code="lesson_has_roll_calls",
                    day=day.isoformat(),
                )
            await LessonCancellation.create(school=school, lesson=lesson, day=day, reason=reason)
        else:
            await _no_roll_call_from(lesson, day)
            lesson.ends_on = day - timedelta(days=1)
            await lesson.save(update_fields=["ends_on"])
        after = _snapshot(lesson) | {"cancelled": day, "scope": scope.value, "reason": reason}
        await audit.record(
            actor, "lesson.cancel", lesson, school_id=school.id, before=before, after=after
        )


async def restore_lesson(school: School, actor: Actor, lesson_id: int, day: date) -> None:
    """Give again, that day, a lesson cancelled once."""
    async with in_transaction():
        lesson = await _lesson(school, lesson_id)
        removed = await LessonCancellation.filter(lesson=lesson, day=day).delete()
        if not removed:
            raise NotFound(f"lesson {lesson_id} was not cancelled on {day.isoformat()}")
        await audit.record(actor, "lesson.restore", lesson, school_id=school.id, after={"day": day})


async def add_lesson(school: School, actor: Actor, wanted: NewLesson) -> Lesson:
    """Add a lesson by hand: once, or every week from its day on."""
    _times(wanted.start_minute, wanted.end_minute)
    subject = wanted.subject.strip()[:120]
    if not subject:
        raise Invalid("a lesson needs a subject", code="lesson_subject")
    if (wanted.division_id is None) == (wanted.group_id is None):
        raise Invalid("a lesson is a division's or a group's", code="lesson_students")
    if wanted.division_id is not None and not await Division.exists(
        id=wanted.division_id, school=school
    ):
        raise NotFound(f"no division {wanted.division_id} here")
    if wanted.group_id is not None and not await TeachingGroup.exists(
        id=wanted.group_id, school=school
    ):
        raise NotFound(f"no group {wanted.group_id} here")
    async with in_transaction():
        await _teacher(school, wanted.teacher_id)
        await _free(
            school, wanted.teacher_id, wanted.day, wanted.start_minute, wanted.end_minute, set()
        )
        lesson = await Lesson.create(
            school=school,
            teacher_id=wanted.teacher_id,
            division_id=wanted.division_id,
            group_id=wanted.group_id,
            weekday=wanted.day.weekday(),
            start_minute=wanted.start_minute,
            end_minute=wanted.end_minute,
            subject=subject,
            room=wanted.room.strip()[:40],
            starts_on=wanted.day,
            ends_on=None if wanted.weekly else wanted.day,
            origin=LessonOrigin.MANUAL,
        )
        await audit.record(
            actor, "lesson.add", lesson, school_id=school.id, after=_snapshot(lesson)
        )
        return lesson
