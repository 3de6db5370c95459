"""API fixtures: two schools, named personas with tokens, a few students — over real HTTP.

School A (``UAI_A``) has a CPE, a teacher, a direction user and an admin (the only role that
may change settings); school B (``UAI_B``) has its own
CPE, a student and an event. Everything is created with the real services, except the rows the
services do not create (divisions, students, guardians, contact points).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from core.models import (
    ContactKind,
    ContactPoint,
    Division,
    Event,
    GuardianLink,
    Person,
    ResponsibilityLevel,
    School,
    Student,
    TeachingGroup,
    Usability,
)
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import record_event
from core.services.schools.school import create_school
from core.services.schools.users import add_user, create_token
from core.settings import load_settings
from tests.web.personas import panel_client
from web.app import create_app
from workers.runtime import start_runtime

UAI_A = "0751234X"
UAI_B = "0759999Z"
PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 3, 2)  # a Monday in winter time (+01:00)
SYSTEM = Actor.system("tests")
PERSONAS = {
    "cpe": ("cpe@a.example.org", UAI_A, "cpe"),
    "teacher": ("teacher@a.example.org", UAI_A, "teacher"),
    "direction": ("direction@a.example.org", UAI_A, "direction"),
    "admin": ("admin@a.example.org", UAI_A, "admin"),
    "other_cpe": ("cpe@b.example.org", UAI_B, "cpe"),
}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware moment, Paris wall time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@dataclass
class Api:
    """A client of /api/v1 that speaks as one of the personas."""

    client: TestClient[Any, Any]
    tokens: dict[str, str]
    schools: dict[str, School]
    students: dict[str, Student] = field(default_factory=dict)
    other_event: Event | None = None

    async def call(
        self, method: str, path: str, *, as_: str | None = "cpe", **kwargs: Any
    ) -> tuple[int, Any]:
        """``(status, JSON body)`` of ``method /api/v1{path}`` with the persona's token."""
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.tokens[as_]}"
        response = await self.client.request(method, "/api/v1" + path, headers=headers, **kwargs)
        assert response.content_type == "application/json", await response.text()
        return response.status, await response.json()

    def sid(self, name: str) -> int:
        return self.students[name].id


async def _people(student: Student, school: School) -> None:
    """Marie's family: a mother who takes SMS, a father who refused them, a contact."""
    mother = await Person.create(
        school=school, siecle_id="P1", civility="Mme", last_name="Dupont", first_name="Anne"
    )
    father = await Person.create(
        school=school, siecle_id="P2", civility="M.", last_name="Dupont", first_name="Marc"
    )
    granny = await Person.create(school=school, last_name="Leroy", first_name="Jeanne")
    await GuardianLink.create(
        student=student,
        person=granny,
        priority=3,
        level=ResponsibilityLevel.CONTACT,
        relationship="50",
    )
    await GuardianLink.create(student=student, person=father, priority=2, relationship="10")
    await GuardianLink.create(student=student, person=mother, priority=1, relationship="20")
    await ContactPoint.create(person=mother, kind=ContactKind.MOBILE, value="+33612345678")
    await ContactPoint.create(person=mother, kind=ContactKind.EMAIL, value="anne@example.org")
    await ContactPoint.create(
        person=father,
        kind=ContactKind.MOBILE,
        value="+33600000000",
        priority=0,
        usability=Usability.WRONG_NUMBER,
    )
    await ContactPoint.create(
        person=father, kind=ContactKind.MOBILE, value="+33698765432", consent=False
    )


async def _students(api: Api) -> None:
    school, other = api.schools[UAI_A], api.schools[UAI_B]
    d5b = await Division.create(school=school, code="5B")
    d4a = await Division.create(school=school, code="4A")
    latin = await TeachingGroup.create(school=school, code="LATIN")
    rows: dict[str, dict[str, Any]] = {
        "marie": dict(
            last_name="Dupont",
            first_name="Marie",
            division=d5b,
            siecle_id="1001",
            ine="070123456AB",
        ),
        "leo": dict(last_name="Dupuis", first_name="Léo", division=d5b, siecle_id="1002"),
        "ines": dict(last_name="Martin", first_name="Inès", division=d4a, siecle_id="1003"),
        "paul": dict(last_name="Bernard", first_name="Paul", active=False, siecle_id="1004"),
    }
    for name, values in rows.items():
        api.students[name] = await Student.create(school=school, **values)
    await api.students["marie"].groups.add(latin)
    await _people(api.students["marie"], school)
    api.students["jean"] = await Student.create(school=other, last_name="Autre", first_name="Jean")
    api.other_event = (
        await record_event(
            other,
            SYSTEM,
            student_id=api.sid("jean"),
            kind=EventKind.ABSENCE,
            start=at(MONDAY, 8),
            end=at(MONDAY, 10),
        )
    ).event


async def _personas() -> tuple[dict[str, School], dict[str, str]]:
    schools = {
        UAI_A: await create_school(UAI_A, "Collège A", SYSTEM, today=MONDAY),
        UAI_B: await create_school(UAI_B, "Collège B", SYSTEM, today=MONDAY),
    }
    tokens = {}
    for persona, (email, uai, role) in PERSONAS.items():
        await add_user(email, "a long enough password", schools[uai], role, SYSTEM)
        tokens[persona] = await create_token(email, SYSTEM)
    return schools, tokens


@asynccontextmanager
async def serving(tmp_path: Path, **settings: Any) -> AsyncIterator[TestClient[Any, Any]]:
    """The whole application with these settings over real HTTP on loopback."""
    runtime = await start_runtime(load_settings(var_dir=tmp_path / "var", **settings), sweep=False)
    app = create_app(runtime.ctx["settings"], runtime.queue)
    try:
        async with panel_client(app) as client:
            yield client
    finally:
        await runtime.close()


# The Telegram bot's webhook mounted, its Bot API a closed loopback port: nothing leaves.
BOT_SETTINGS: dict[str, Any] = {
    "telegram_token": "123456:test-token",
    "telegram_webhook_secret": "test-secret",
    "telegram_api_url": "http://127.0.0.1:9",
}


@pytest.fixture
async def app_client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    """The whole application over real HTTP on loopback (no database needed by itself), the
    Telegram bot's webhook mounted."""
    async with serving(tmp_path, **BOT_SETTINGS) as client:
        yield client


@pytest.fixture
async def api(db: str, app_client: TestClient[Any, Any]) -> Api:
    """Both schools, the personas and the students, on each database."""
    schools, tokens = await _personas()
    api = Api(app_client, tokens, schools)
    await _students(api)
    return api
