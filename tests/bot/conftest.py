"""The bot's tests: the app with its webhook, a local Bot API server, a school with a family."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.models import Reason, School, Student
from core.services.audit import Actor
from core.services.schools.school import create_school
from tests.bot.support import BotService, bot_settings, serving
from tests.core.services.notice_support import Family as Guardians
from tests.core.services.notice_support import make_family
from tests.gateway.conftest import telegram  # the local Bot API server
from tests.gateway.fakes.telegram import FakeTelegram

__all__ = ["telegram"]

SYSTEM = Actor.system("tests")


@pytest.fixture
async def school(db: str) -> School:
    school = await create_school(
        "0750001A", "Collège Alpha", SYSTEM, today=datetime.now(UTC).date()
    )
    await Reason.filter(school_id=school.id, code="MALADIE").update(parents_may_choose=True)
    return school


@pytest.fixture
async def pupil(school: School) -> Student:
    return await Student.create(
        school=school, siecle_id="1001", last_name="Martin", first_name="Léa"
    )


@pytest.fixture
async def guardians(school: School, pupil: Student) -> Guardians:
    return await make_family(school, pupil)


@pytest.fixture
async def service(db: str, telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotService]:
    async with serving(bot_settings(telegram, tmp_path), telegram) as running:
        yield running
