"""The lessons of a day with their instants and whether their roll call was validated."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from core.models import (
    Division,
    Lesson,
    LessonCancellation,
    Membership,
    Role,
    RollCall,
    School,
    TeachingGroup,
)
from core.models.school import minutes_to_time
from core.queries.calendar import load_calendar
from core.rules.calendar import SchoolCalendar, half_of
from core.rules.lessons import occurs

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
    roll_call: RollCall | None = None  # the validated roll call, with who took it
    cancelled: bool = False  # cancelled that day (listed only when asked for)

    def started(self, now: datetime) -> bool:
        return self.starts_at - EARLY <= now

    def current(self, now: datetime) -> bool:
        return self.starts_at - EARLY <= now < self.ends_at


def of_day(
    calendar: SchoolCalendar, lesson: Lesson, day: date, roll_call: RollCall | None = None
) -> LessonOfDay:
    """The lesson on ``day``: its instants in the school's zone."""
    starts = calendar.to_utc(day, minutes_to_time(lesson.start_minute))
    ends = calendar.to_utc(day, minutes_to_time(lesson.end_minute))
    return LessonOfDay(lesson, day, starts, ends, roll_call is not None, roll_call)


def given_on(lesson: Lesson, day: date, cancelled: frozenset[int] = frozenset()) -> bool:
    """Whether the lesson (its ``pattern`` fetched) is given on ``day``: its weekday, its
    first and last day, a week of its pattern, not cancelled (``cancelled``: lesson ids)."""
    pattern = lesson.pattern
    mondays = None if pattern is None else {date.fromisoformat(d) for d in pattern.mondays}
    return lesson.id not in cancelled and occurs(
        day, lesson.weekday, lesson.starts_on, lesson.ends_on, mondays
    )


async def is_given(lesson: Lesson, day: date) -> bool:
    """:func:`given_on`, reading the lesson's pattern and its cancellation that day."""
    await lesson.fetch_related("pattern")
    cancelled = await LessonCancellation.exists(lesson_id=lesson.id, day=day)
    return not cancelled and given_on(lesson, day)


def running_on(day: date) -> Q:
    """The lessons whose first and last days hold ``day``."""
    return (Q(starts_on__isnull=True) | Q(starts_on__lte=day)) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )


def is_open(calendar: SchoolCalendar, item: LessonOfDay) -> bool:
    """Whether the lesson's half-day is not closed."""
    return not calendar.is_closed(half_of(item.starts_at, calendar.tz, calendar.midday))


async def lessons_of_day(
    school: School,
    day: date,
    *,
    teacher_id: int | None = None,
    division_ids: list[int] | None = None,
    group_ids: list[int] | None = None,
    with_cancelled: bool = False,
) -> list[LessonOfDay]:
    """The lessons given on ``day`` (one teacher's, some divisions' or groups', or everyone's)
    by start: their week pattern, first and last day and cancellations followed (with
    ``with_cancelled``, the ones cancelled that day too, marked); closed half-days drop."""
    query = Lesson.filter(running_on(day), school=school, weekday=day.weekday())
    if teacher_id is not None:
        query = query.filter(teacher_id=teacher_id)
    if division_ids is not None or group_ids is not None:
        query = query.filter(
            Q(division_id__in=division_ids or [0]) | Q(group_id__in=group_ids or [0])
        )
    lessons = await query.prefetch_related("teacher", "division", "group", "pattern").order_by(
        "start_minute", "id"
    )
    calendar = await load_calendar(school)
    ids: list[Any] = await LessonCancellation.filter(school=school, day=day).values_list(
        "lesson_id", flat=True
    )
    cancelled = frozenset(int(i) for i in ids)
    taken = {
        row.lesson_id: row
        for row in await RollCall.filter(school=school, day=day, validated=True).prefetch_related(
            "taken_by"
        )
    }
    found = [
        of_day(calendar, lesson, day, taken.get(lesson.id))
        for lesson in lessons
        if given_on(lesson, day, cancelled)
    ]
    if with_cancelled:
        found += [
            replace(of_day(calendar, lesson, day), cancelled=True)
            for lesson in lessons
            if lesson.id in cancelled and given_on(lesson, day)
        ]
        found.sort(key=lambda item: (item.lesson.start_minute, item.lesson.id))
    return [item for item in found if is_open(calendar, item)]


async def missing_roll_calls(school: School, day: date, now: datetime) -> list[LessonOfDay]:
    """Lessons of ``day`` that have started by ``now`` and have no validated roll call."""
    return [
        item
        for item in await lessons_of_day(school, day)
        if item.starts_at <= now and not item.taken
    ]


async def lessons_for(
    school: School,
    day: date,
    *,
    division: str | None = None,
    group: str | None = None,
    teacher_id: int | None = None,
    with_cancelled: bool = False,
) -> list[LessonOfDay]:
    """The lessons of ``day`` of a division (its groups' lessons too), a group, a teacher, or
    all of them; an unknown code gives none."""
    division_ids: list[int] | None = None
    group_ids: list[int] | None = None
    if division is not None:
        found = await Division.get_or_none(school=school, code=division)
        division_ids = [found.id] if found else []
        ids: list[Any] = (
            await TeachingGroup.filter(school=school, divisions__id=found.id).values_list(
                "id", flat=True
            )
            if found
            else []
        )
        group_ids = [int(i) for i in ids]
    if group is not None:
        chosen = await TeachingGroup.get_or_none(school=school, code=group)
        wanted = [chosen.id] if chosen else []
        # with a division too: that group's lessons if its pupils come from the division
        group_ids = wanted if group_ids is None else [i for i in group_ids if i in wanted]
        division_ids = []
    return await lessons_of_day(
        school,
        day,
        teacher_id=teacher_id,
        division_ids=division_ids,
        group_ids=group_ids,
        with_cancelled=with_cancelled,
    )


async def teaching_staff(school: School) -> list[tuple[int, str]]:
    """(user id, name) of the school's teachers and of anyone who has a lesson, by name."""
    members = await Membership.filter(school=school).prefetch_related("user")
    with_lessons: list[Any] = await Lesson.filter(school=school).values_list(
        "teacher_id", flat=True
    )
    ids = {int(i) for i in with_lessons}
    found = [
        (m.user_id, m.user.known_as) for m in members if m.role == Role.TEACHER or m.user_id in ids
    ]
    return sorted(found, key=lambda pair: (pair[1].casefold(), pair[0]))
