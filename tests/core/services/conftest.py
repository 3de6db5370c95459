"""Personas for the service tests: school A with its CPE and pupils, and a second school B."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.models import Membership, Role, School, Student, User
from core.services.audit import Actor
from core.services.ports import TemplateTools
from core.services.schools.school import create_school
from core.settings import load_settings
from workers.template_tools import build_template_tools

# A known school week: Monday 2 March 2026 (winter time in Paris, UTC+1).
MONDAY = date(2026, 3, 2)


@pytest.fixture
def system() -> Actor:
    return Actor.system("tests")


@pytest.fixture
async def school_a(db: str, system: Actor) -> School:
    return await create_school("0750001A", "Collège Alpha", system, today=MONDAY)


@pytest.fixture
async def school_b(db: str, system: Actor) -> School:
    return await create_school("0690002B", "Lycée Beta", system, today=MONDAY)


@pytest.fixture
async def cpe(school_a: School) -> User:
    """School A's CPE (made directly: hashing a password is not what these tests are about)."""
    user = await User.create(email="cpe@alpha.example", display_name="Mme Dupont")
    await Membership.create(user=user, school=school_a, role=Role.CPE)
    return user


@pytest.fixture
def cpe_actor(cpe: User) -> Actor:
    return Actor.of(cpe)


@pytest.fixture
async def pupil(school_a: School) -> Student:
    return await Student.create(
        school=school_a, siecle_id="1001", last_name="Martin", first_name="Léa"
    )


@pytest.fixture
async def classmate(school_a: School) -> Student:
    return await Student.create(
        school=school_a, siecle_id="1002", last_name="Bernard", first_name="Hugo"
    )


@pytest.fixture
async def pupil_b(school_b: School) -> Student:
    return await Student.create(
        school=school_b, siecle_id="2001", last_name="Petit", first_name="Inès"
    )


@pytest.fixture
def tools(tmp_path: Path) -> TemplateTools:
    """The template editor's tools as `absences serve` builds them (the contained renders run
    in a child process)."""
    return build_template_tools(load_settings(var_dir=tmp_path / "var"))
