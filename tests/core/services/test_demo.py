"""The demo school: what it writes, that it is deterministic, and that it looks like a school."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from cli.demo.build import DEMO_UAI, build_demo
from cli.demo.events import EventPlanner, ReasonInfo
from cli.demo.people import plan_population
from core.errors import Conflict, Invalid
from core.models import (
    AuditEntry,
    ClosedDay,
    ContactPoint,
    Division,
    DivisionSet,
    Enrolment,
    Event,
    GuardianLink,
    Membership,
    Person,
    School,
    Student,
    TeachingGroup,
)
from core.queries.calendar import load_calendar
from core.rules.calendar import SchoolCalendar, default_slots
from core.rules.counting import CountableEvent, EventKind, coverage, monthly_counts
from core.services.audit import Actor
from core.services.schools import users
from core.services.schools.school import create_school

TODAY = date(2026, 5, 15)  # a Friday; May 1, 8 and 14 are public holidays
MOBILE = re.compile(r"^\+3363998[0-9]{4}$")  # 06 39 98 xx xx, the fiction range
LANDLINE = re.compile(r"^\+3319900[0-9]{4}$")
EMAIL = re.compile(r"^[a-z0-9.]+@example\.(org|com|net)$")
REASONS = {
    "MALADIE": ReasonInfo(True, True),
    "RDV_MEDICAL": ReasonInfo(None, True),
    "TRANSPORT": ReasonInfo(True, True),
    "CONVENANCE": ReasonInfo(False, True),
    "INCONNU": ReasonInfo(False, True),
}


def paris_calendar() -> SchoolCalendar:
    return SchoolCalendar(
        tz=ZoneInfo("Europe/Paris"),
        midday=time(12),
        slots=default_slots(),
        closed_days=frozenset({date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 14)}),
    )


def plan_events(seed: int, students: int = 200) -> list[tuple[object, ...]]:
    """Four weeks of events before TODAY, as plain tuples."""
    planner = EventPlanner(
        random.Random(seed),
        paris_calendar(),
        first=date(2026, 4, 17),
        last=date(2026, 5, 14),
        today=TODAY,
        reasons=REASONS,
    )
    plans = planner.plan([str(i) for i in range(students)])
    return [(p.student, p.kind, p.start, p.end, p.reason, p.accepted, p.settled) for p in plans]


# Plain values, no database


def test_the_population_is_a_collège_of_about_25_per_division() -> None:
    population = plan_population(random.Random(1), 600, 2025)
    sizes = Counter(s.division.code for s in population.students)
    assert len(population.divisions) == 24
    assert {code[0] for code in sizes} == {"6", "5", "4", "3"}
    assert all(24 <= size <= 26 for size in sizes.values())
    for student in population.students:
        assert 2025 - student.birth_date.year - student.division.level.age in (-1, 0, 1)


def test_guardians_are_mostly_two_sometimes_one_or_three_and_siblings_share_them() -> None:
    population = plan_population(random.Random(1), 600, 2025)
    links = defaultdict(list)
    for link in population.links:
        links[link.student_id].append(link)
    per_student = Counter(len(found) for found in links.values())
    assert per_student[2] > per_student[1] > per_student[3] > 0
    for found in links.values():
        assert any(link.level == 1 for link in found)
        assert [link.priority for link in found] == list(range(1, len(found) + 1))
        assert found[0].pays_fees
    children = Counter(link.person_id for link in population.links)
    assert max(children.values()) >= 2  # siblings share their guardians


def test_contacts_are_fictional_with_a_few_refusals_and_wrong_numbers() -> None:
    population = plan_population(random.Random(1), 600, 2025)
    contacts = [c for p in population.persons for c in p.contacts]
    mobiles = [c.value for c in contacts if c.kind == "mobile"]
    assert all(MOBILE.match(m) for m in mobiles)
    assert len(set(mobiles)) == len(mobiles)
    assert all(LANDLINE.match(c.value) for c in contacts if c.kind == "landline")
    assert all(EMAIL.match(c.value) for c in contacts if c.kind == "email")
    assert any(c.kind == "mobile" and not c.consent for c in contacts)
    assert any(c.usability == "wrong_number" for c in contacts)
    postal = [c for c in contacts if c.kind == "postal"]
    assert postal and all(c.address and c.address["lines"] for c in postal)


def test_the_same_seed_plans_the_same_events_whatever_the_global_random() -> None:
    random.seed(1)
    first = plan_events(7)
    random.seed(2)
    assert plan_events(7) == first
    assert plan_events(8) != first


def test_planned_events_fall_on_school_half_days_and_slot_boundaries() -> None:
    calendar = paris_calendar()
    starts = {s.start for s in default_slots()}
    ends = {s.end for s in default_slots()}
    events = plan_events(3)
    kinds = Counter(kind for _, kind, *_ in events)
    assert kinds[EventKind.ABSENCE] > kinds[EventKind.LATENESS] > 0
    for _, kind, start, end, *_ in events:
        assert isinstance(start, datetime) and isinstance(end, datetime)
        assert start < end and coverage(calendar, start, end)
        assert start.astimezone(calendar.tz).time() in starts
        if kind == EventKind.ABSENCE:
            assert end.astimezone(calendar.tz).time() in ends
        else:
            assert 5 * 60 <= (end - start).total_seconds() <= 25 * 60


# The database, on SQLite and PostgreSQL


async def test_the_demo_writes_what_its_summary_reports(db: str) -> None:
    summary = await build_demo(students=60, weeks=2, today=TODAY)
    school = await School.get(uai=DEMO_UAI)
    assert summary.school_name == school.name and school.name.startswith("Collège ")
    assert school.letterhead["head_name"]
    assert summary.students == await Student.filter(school=school).count() == 60
    assert summary.divisions == await Division.filter(school=school).count() == 4
    assert summary.guardians == await Person.filter(school=school).count()
    assert summary.events == await Event.filter(school=school).count() > 0
    assert await Enrolment.filter(student__school=school).count() == 60
    assert await DivisionSet.filter(school=school).count() == 4
    assert await TeachingGroup.filter(school=school, code="5_LAT").exists()
    closed = await ClosedDay.filter(school=school).values_list("day", flat=True)
    assert {date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 14)} <= set(closed)
    entry = await AuditEntry.get(school=school, action="demo.build")
    assert entry.actor_label == "demo" and entry.after is not None
    assert entry.after["events"] == summary.events


async def test_its_logins_authenticate_with_their_role(db: str) -> None:
    summary = await build_demo(students=5, weeks=0, today=TODAY)
    roles = {"admin", "direction", "cpe", "vie_scolaire", "teacher"}
    assert {login.role for login in summary.logins} == roles
    assert sum(login.role == "teacher" for login in summary.logins) == 2
    for login in summary.logins:
        user = await users.authenticate(login.email, login.password)
        assert user is not None, login.email
        assert (await Membership.get(user=user)).role == login.role
    assert "cpe@demo.absences.test" in {login.email for login in summary.logins}


async def test_it_refuses_bad_arguments_and_an_existing_uai(db: str) -> None:
    with pytest.raises(Invalid):
        await build_demo(students=0)
    with pytest.raises(Invalid):
        await build_demo(weeks=-1)
    await create_school("0999003X", "Collège existant", Actor.system("test"), today=TODAY)
    with pytest.raises(Conflict):
        await build_demo(students=5, uai="0999003x")
    assert await School.all().count() == 1


async def test_every_event_lies_on_a_school_half_day_with_consistent_states(db: str) -> None:
    await build_demo(students=60, weeks=2, today=TODAY)
    school = await School.get(uai=DEMO_UAI)
    calendar = await load_calendar(school)
    events = await Event.filter(school=school).values(
        "starts_at", "ends_at", "source", "recorded_by_id", "counts", "accepted", "settled",
        "reason__code", "reason__counts", "reason__legitimate_by_default",
    )  # fmt: skip
    assert events
    for event in events:
        assert event["starts_at"] < event["ends_at"]
        assert coverage(calendar, event["starts_at"], event["ends_at"]), event
        assert event["source"] == "demo" and event["recorded_by_id"] is not None
        assert event["counts"] == event["reason__counts"]
        if event["reason__code"] == "INCONNU":
            assert event["accepted"] is None and not event["settled"]
        if event["accepted"]:
            assert event["reason__legitimate_by_default"] is not False


async def test_every_student_has_a_legal_guardian_reachable_by_fictional_numbers(db: str) -> None:
    await build_demo(students=60, weeks=0, today=TODAY)
    school = await School.get(uai=DEMO_UAI)
    legal = await GuardianLink.filter(student__school=school, level=1).values_list(
        "student_id", flat=True
    )
    assert set(legal) == set(await Student.filter(school=school).values_list("id", flat=True))
    mobiles = await ContactPoint.filter(person__school=school, kind="mobile").values_list(
        "value", flat=True
    )
    assert mobiles and all(MOBILE.match(str(m)) for m in mobiles)


async def test_the_same_seed_builds_the_same_school(db: str) -> None:
    first = await build_demo(students=40, weeks=2, today=TODAY, seed=5)
    second = await build_demo(students=40, weeks=2, today=TODAY, seed=5, uai="0999002X")
    assert first.events > 0
    assert (first.school_name, first.events) == (second.school_name, second.events)
    assert await _shape("0999001X") == await _shape("0999002X")


async def _shape(uai: str) -> tuple[list[tuple[object, ...]], ...]:
    school = await School.get(uai=uai)
    students = await Student.filter(school=school).values_list(
        "siecle_id", "last_name", "first_name", "birth_date", "division__code"
    )
    events = await Event.filter(school=school).values_list(
        "student__siecle_id", "kind", "starts_at", "ends_at", "reason__code", "accepted"
    )
    guardians = await Person.filter(school=school).values_list(
        "siecle_id", "last_name", "first_name", "links__student__siecle_id", "links__priority"
    )
    return sorted(students), sorted(events, key=repr), sorted(guardians, key=repr)


async def test_a_chronic_absentee_misses_more_than_4_unjustified_half_days_a_month(
    db: str,
) -> None:
    await build_demo(students=40, weeks=4, today=TODAY)
    school = await School.get(uai=DEMO_UAI)
    calendar = await load_calendar(school)
    per_student: dict[int, list[CountableEvent]] = defaultdict(list)
    rows = await Event.filter(school=school).values_list(
        "student_id", "starts_at", "ends_at", "kind", "reason__counts", "accepted"
    )
    for student, *values in rows:
        per_student[student].append(CountableEvent(*values))
    now = datetime(2026, 5, 15, 12, tzinfo=UTC)
    worst = max(
        max(monthly_counts(calendar, e, now=now).values(), default=0) for e in per_student.values()
    )
    assert worst > 4


async def test_the_demo_is_a_zone_c_college_closed_in_its_holidays(db: str) -> None:
    """The demo's spring holidays (zone C: 18 April to 3 May 2026) are closed days, and no
    event falls in them: before, the demo's absences filled them."""
    await build_demo(students=40, weeks=4, today=TODAY)
    school = await School.get(uai=DEMO_UAI)
    assert school.holiday_zone == "C"
    closed = {
        c.day: c.label for c in await ClosedDay.filter(school=school, half="day", national=True)
    }
    assert closed[date(2026, 4, 20)] == "Vacances de printemps"
    assert closed[date(2026, 5, 14)] == "Ascension"
    assert closed[date(2025, 10, 20)] == "Vacances de la Toussaint"
    calendar = await load_calendar(school)
    starts = await Event.filter(school=school).values_list("starts_at", flat=True)
    assert starts and all(s.astimezone(calendar.tz).date() not in closed for s in starts)
