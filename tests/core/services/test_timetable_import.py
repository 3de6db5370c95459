"""The timetable import as a diff, on a school created from its own SIECLE export: every
lesson of the sample with its week pattern, teachers created or matched, re-imports that
change nothing, moves, refusals, and the teachers' roll calls on any date."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from core.errors import Invalid
from core.models import (
    AuditEntry,
    Lesson,
    LessonOrigin,
    Membership,
    Role,
    School,
    TeachingGroup,
    User,
    WeekPattern,
)
from core.queries.lessons import lessons_of_day
from core.services.audit import Actor
from core.services.events.roll_call import take_roll_call
from core.services.siecle.importer import import_siecle
from core.services.timetable.importer import import_timetable
from core.siecle.files import load_export
from core.timetable import TimetableError, TimetableExport, load_timetable
from core.timetable.summary import TimetableSummary

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SIECLE = FIXTURES / "siecle" / "college-jean-moulin-2026"
EDT = FIXTURES / "edt" / "college-jean-moulin"
EXPECTED = json.loads((EDT / "expected.json").read_text(encoding="utf-8"))
UAI = "0751234X"
SEPTEMBER = date(2026, 9, 22)
ADMIN = Actor.system("admin@college.example")
WEEK_A_MONDAY, WEEK_B_MONDAY = date(2026, 12, 7), date(2026, 12, 14)


@pytest.fixture
async def school(db: str) -> School:
    await import_siecle(load_export([SIECLE]), ADMIN, today=SEPTEMBER)
    return await School.get(uai=UAI)


def export() -> TimetableExport:
    return load_timetable([EDT])


async def run(timetable: TimetableExport, **options: Any) -> TimetableSummary:
    options.setdefault("today", SEPTEMBER)
    options.setdefault("school_uai", UAI)
    return await import_timetable(timetable, ADMIN, **options)


def counts(summary: TimetableSummary, kind: str) -> tuple[int, int, int, int]:
    c = summary.counts[kind]
    return c.created, c.updated, c.unchanged, c.removed


async def test_the_sample_gives_every_lesson_and_teacher_and_twice_changes_nothing(
    school: School,
) -> None:
    summary = await run(export())
    assert counts(summary, "patterns") == (3, 0, 0, 0)
    assert counts(summary, "staff") == (30, 0, 0, 0)
    assert counts(summary, "lessons") == (len(EXPECTED["lessons"]), 0, 0, 0)
    assert summary.unknown == [] and summary.overlaps == []
    assert len(summary.to_place) == EXPECTED["staff_not_teaching"]
    assert {p["function"] for p in summary.to_place} <= {"DIR", "EDU", "DOC", "ADM", "SUR"}
    members = await Membership.filter(school=school, role=Role.TEACHER).prefetch_related("user")
    assert {m.sts_id: m.user.display_name for m in members} == EXPECTED["teachers"]
    assert all(m.user.email is None and m.user.password_hash == "" for m in members)
    lessons = await Lesson.filter(school=school).prefetch_related("pattern", "group", "division")
    assert all(lesson.origin == LessonOrigin.TIMETABLE for lesson in lessons)
    stored = Counter(
        (
            lesson.division.code if lesson.division else None,
            lesson.group.code if lesson.group else None,
            lesson.subject_code,
            lesson.weekday + 1,
            f"{lesson.start_minute // 60:02d}:{lesson.start_minute % 60:02d}",
            lesson.end_minute - lesson.start_minute,
            lesson.pattern.code if lesson.pattern else None,
            lesson.room,
        )
        for lesson in lessons
    )
    wanted = Counter(
        (
            x["division"],
            x["group"],
            x["subject"],
            x["day"],
            x["start"],
            x["minutes"],
            x["pattern"],
            x["room"],
        )
        for x in EXPECTED["lessons"]
    )
    assert stored == wanted
    patterns = {p.code: p.mondays for p in await WeekPattern.filter(school=school)}
    assert patterns == EXPECTED["weeks"]

    audit_rows = await AuditEntry.filter(school=school).count()
    again = await run(export())
    assert again.changes == 0
    assert counts(again, "lessons") == (0, 0, len(EXPECTED["lessons"]), 0)
    assert again.added == again.moved == again.removed == []
    assert await AuditEntry.filter(school=school).count() == audit_rows + 1  # the import's row


async def test_a_teachers_day_follows_the_week_pattern_and_the_roll_call_takes_it(
    school: School,
) -> None:
    await run(export())
    alternating = [x for x in EXPECTED["lessons"] if x["pattern"] == "Q1"]
    teacher_sts = alternating[0]["teacher"]
    member = await Membership.get(school=school, sts_id=teacher_sts)
    for monday, code in ((WEEK_A_MONDAY, "Q1"), (WEEK_B_MONDAY, "Q2")):
        for offset in range(5):
            day = monday.fromordinal(monday.toordinal() + offset)
            found = await lessons_of_day(school, day, teacher_id=member.user_id)
            expected = sorted(
                x["start"]
                for x in EXPECTED["lessons"]
                if x["teacher"] == teacher_sts
                and x["day"] == offset + 1
                and x["pattern"] in ("H", code)
            )
            starts = sorted(i.lesson.start_minute for i in found)
            assert [f"{m // 60:02d}:{m % 60:02d}" for m in starts] == expected
    lesson = await Lesson.get(
        school=school,
        teacher_id=member.user_id,
        pattern__code="Q1",
        weekday=alternating[0]["day"] - 1,
    )
    week_a_day = WEEK_A_MONDAY.fromordinal(WEEK_A_MONDAY.toordinal() + lesson.weekday)
    week_b_day = WEEK_B_MONDAY.fromordinal(WEEK_B_MONDAY.toordinal() + lesson.weekday)
    teacher = Actor(member.user_id, "prof")
    later = datetime(2026, 12, 20, 18, tzinfo=UTC)
    done = await take_roll_call(
        school, teacher, lesson.id, week_a_day, [], own_only=True, now=later
    )
    assert done.roll_call.validated
    with pytest.raises(Invalid) as refused:
        await take_roll_call(school, teacher, lesson.id, week_b_day, [], own_only=True, now=later)
    assert refused.value.code == "lesson_not_that_day"


async def test_a_dry_run_changes_nothing(school: School) -> None:
    summary = await run(export(), dry_run=True)
    assert summary.dry_run and summary.counts["lessons"].created == len(EXPECTED["lessons"])
    assert await Lesson.filter(school=school).count() == 0
    assert await Membership.filter(school=school, role=Role.TEACHER).count() == 0


async def test_another_schools_or_years_files_are_refused_whole(school: School) -> None:
    with pytest.raises(TimetableError) as other:
        await run(export(), school_uai="0699999Z")
    assert other.value.code == "timetable_other_school"
    with pytest.raises(TimetableError) as year:
        await run(replace(export(), school_year=2025))
    assert year.value.code == "timetable_year"
    assert "2025-2026" in year.value.message
    assert await Lesson.filter(school=school).count() == 0
    forced = await run(replace(export(), school_year=2025), force_year=True)
    assert forced.counts["lessons"].created == len(EXPECTED["lessons"])


async def test_a_school_not_yet_imported_is_told_to_import_siecle_first(db: str) -> None:
    with pytest.raises(TimetableError) as missing:
        await run(export())
    assert missing.value.code == "timetable_no_school"


async def test_a_teacher_is_matched_by_name_and_keeps_their_account(school: School) -> None:
    sts_id, name = next(iter(EXPECTED["teachers"].items()))
    first, last = name.split(" ", 1)
    user = await User.create(email="prof@college.example", display_name=f"{last.title()} {first}")
    await Membership.create(user=user, school=school, role=Role.TEACHER)
    summary = await run(export())
    assert summary.teachers_matched == [
        {"sts_id": sts_id, "name": name, "user_id": user.id, "by": "name"}
    ]
    assert counts(summary, "staff") == (29, 1, 0, 0)
    member = await Membership.get(school=school, user=user)
    assert member.sts_id == sts_id
    assert await Lesson.filter(school=school, teacher=user).count() == sum(
        1 for x in EXPECTED["lessons"] if x["teacher"] == sts_id
    )
    again = await run(export())
    assert again.teachers_matched == [] and again.changes == 0


async def test_a_moved_lesson_keeps_its_past_roll_calls(school: School) -> None:
    await run(export())
    timetable = export()
    course = next(c for c in timetable.courses if c.pattern == "H" and c.division)
    lesson = await Lesson.get(
        school=school,
        division__code=course.division,
        subject_code=course.subject,
        weekday=course.weekday - 1,
        start_minute=course.start.hour * 60 + course.start.minute,
        room=course.room,
    )
    taught = date(2026, 9, 7 + course.weekday - 1)
    teacher = Actor(lesson.teacher_id, "prof")
    await take_roll_call(
        school, teacher, lesson.id, taught, [], now=datetime(2026, 9, 20, tzinfo=UTC)
    )
    moved = replace(course, start=time(17, 0), room="B01")
    timetable.courses = [moved if c is course else c for c in timetable.courses]
    summary = await run(timetable)
    assert counts(summary, "lessons") == (0, 1, len(EXPECTED["lessons"]) - 1, 0)
    [change] = summary.moved
    assert change["to"]["start"] == "17:00" and change["to"]["room"] == "B01"
    assert change["from"]["start"] == course.start.strftime("%H:%M")
    await lesson.refresh_from_db()
    assert lesson.ends_on == date(2026, 9, 21)  # the day before the import took effect
    successor = await Lesson.get(replaces_id=lesson.id)
    assert (successor.start_minute, successor.room, successor.starts_on) == (
        17 * 60,
        "B01",
        SEPTEMBER,
    )
    on_the_day = await lessons_of_day(school, taught, teacher_id=lesson.teacher_id)
    assert lesson.id in [i.lesson.id for i in on_the_day]
    assert successor.id not in [i.lesson.id for i in on_the_day]
    again = await run(timetable)
    assert again.changes == 0


async def test_unknown_groups_are_reported_and_overlaps_listed(school: School) -> None:
    await TeachingGroup.filter(school=school, code="5_ESP").update(active=False)
    timetable = export()
    course = next(c for c in timetable.courses if c.division and c.pattern == "H")
    timetable.courses.append(replace(course, division="3B" if course.division != "3B" else "3C"))
    summary = await run(timetable)
    skipped = sum(1 for x in EXPECTED["lessons"] if x["group"] == "5_ESP")
    assert summary.unknown == [{"kind": "group", "code": "5_ESP", "lessons": skipped}]
    assert summary.counts["lessons"].created == len(EXPECTED["lessons"]) - skipped + 1
    [overlap] = summary.overlaps
    assert overlap["first"]["start"] == course.start.strftime("%H:%M")
    assert overlap["teacher"] == EXPECTED["teachers"][course.teacher]


async def test_a_lesson_no_longer_in_the_files_ends_or_goes(school: School) -> None:
    await run(export())
    timetable = export()
    gone, kept = timetable.courses[0], timetable.courses[1:]
    timetable.courses = kept
    summary = await run(timetable)
    assert counts(summary, "lessons") == (0, 0, len(kept), 1)
    assert summary.removed[0]["start"] == gone.start.strftime("%H:%M")
    assert await Lesson.filter(school=school).count() == len(kept)


async def test_a_new_export_changes_the_weeks_to_come_not_the_weeks_given(school: School) -> None:
    """An export of December lists week A from then on; the weeks of A already given stay, so
    September's lessons (and their roll calls) are still there; a later week changes."""
    await run(export())
    [code_a] = [
        c
        for c, p in export().patterns.items()
        if WEEK_A_MONDAY in p.mondays and WEEK_B_MONDAY not in p.mondays
    ]
    stored = await WeekPattern.get(school=school, code=code_a)
    september = [m for m in stored.mondays if m < "2026-10-01"]
    assert september
    timetable = export()
    pattern = timetable.patterns[code_a]
    later = tuple(m for m in pattern.mondays if m > WEEK_A_MONDAY)
    timetable.patterns[code_a] = replace(pattern, mondays=later)
    summary = await run(timetable, today=WEEK_A_MONDAY)
    assert counts(summary, "patterns")[1] == 1
    await stored.refresh_from_db()
    assert september == [m for m in stored.mondays if m < "2026-10-01"]
    assert WEEK_A_MONDAY.isoformat() not in stored.mondays
    assert [m for m in stored.mondays if m > WEEK_A_MONDAY.isoformat()] == [
        m.isoformat() for m in later
    ]
