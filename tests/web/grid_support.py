"""Personas for the grid and roll call tests: school A with its staff, a class and two lessons;
school B with its own CPE, a student, an event and a lesson.

Made with the real services where they exist (schools, users, events); divisions, students and
lessons are rows the SIECLE import or the settings would create.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient

from core.models import Division, Event, Lesson, School, Student, TeachingGroup, User
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
    "teacher2": ("prof2@a.example.org", UAI_A, "teacher", "Mme Simon"),
    "direction": ("direction@a.example.org", UAI_A, "direction", "M. le principal"),
    "other_cpe": ("cpe@b.example.org", UAI_B, "cpe", "M. Autre"),
}
PUPILS = (  # last name, first name, division
    ("Bernard", "Hugo", "5B"),
    ("Dupont", "Inès", "5B"),
    ("Martin", "Léa", "5B"),
    ("Petit", "Noé", "5B"),
    ("Roux", "Jade", "4A"),
)


@dataclass
class World:
    schools: dict[str, School]
    users: dict[str, User]
    students: dict[str, Student] = field(default_factory=dict)  # by first name
    lessons: dict[str, Lesson] = field(default_factory=dict)
    other_event: Event | None = None


async def _pupils(world: World) -> None:
    school = world.schools[UAI_A]
    divisions = {code: await Division.create(school=school, code=code) for code in ("4A", "5B")}
    latin = await TeachingGroup.create(school=school, code="LATIN", label="Latin")
    for number, (last, first, code) in enumerate(PUPILS, start=1):
        student = await Student.create(
            school=school,
            siecle_id=str(1000 + number),
            last_name=last,
            first_name=first,
            division=divisions[code],
        )
        world.students[first] = student
    await world.students["Léa"].groups.add(latin)
    await world.students["Jade"].groups.add(latin)


async def _lessons(world: World) -> None:
    school, other = world.schools[UAI_A], world.schools[UAI_B]
    d5b = await Division.get(school=school, code="5B")
    for name, teacher, hour, subject in (
        ("maths", "teacher", 8, "Mathématiques"),
        ("english", "teacher2", 9, "Anglais"),
    ):
        world.lessons[name] = await Lesson.create(
            school=school,
            teacher=world.users[teacher],
            division=d5b,
            weekday=MONDAY.weekday(),
            start_minute=hour * 60,
            end_minute=hour * 60 + 60,
            subject=subject,
        )
    b1 = await Division.create(school=other, code="1A")
    world.lessons["other"] = await Lesson.create(
        school=other,
        teacher=world.users["other_cpe"],
        division=b1,
        weekday=MONDAY.weekday(),
        start_minute=8 * 60,
        end_minute=9 * 60,
        subject="Physique",
    )
    jean = await Student.create(school=other, last_name="Autre", first_name="Jean", division=b1)
    world.other_event = await record_event(
        other,
        SYSTEM,
        student_id=jean.id,
        kind=EventKind.ABSENCE,
        start=at(MONDAY, 8),
        end=at(MONDAY, 10),
    )


async def build_world() -> World:
    """Both schools, their staff (password ``PASSWORD``), pupils and lessons."""
    schools, users = await schools_and_staff(STAFF)
    world = World(schools, users)
    await _pupils(world)
    await _lessons(world)
    return world


async def log_in(client: TestClient[Any, Any], persona: str) -> str:
    """Log in as ``persona`` (a fresh session); returns its CSRF token."""
    return await log_in_as(client, STAFF[persona][0])
