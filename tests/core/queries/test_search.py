"""Searching events for follow-up: every criterion, the states, sorting, pages, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Invalid
from core.models import DivisionSet, Lesson, Notice
from core.queries import Scope, reader_scope, search_events
from core.queries.search import SearchCriteria, parse_criteria
from tests.core.queries.conftest import MONDAY, Data


async def found(data: Data, **criteria: object) -> list[str]:
    """The names (fixture keys) of the events found, in the order given."""
    names = {e.id: k for k, e in data.events.items()}
    page = await search_events(data.school, parse_criteria(criteria))
    return [names.get(row.id, f"?{row.id}") for row in page.items]


async def test_everything_of_the_school_newest_first_without_mistakes(data: Data) -> None:
    assert await found(data) == ["leo_late", "ines_wed", "marie_tue", "marie_mon"]


async def test_by_student_id_or_name_prefix(data: Data) -> None:
    assert await found(data, student_id=data.sid("marie")) == ["marie_tue", "marie_mon"]
    assert await found(data, student="dup") == ["leo_late", "marie_tue", "marie_mon"]
    assert await found(data, student="dupont mar") == ["marie_tue", "marie_mon"]
    assert await found(data, student="jean") == []  # another school's student


async def test_by_division_group_and_set(data: Data) -> None:
    assert await found(data, division="4A") == ["ines_wed"]
    assert await found(data, group="LATIN", sort="start") == ["marie_mon", "marie_tue", "ines_wed"]
    fifth = await DivisionSet.get(school=data.school, name="Cinquièmes")
    assert await found(data, division_set=fifth.id) == ["leo_late", "marie_tue", "marie_mon"]


async def test_the_period_is_in_school_days_and_takes_overlapping_events(data: Data) -> None:
    tuesday = MONDAY + timedelta(days=1)
    assert await found(data, date_from=tuesday, date_to=tuesday) == ["marie_tue"]
    assert await found(data, date_to=MONDAY) == ["marie_mon"]
    assert await found(data, date_from=MONDAY + timedelta(days=2)) == ["leo_late", "ines_wed"]


async def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(Invalid, match="period"):
        parse_criteria({"date_from": "2026-03-05", "date_to": "2026-03-01"})


async def test_by_kind_and_reason(data: Data) -> None:
    assert await found(data, kinds=["lateness"]) == ["leo_late"]
    assert await found(data, reasons=["MALADIE", "CONVENANCE"]) == ["ines_wed", "marie_tue"]


async def test_states_to_settle_not_justified_justified(data: Data) -> None:
    assert await found(data, states=["to_settle"]) == ["ines_wed", "marie_mon"]
    assert await found(data, states=["not_justified"]) == ["leo_late", "ines_wed", "marie_mon"]
    assert await found(data, states=["justified"]) == ["marie_tue"]
    assert await found(data, states=["to_settle", "not_justified"]) == ["ines_wed", "marie_mon"]


async def test_sorted_by_student_or_division(data: Data) -> None:
    assert await found(data, sort="student") == ["marie_mon", "marie_tue", "leo_late", "ines_wed"]
    assert (await found(data, sort="division"))[0] == "ines_wed"


async def test_pages_tell_the_total_and_where_the_next_one_starts(data: Data) -> None:
    first = await search_events(data.school, SearchCriteria(limit=3))
    assert (first.total, len(first.items), first.next_offset, first.previous_offset) == (
        4,
        3,
        3,
        None,
    )
    second = await search_events(data.school, SearchCriteria(limit=3, offset=3))
    assert (len(second.items), second.next_offset, second.previous_offset) == (1, None, 0)
    assert second.first == 4 and second.last == 4


async def test_rows_carry_the_extra_columns(data: Data) -> None:
    page = await search_events(data.school, SearchCriteria(student_id=data.sid("marie")))
    tue, mon = page.items
    assert tue.reason_code == "MALADIE" and tue.accepted is True and tue.settled is True
    assert mon.reason == "" and mon.accepted is None and mon.counts is True
    assert mon.recorded_by == "Mme Leroy" and mon.source == "desk"
    assert mon.guardian_phone == "+33612345678"  # the mother's usable mobile, not the opted-out
    assert mon.notices == await Notice.filter(event_id=mon.id).count()
    assert mon.starts_at.utcoffset() == timedelta(hours=1) and mon.division == "5B"
    assert mon.student == "DUPONT Marie"


async def test_a_scope_limits_the_students_seen(data: Data) -> None:
    only_leo = Scope(frozenset({data.sid("leo")}))
    page = await search_events(data.school, SearchCriteria(), scope=only_leo)
    assert [row.student_id for row in page.items] == [data.sid("leo")]


async def test_a_teacher_sees_the_students_of_their_lessons(data: Data) -> None:
    from core.models import Membership, Role, TeachingGroup, User

    teacher = await User.create(email="prof@alpha.example")
    await Membership.create(user=teacher, school=data.school, role=Role.TEACHER)
    assert (await reader_scope(data.school, teacher.id, "teacher")).students == frozenset()
    latin = await TeachingGroup.get(school=data.school, code="LATIN")
    await Lesson.create(
        school=data.school,
        teacher=teacher,
        group=latin,
        weekday=0,
        start_minute=480,
        end_minute=540,
    )
    scope = await reader_scope(data.school, teacher.id, "teacher")
    assert scope.students == {data.sid("marie"), data.sid("ines")}
    assert (await reader_scope(data.school, data.cpe.id, "cpe")).students is None


def test_saved_criteria_leave_out_the_page_and_the_defaults() -> None:
    criteria = parse_criteria({"division": "5B", "kinds": ["absence"], "offset": 50})
    assert criteria.saved() == {"division": "5B", "kinds": ["absence"]}
