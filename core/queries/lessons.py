"""The lessons of a day with their instants and whether their roll call was validated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from core.models import Lesson, RollCall, School
from core.models.school import minutes_to_time
from core.queries.calendar import load_calendar
from core.rules.calendar import SchoolCalendar, half_of

# A teacher may open the roll call a little before the bell.
EARLY = timedelta(minutes=10)


@dataclass(frozen=True)
class LessonOfDay:
    """A lesson on a given day, with its instants and whether its roll call was validated."""

    lesson: Lesson
    day: date
    starts_at: datetime
    ends_at: datetime
    taken: bool

    def started(self, now: datetime) -> bool:
        return self.starts_at - EARLY <= now

    def current(self, now: datetime) -> bool:
        return self.starts_at - EARLY <= now < self.ends_at


def of_day(calendar: SchoolCalendar, lesson: Lesson, day: date, taken: bool) -> LessonOfDay:
    """The lesson on ``day``: its instants in the school's zone."""
    starts = calendar.to_utc(day, minutes_to_time(lesson.start_minute))
    ends = calendar.to_utc(day, minutes_to_time(lesson.end_minute))
    return LessonOfDay(lesson, day, starts, ends, taken)


def is_open(calendar: SchoolCalendar, item: LessonOfDay) -> bool:
    """Whether the lesson's half-day is not closed."""
    return not calendar.is_closed(half_of(item.starts_at, calendar.tz, calendar.midday))


async def lessons_of_day(
    school: School, day: date, *, teacher_id: int | None = None
) -> list[LessonOfDay]:
    """The lessons of ``day`` (one teacher's, or everyone's) by start; closed half-days drop."""
    query = Lesson.filter(school=school, weekday=day.weekday())
    if teacher_id is not None:
        query = query.filter(teacher_id=teacher_id)
    lessons = await query.prefetch_related("teacher", "division", "group").order_by(
        "start_minute", "id"
    )
    calendar = await load_calendar(school)
    taken_ids: list[Any] = await RollCall.filter(
        school=school, day=day, validated=True
    ).values_list("lesson_id", flat=True)
    taken = {int(i) for i in taken_ids}
    found = [of_day(calendar, lesson, day, lesson.id in taken) for lesson in lessons]
    return [item for item in found if is_open(calendar, item)]


async def missing_roll_calls(school: School, day: date, now: datetime) -> list[LessonOfDay]:
    """Lessons of ``day`` that have started by ``now`` and have no validated roll call."""
    return [
        item
        for item in await lessons_of_day(school, day)
        if item.starts_at <= now and not item.taken
    ]
