"""One record of a school by its id: another school's id is not found (:class:`NotFound`)."""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model

from core.errors import NotFound
from core.models import Event, Lesson, School, Student

M = TypeVar("M", bound=Model)


async def school_student(school: School, student_id: int) -> Student:
    """The student, only if they belong to ``school`` (another school's id is not found)."""
    student = await Student.get_or_none(id=student_id, school=school)
    if student is None:
        raise NotFound(f"no student {student_id} in school {school.uai}")
    return student


async def school_event(school: School, event_id: int, *, for_update: bool = False) -> Event:
    query = Event.filter(id=event_id, school=school)
    if for_update:
        query = query.select_for_update()
    event = await query.first()
    if event is None:
        raise NotFound("no event here")  # the same words as an event out of the reader's scope
    return event


async def school_lesson(school: School, lesson_id: int) -> Lesson:
    """The lesson, only if it belongs to ``school`` (another school's id is not found)."""
    lesson = (
        await Lesson.filter(id=lesson_id, school=school)
        .prefetch_related("teacher", "division", "group")
        .first()
    )
    if lesson is None:
        raise NotFound(f"no lesson {lesson_id} in school {school.uai}")
    return lesson


async def with_relations(record: M, *relations: str) -> M:
    """``record`` with its ``relations`` loaded from the database (``"reason"``, ``"a__b"``)."""
    await record.fetch_related(*relations)
    return record
