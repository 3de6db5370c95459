"""Personas for the follow-up tests: school A with its staff, two classes, a group, a set, a
family and a week of events; school B with its own CPE and student.

Made with the real services where they exist (schools, users, events); divisions, students,
guardians and lessons are rows the SIECLE import or the settings would create.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestClient

from core.models import (
    ContactKind,
    ContactPoint,
    Division,
    DivisionSet,
    Event,
    GuardianLink,
    Person,
    School,
    Student,
    TeachingGroup,
    Usability,
    User,
)
from core.rules.counting import EventKind
from core.services.events.record import record_event
from tests.web.personas import (
    MONDAY,
    SYSTEM,
    UAI_A,
    UAI_B,
    at,
    log_in_as,
    schools_and_staff,
)

STAFF = {
    "cpe": ("cpe@a.example.org", UAI_A, "cpe", "Mme Lefèvre"),
    "vie": ("vie@a.example.org", UAI_A, "vie_scolaire", "M. Garnier"),
    "teacher": ("prof@a.example.org", UAI_A, "teacher", "M. Moreau"),
    "direction": ("direction@a.example.org", UAI_A, "direction", "M. le principal"),
    "other_cpe": ("cpe@b.example.org", UAI_B, "cpe", "M. Autre"),
}


@dataclass
class World:
    schools: dict[str, School]
    users: dict[str, User]
    students: dict[str, Student] = field(default_factory=dict)  # by first name
    events: dict[str, Event] = field(default_factory=dict)
    divisions: dict[str, Division] = field(default_factory=dict)

    @property
    def school(self) -> School:
        return self.schools[UAI_A]

    def sid(self, name: str) -> int:
        return self.students[name].id


async def _pupils(world: World) -> None:
    school = world.school
    for code in ("4A", "5B"):
        world.divisions[code] = await Division.create(school=school, code=code)
    latin = await TeachingGroup.create(school=school, code="LATIN", label="Latin")
    fifth = await DivisionSet.create(school=school, name="Cinquièmes")
    await fifth.divisions.add(world.divisions["5B"])
    for number, (last, first, code) in enumerate(
        (("Dupont", "Marie", "5B"), ("Dupuis", "Léo", "5B"), ("Martin", "Inès", "4A")), start=1
    ):
        world.students[first] = await Student.create(
            school=school,
            siecle_id=str(1000 + number),
            last_name=last,
            first_name=first,
            division=world.divisions[code],
        )
    await world.students["Marie"].groups.add(latin)
    mother = await Person.create(
        school=school, civility="Mme", last_name="Dupont", first_name="Anne"
    )
    await GuardianLink.create(student=world.students["Marie"], person=mother, relationship="20")
    await ContactPoint.create(person=mother, kind=ContactKind.MOBILE, value="+33612345678")
    await ContactPoint.create(
        person=mother,
        kind=ContactKind.LANDLINE,
        value="+33140000000",
        usability=Usability.WRONG_NUMBER,
    )
    jean = await Student.create(school=world.schools[UAI_B], last_name="Autre", first_name="Jean")
    world.students["Jean"] = jean


async def _events(world: World) -> None:
    async def record(name: str, first: str, kind: EventKind, start: datetime, **kw: Any) -> None:
        world.events[name] = await record_event(
            world.schools[UAI_A] if first != "Jean" else world.schools[UAI_B],
            SYSTEM,
            student_id=world.sid(first),
            kind=kind,
            start=start,
            now=start,
            **kw,
        )

    await record(
        "marie_mon",
        "Marie",
        EventKind.ABSENCE,
        at(MONDAY, 8),
        end=at(MONDAY, 10),
        comment='=HYPERLINK("http://x")',
    )
    await record(
        "marie_tue",
        "Marie",
        EventKind.ABSENCE,
        at(MONDAY, 8, days=1),
        end=at(MONDAY, 17, days=1),
        reason="MALADIE",
    )
    await record("leo_late", "Léo", EventKind.LATENESS, at(MONDAY, 8, 10, days=2))
    await record(
        "ines_wed",
        "Inès",
        EventKind.ABSENCE,
        at(MONDAY, 8, days=2),
        end=at(MONDAY, 12, days=2),
        reason="CONVENANCE",
    )
    await record("jean_mon", "Jean", EventKind.ABSENCE, at(MONDAY, 8), end=at(MONDAY, 9))


async def build_world() -> World:
    """Both schools, their staff (password ``PASSWORD``), pupils, a family and events."""
    schools, users = await schools_and_staff(STAFF)
    world = World(schools, users)
    await _pupils(world)
    await _events(world)
    return world


async def log_in(client: TestClient[Any, Any], persona: str) -> str:
    """Log in as ``persona`` (a fresh session); returns its CSRF token."""
    return await log_in_as(client, STAFF[persona][0])
