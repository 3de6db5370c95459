"""Lessons as plain values: the days one is given, the diff of a timetable against the stored
lessons, a teacher's overlaps, weekly patterns."""

from __future__ import annotations

from datetime import date, timedelta

from core.rules.lessons import (
    LessonKey,
    every_week,
    monday_of,
    occurs,
    plan_lessons,
    teacher_overlaps,
)

MONDAY = date(2026, 12, 7)
WEEK_A = frozenset({MONDAY, MONDAY + timedelta(days=14)})
WEEK_B = frozenset({MONDAY + timedelta(days=7)})


def key(**changes: object) -> LessonKey:
    base = LessonKey(1, None, "020700", 10, 0, 8 * 60, 9 * 60, None, "A1")
    return base._replace(**changes)


def test_a_lesson_is_given_on_its_weekday_within_its_days_and_weeks() -> None:
    thursday = MONDAY + timedelta(days=3)
    assert monday_of(thursday) == MONDAY
    assert occurs(thursday, 3, None, None, None)
    assert not occurs(thursday, 2, None, None, None)
    assert not occurs(thursday, 3, thursday + timedelta(days=1), None, None)
    assert not occurs(thursday, 3, None, thursday - timedelta(days=1), None)
    assert occurs(thursday, 3, thursday, thursday, None)  # a one-off lesson
    assert occurs(thursday, 3, None, None, WEEK_A)
    assert not occurs(thursday + timedelta(days=7), 3, None, None, WEEK_A)
    assert occurs(thursday + timedelta(days=7), 3, None, None, WEEK_B)
    assert not occurs(thursday, 3, None, None, None, cancelled={thursday})


def test_the_same_lessons_stay_moved_ones_pair_and_the_rest_are_added_or_removed() -> None:
    same, moved_from = key(), key(weekday=2)
    gone = key(division_id=2, subject_code="030201")
    stored = {1: same, 2: moved_from, 3: gone}
    wanted = [same, key(weekday=4, room="B2"), key(division_id=3)]
    plan = plan_lessons(wanted, stored)
    assert plan.unchanged == [1]
    assert plan.moved == [(2, key(weekday=4, room="B2"))]
    assert plan.added == [key(division_id=3)]
    assert plan.removed == [3]
    assert plan_lessons(wanted, {i: k for i, k in enumerate(wanted)}).unchanged == [0, 1, 2]


def test_duplicates_count_once_each() -> None:
    plan = plan_lessons([key(), key()], {1: key()})
    assert plan.unchanged == [1] and plan.added == [key()]


def test_a_teachers_lessons_overlap_only_in_a_common_week() -> None:
    mondays = {1: WEEK_A, 2: WEEK_B}
    a = key(pattern_id=1)
    b = key(pattern_id=2, division_id=2)
    assert teacher_overlaps([a, b], mondays) == []  # week A and week B at the same time
    c = key(division_id=3, start_minute=8 * 60 + 30, end_minute=9 * 60 + 30)
    assert teacher_overlaps([a, c], mondays) == [(a, c)]
    touching = key(division_id=3, start_minute=9 * 60, end_minute=10 * 60)
    assert teacher_overlaps([a, touching], mondays) == []
    other_teacher = key(teacher_id=11)
    assert teacher_overlaps([a, other_teacher], mondays) == []


def test_a_pattern_of_consecutive_mondays_is_every_week() -> None:
    assert every_week([MONDAY + timedelta(days=7 * i) for i in range(10)])
    assert not every_week(WEEK_A)
    assert every_week([])
