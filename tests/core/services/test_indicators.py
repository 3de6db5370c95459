"""The statistics page's figures on a school made from its SIECLE export, against values
counted by hand from the events of tests/core/services/stats_support.py."""

from __future__ import annotations

from datetime import date

from core.models import Division, Enrolment, School, Student
from core.queries.stats_page import Scope, Selection, Span
from core.rules.calendar import Half
from core.rules.counting import CountingMode, EventKind
from core.services.events.record import record_event
from core.services.stats.half_days import check
from core.services.stats.indicators import indicators
from tests.core.services.stats_support import (
    ADMIN,
    FIRST,
    IN_5A,
    LAST,
    NOW,
    TODAY,
    WEEK_LESSONS,
    at,
    stats_world,
)

FIVE_A = Scope("division", "5A", "5A")


def selection(scope: Scope = FIVE_A, kind: EventKind = EventKind.ABSENCE) -> Selection:
    return Selection(Span(FIRST, LAST, "range"), scope, kind, 2026)


async def test_the_figures_of_a_division_over_two_weeks(db: str) -> None:
    world = await stats_world()
    found = await indicators(world.school, selection(), today=TODAY, now=NOW)
    assert found.enrolled == IN_5A
    tally = found.absences
    # ana 2 + 1, ben 1, cleo 9 (the open absence, Monday 23 to Friday 27).
    assert (tally.raw, tally.raw_unjustified) == (13, 12)
    assert (tally.complete, tally.complete_unjustified) == (12, 12)
    assert (tally.half_days(CountingMode.PROPORTIONAL), tally.proportional_unjustified) == (
        12.5,
        12,
    )
    assert tally.seconds == 32_400 + 7_200 + 14_400 + WEEK_LESSONS
    assert tally.seconds_unjustified == 32_400 + 14_400 + WEEK_LESSONS
    assert (found.lateness.count, found.lateness.minutes) == (2, 15)
    assert found.lesson_seconds == IN_5A * 2 * WEEK_LESSONS
    assert found.lost() == tally.seconds / (IN_5A * 2 * WEEK_LESSONS)
    assert found.lost(unjustified=True) == tally.seconds_unjustified / (IN_5A * 2 * WEEK_LESSONS)

    assert [(d.code, d.enrolled, d.absences.raw) for d in found.divisions] == [("5A", IN_5A, 13)]
    # November: cleo alone has 4 unjustified half-days or more (ana 2, ben 1).
    assert found.divisions[0].depp_rate == 1 / IN_5A
    assert [(m, r.enrolled, r.over_threshold) for m, r in found.depp] == [
        ((2026, 9), IN_5A, 0),
        ((2026, 10), IN_5A, 0),
        ((2026, 11), IN_5A, 1),
    ]
    assert found.depp_mean == (1 / IN_5A) / 3

    reasons = {r.code: (r.events, r.half_days, r.unjustified) for r in found.reasons}
    assert reasons == {"": (3, 12, 11), "CONVENANCE": (1, 1, 1)}
    assert found.reasons[0].label == "" and found.reasons[1].label == "Convenance personnelle"

    slots = {(s.weekday, s.half): (s.half_days, s.lessons) for s in found.slots}
    am, pm = Half.MORNING, Half.AFTERNOON
    two_weeks = 2 * IN_5A
    assert slots == {
        (0, am): (2, two_weeks),
        (0, pm): (2, two_weeks),
        (1, am): (2, two_weeks),
        (1, pm): (1, two_weeks),
        (2, am): (2, two_weeks),
        (3, am): (1, two_weeks),
        (3, pm): (1, two_weeks),
        (4, am): (1, two_weeks),
        (4, pm): (1, two_weeks),
    }
    assert [(w.week, w.monday, w.value, w.before) for w in found.weeks] == [
        ((2026, 47), date(2026, 11, 16), 4, None),  # nobody was enrolled a year before
        ((2026, 48), date(2026, 11, 23), 9, None),
    ]
    assert await check(world.school) == []


async def test_the_school_a_level_and_a_student(db: str) -> None:
    world = await stats_world()
    school = await indicators(world.school, selection(Scope()), today=TODAY, now=NOW)
    assert school.enrolled == 415  # the 16 divisions of the export
    assert (school.absences.raw, school.absences.raw_unjustified) == (14, 13)
    assert sorted(d.code for d in school.divisions if d.absences.raw) == ["5A", "6A"]
    level = Scope("level", "10110001110", "5eme")
    fifth = await indicators(world.school, selection(level), today=TODAY, now=NOW)
    assert fifth.enrolled == 25 + 26 + 24 + 26
    assert fifth.absences.raw == 13
    assert [d.code for d in fifth.divisions] == ["5A", "5B", "5C", "5D"]
    one = Scope("student", str(world.ana.id), "ana")
    ana = await indicators(world.school, selection(one), today=TODAY, now=NOW)
    assert (ana.enrolled, ana.absences.raw, ana.absences.raw_unjustified) == (1, 3, 2)
    assert ana.lesson_seconds == 2 * WEEK_LESSONS
    assert [r.over_threshold for _, r in ana.depp] == [0, 0, 0]


async def test_lateness_tables(db: str) -> None:
    world = await stats_world()
    found = await indicators(world.school, selection(kind=EventKind.LATENESS), today=TODAY, now=NOW)
    reasons = {r.code: (r.events, r.minutes) for r in found.reasons}
    assert reasons == {"TRANSPORT": (1, 10), "": (1, 5)}
    late = {(s.weekday, s.half): s.lateness for s in found.slots if s.lateness}
    assert late == {(3, Half.MORNING): 1, (4, Half.AFTERNOON): 1}
    assert [(w.week, w.value) for w in found.weeks] == [((2026, 47), 2), ((2026, 48), 0)]
    assert [(d.code, d.lateness.count, d.lateness.minutes) for d in found.divisions] == [
        ("5A", 2, 15)
    ]


async def test_the_complete_mode_and_the_same_weeks_a_year_before(db: str) -> None:
    world = await stats_world()
    await School.filter(id=world.school.id).update(counting_mode=CountingMode.COMPLETE)
    school = await School.get(id=world.school.id)
    # 5A's students were already there a year before; ana missed Monday 17 November 2025
    # (week 47) and the morning of Tuesday 25 November 2025 until 10:00 (not complete).
    five_a = await Division.get(school=school, code="5A")
    for student in await Student.filter(division=five_a):
        await Enrolment.create(
            student=student, division=five_a, starts_on=date(2025, 9, 1), ends_on=date(2026, 7, 4)
        )
    for start, end in ((at(17, "08:00"), at(17, "17:00")), (at(25, "08:00"), at(25, "10:00"))):
        await record_event(
            school,
            ADMIN,
            student_id=world.ana.id,
            kind=EventKind.ABSENCE,
            start=start.replace(year=2025),
            end=end.replace(year=2025),
            now=NOW,
        )
    found = await indicators(school, selection(), today=TODAY, now=NOW)
    assert found.mode == CountingMode.COMPLETE
    assert found.divisions[0].absences.half_days(CountingMode.COMPLETE) == 12
    assert found.enrolled_before == IN_5A
    assert [(w.week, w.value, w.before) for w in found.weeks] == [
        ((2026, 47), 3, 2),  # ana's Tuesday 17 (2 hours of the morning) no longer counts
        ((2026, 48), 9, 0),
    ]
