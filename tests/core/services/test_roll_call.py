"""The roll call service: marks become events in one transaction, never twice; missing ones."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cli.demo.lessons import add_demo_lessons
from core.errors import Forbidden, Invalid, NotFound
from core.models import (
    AuditEntry,
    ClosedDay,
    Division,
    Event,
    EventSource,
    Lesson,
    Membership,
    Role,
    RollCall,
    School,
    Student,
    TeachingGroup,
    User,
)
from core.queries.calendar import load_calendar
from core.queries.lessons import lessons_of_day, missing_roll_calls
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import record_event
from core.services.events.roll_call import (
    Mark,
    Marked,
    MarkKind,
    lesson_students,
    marked_in_lesson,
    take_roll_call,
)
from tests.core.services.conftest import MONDAY

PARIS = ZoneInfo("Europe/Paris")
AFTER_SCHOOL = datetime(2026, 3, 2, 18, 0, tzinfo=PARIS)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=PARIS)


async def _teacher(school: School, email: str) -> User:
    user = await User.create(email=email, display_name=email.split("@")[0])
    await Membership.create(user=user, school=school, role=Role.TEACHER)
    return user


@pytest.fixture
async def teacher(school_a: School) -> User:
    return await _teacher(school_a, "prof@alpha.example")


@pytest.fixture
async def lesson(school_a: School, teacher: User, pupil: Student, classmate: Student) -> Lesson:
    """Maths with 5B (Léa and Hugo), Monday 10:00–11:00."""
    division = await Division.create(school=school_a, code="5B")
    for student in (pupil, classmate):
        student.division = division
        await student.save()
    return await Lesson.create(
        school=school_a,
        teacher=teacher,
        division=division,
        weekday=0,
        start_minute=600,
        end_minute=660,
        subject="Maths",
    )


async def test_each_mark_becomes_an_event_from_the_roll_call(
    school_a: School, teacher: User, lesson: Lesson, pupil: Student, classmate: Student
) -> None:
    marks = [Mark(pupil.id, MarkKind.ABSENT), Mark(classmate.id, MarkKind.LATE, time(10, 12))]
    result = await take_roll_call(
        school_a, Actor.of(teacher), lesson.id, MONDAY, marks, own_only=True, now=AFTER_SCHOOL
    )
    assert result.skipped == []
    events = await Event.filter(source=EventSource.ROLL_CALL).order_by("kind")
    assert [(e.student_id, e.kind, e.starts_at, e.ends_at) for e in events] == [
        (pupil.id, EventKind.ABSENCE, at(10), at(11)),
        (classmate.id, EventKind.LATENESS, at(10), at(10, 12)),
    ]
    assert all(e.recorded_by_id == teacher.id for e in events)  # type: ignore[attr-defined]
    roll = await RollCall.get(lesson=lesson, day=MONDAY)
    assert roll.validated and roll.taken_by_id == teacher.id
    audit = await AuditEntry.get(action="roll_call.take")
    assert audit.after == {
        "lesson": lesson.id,
        "day": "2026-03-02",
        "events": [e.id for e in result.recorded],
        "skipped": [],
    }


async def test_a_retake_knows_who_is_absent_late_with_the_arrival_or_gone(
    school_a: School, teacher: User, lesson: Lesson, pupil: Student, classmate: Student
) -> None:
    marks = [Mark(pupil.id, MarkKind.LATE, time(10, 12)), Mark(classmate.id, MarkKind.ABSENT)]
    await take_roll_call(school_a, Actor.of(teacher), lesson.id, MONDAY, marks, now=AFTER_SCHOOL)
    calendar = await load_calendar(school_a)
    [item] = await lessons_of_day(school_a, MONDAY)
    marked = await marked_in_lesson(item, [pupil.id, classmate.id], calendar)
    assert marked == {
        pupil.id: Marked(MarkKind.LATE, time(10, 12)),
        classmate.id: Marked(MarkKind.ABSENT),
    }


async def test_a_student_who_left_class_is_recorded_from_the_time_they_left(
    school_a: School, teacher: User, lesson: Lesson, pupil: Student
) -> None:
    marks = [Mark(pupil.id, MarkKind.LEFT, time(10, 40))]
    await take_roll_call(school_a, Actor.of(teacher), lesson.id, MONDAY, marks, now=AFTER_SCHOOL)
    event = await Event.get(student_id=pupil.id)
    assert (event.kind, event.starts_at, event.ends_at) == (
        EventKind.LEFT_CLASS,
        at(10, 40),
        at(11),
    )


async def test_an_absence_from_a_lesson_shorter_than_the_lateness_threshold_is_a_lateness(
    school_a: School, teacher: User, lesson: Lesson, pupil: Student, classmate: Student
) -> None:
    lesson.end_minute = 620  # 10:00-10:20, below the 30 minutes of the default setting
    await lesson.save()
    marks = [Mark(pupil.id, MarkKind.ABSENT)]
    await take_roll_call(school_a, Actor.of(teacher), lesson.id, MONDAY, marks, now=AFTER_SCHOOL)
    event = await Event.get(student_id=pupil.id)
    assert (event.kind, event.starts_at, event.ends_at) == (EventKind.LATENESS, at(10), at(10, 20))
    school_a.lateness_threshold_minutes = 15
    await school_a.save()
    marks = [Mark(classmate.id, MarkKind.ABSENT)]
    await take_roll_call(school_a, Actor.of(teacher), lesson.id, MONDAY, marks, now=AFTER_SCHOOL)
    assert (await Event.get(student_id=classmate.id)).kind == EventKind.ABSENCE


async def test_a_student_already_absent_is_not_recorded_twice(
    school_a: School, cpe_actor: Actor, teacher: User, lesson: Lesson, pupil: Student
) -> None:
    desk = (
        await record_event(
            school_a,
            cpe_actor,
            student_id=pupil.id,
            kind=EventKind.ABSENCE,
            start=at(8),
            end=at(12),
        )
    ).event
    marks = [Mark(pupil.id, MarkKind.ABSENT)]
    result = await take_roll_call(
        school_a, Actor.of(teacher), lesson.id, MONDAY, marks, now=AFTER_SCHOOL
    )
    assert result.skipped == [pupil.id] and result.recorded == []
    assert [e.id for e in await Event.filter(student_id=pupil.id)] == [desk.id]
    again = await take_roll_call(
        school_a, Actor.of(teacher), lesson.id, MONDAY, marks, now=AFTER_SCHOOL
    )
    assert again.roll_call.id == result.roll_call.id  # one roll call per lesson and day


async def test_one_bad_mark_records_nothing(
    school_a: School, teacher: User, lesson: Lesson, pupil: Student, classmate: Student
) -> None:
    marks = [Mark(pupil.id, MarkKind.ABSENT), Mark(classmate.id, MarkKind.LATE, time(11, 30))]
    with pytest.raises(Invalid, match="outside the lesson"):
        await take_roll_call(
            school_a, Actor.of(teacher), lesson.id, MONDAY, marks, now=AFTER_SCHOOL
        )
    assert not await Event.exists() and not await RollCall.exists()


async def test_a_failure_after_some_events_rolls_everything_back(
    school_a: School, teacher: User, lesson: Lesson, pupil: Student, classmate: Student
) -> None:
    # After the timetable's last slot: Léa's lateness is written, then Hugo's absence touches no
    # lesson time and is refused, which must take Léa's lateness and the roll call back too.
    lesson.start_minute, lesson.end_minute = 17 * 60 + 30, 18 * 60
    await lesson.save()
    marks = [Mark(pupil.id, MarkKind.LATE, time(17, 40)), Mark(classmate.id, MarkKind.ABSENT)]
    with pytest.raises(Invalid, match="no lesson of the school's timetable"):
        await take_roll_call(
            school_a, Actor.of(teacher), lesson.id, MONDAY, marks, now=AFTER_SCHOOL
        )
    assert await Event.filter(source=EventSource.ROLL_CALL).count() == 0
    assert not await RollCall.exists()


async def test_a_teacher_may_only_take_their_own_lessons(
    school_a: School, lesson: Lesson, pupil: Student
) -> None:
    other = await _teacher(school_a, "other@alpha.example")
    marks = [Mark(pupil.id, MarkKind.ABSENT)]
    with pytest.raises(Forbidden):
        await take_roll_call(
            school_a, Actor.of(other), lesson.id, MONDAY, marks, own_only=True, now=AFTER_SCHOOL
        )
    assert not await Event.exists()


async def test_marks_must_name_students_of_the_lesson(
    school_a: School, teacher: User, lesson: Lesson
) -> None:
    stranger = await Student.create(school=school_a, last_name="Loin", first_name="Zoé")
    with pytest.raises(Invalid, match="each student of the lesson"):
        await take_roll_call(
            school_a,
            Actor.of(teacher),
            lesson.id,
            MONDAY,
            [Mark(stranger.id, MarkKind.ABSENT)],
            now=AFTER_SCHOOL,
        )


async def test_a_lesson_that_has_not_started_or_another_day_is_refused(
    school_a: School, teacher: User, lesson: Lesson, pupil: Student
) -> None:
    marks = [Mark(pupil.id, MarkKind.ABSENT)]
    actor = Actor.of(teacher)
    with pytest.raises(Invalid, match="not started"):
        await take_roll_call(school_a, actor, lesson.id, MONDAY, marks, now=at(9, 30))
    with pytest.raises(Invalid, match="not given"):
        await take_roll_call(
            school_a, actor, lesson.id, MONDAY + timedelta(days=1), marks, now=AFTER_SCHOOL
        )
    # ten minutes before the bell is fine
    await take_roll_call(school_a, actor, lesson.id, MONDAY, marks, now=at(9, 50))


async def test_another_schools_lesson_is_not_found(
    school_a: School, school_b: School, teacher: User, lesson: Lesson
) -> None:
    with pytest.raises(NotFound):
        await take_roll_call(school_b, Actor.of(teacher), lesson.id, MONDAY, [], now=AFTER_SCHOOL)


async def test_missing_roll_calls_are_the_started_lessons_without_one(
    school_a: School, teacher: User, lesson: Lesson, pupil: Student
) -> None:
    later = await Lesson.create(
        school=school_a,
        teacher=teacher,
        division_id=lesson.division_id,
        weekday=0,
        start_minute=14 * 60,
        end_minute=15 * 60,
    )
    missing = await missing_roll_calls(school_a, MONDAY, at(10, 5))
    assert [m.lesson.id for m in missing] == [lesson.id]
    assert [m.lesson.id for m in await missing_roll_calls(school_a, MONDAY, AFTER_SCHOOL)] == [
        lesson.id,
        later.id,
    ]
    await take_roll_call(school_a, Actor.of(teacher), lesson.id, MONDAY, [], now=AFTER_SCHOOL)
    missing = await missing_roll_calls(school_a, MONDAY, AFTER_SCHOOL)
    assert [m.lesson.id for m in missing] == [later.id]
    await ClosedDay.create(school=school_a, day=MONDAY, half="pm", label="Journée pédagogique")
    assert await missing_roll_calls(school_a, MONDAY, AFTER_SCHOOL) == []


async def test_lessons_of_a_day_and_students_of_a_group(
    school_a: School, teacher: User, pupil: Student, classmate: Student
) -> None:
    latin = await TeachingGroup.create(school=school_a, code="LATIN")
    await pupil.groups.add(latin)
    lesson = await Lesson.create(
        school=school_a, teacher=teacher, group=latin, weekday=0, start_minute=480, end_minute=540
    )
    assert [s.id for s in await lesson_students(lesson)] == [pupil.id]
    other = await _teacher(school_a, "other@alpha.example")
    assert await lessons_of_day(school_a, MONDAY, teacher_id=other.id) == []
    found = await lessons_of_day(school_a, MONDAY, teacher_id=teacher.id)
    assert [(f.lesson.id, f.starts_at, f.taken) for f in found] == [(lesson.id, at(8), False)]


async def test_the_demo_gives_each_teacher_lessons_that_never_clash(school_a: School) -> None:
    for code in ("6A", "5B", "4C"):
        await Division.create(school=school_a, code=code)
    first = await _teacher(school_a, "t1@alpha.example")
    second = await _teacher(school_a, "t2@alpha.example")
    count = await add_demo_lessons(school_a)
    lessons = await Lesson.filter(school=school_a)
    assert count == len(lessons) > 0
    for teacher in (first, second):
        mine = [(x.weekday, x.start_minute) for x in lessons if x.teacher_id == teacher.id]
        assert len(mine) == len(set(mine)) and {day for day, _ in mine} == set(range(5))
    taught = [(x.division_id, x.weekday, x.start_minute) for x in lessons]
    assert len(taught) == len(set(taught))
