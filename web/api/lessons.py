"""A day's lessons: the timetable imported (or edited on the Lessons page) as given that day,
with its roll call."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from core.bounds import MAX_ID, WINDOW, Day, column_length
from core.models import Division, TeachingGroup
from core.queries.lessons import LessonOfDay, lessons_for
from core.rules.permissions import Permission
from web.api.registry import Call, Route

LESSONS = "/schools/{uai}/lessons"


class LessonsQuery(BaseModel):
    """Which lessons: a day, and a division (with its groups' lessons), a group or a teacher."""

    model_config = ConfigDict(extra="forbid")

    date: Day = Field(description=f"YYYY-MM-DD ({WINDOW})")
    division: str | None = Field(
        default=None,
        max_length=column_length(Division, "code"),
        description="a division's code: its lessons and its groups' (with `group` set)",
    )
    group: str | None = Field(
        default=None, max_length=column_length(TeachingGroup, "code"), description="a group's code"
    )
    teacher: int | None = Field(default=None, ge=1, le=MAX_ID, description="a teacher's user id")


class TeacherOut(BaseModel):
    id: int
    name: str = Field(description="« Prénom NOM »")


class RollCallOut(BaseModel):
    taken: bool = Field(description="validated by the teacher (or the vie scolaire)")
    taken_at: datetime | None
    by: str | None = Field(description="who took it")


class LessonOut(BaseModel):
    """One lesson on one day, its times with the school's offset."""

    id: int
    date: date
    start: datetime
    end: datetime
    subject: str
    teacher: TeacherOut
    division: str | None = Field(description="null for a group's lesson")
    group: str | None
    room: str
    roll_call: RollCallOut

    @classmethod
    def of(cls, item: LessonOfDay, tz: ZoneInfo) -> LessonOut:
        lesson, roll = item.lesson, item.roll_call
        taken_by = roll.taken_by if roll is not None else None
        return cls(
            id=lesson.id,
            date=item.day,
            start=item.starts_at.astimezone(tz),
            end=item.ends_at.astimezone(tz),
            subject=lesson.subject,
            teacher=TeacherOut(id=lesson.teacher_id, name=lesson.teacher.known_as),
            division=lesson.division.code if lesson.division else None,
            group=lesson.group.code if lesson.group else None,
            room=lesson.room,
            roll_call=RollCallOut(
                taken=roll is not None,
                taken_at=roll.taken_at.astimezone(tz) if roll and roll.taken_at else None,
                by=taken_by.known_as if taken_by is not None else None,
            ),
        )


class LessonList(BaseModel):
    items: list[LessonOut]


async def list_lessons(call: Call) -> LessonList:
    """The lessons given on a day (week pattern, closed days and cancellations followed);
    a teacher sees their own."""
    query = call.query_as(LessonsQuery)
    teacher = query.teacher
    if (await call.scope()).students is not None:  # a teacher: their own lessons only
        teacher = call.user.id if teacher in (None, call.user.id) else -1
    found = await lessons_for(
        call.school, query.date, division=query.division, group=query.group, teacher_id=teacher
    )
    tz = ZoneInfo(call.school.timezone)
    return LessonList(items=[LessonOut.of(item, tz) for item in found])


ROUTES = [
    Route(
        "GET",
        LESSONS,
        list_lessons,
        summary="A day's lessons with their roll call",
        permission=Permission.READ,
        response=LessonList,
        query=LessonsQuery,
        tag="lessons",
        description="Lessons follow their week pattern (week A, week B…), the school's closed "
        "days and the lessons cancelled or moved on the Lessons page. An unknown code gives "
        "an empty list. A teacher's token lists only that teacher's lessons.",
    ),
]
