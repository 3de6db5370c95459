"""The dashboard lists, for the vie scolaire, the absences awaiting a decision that would make a
student cross the month's threshold: the student (a link to the file), the month, the count
without and with them. Teachers do not see it."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from core.models import School, Student
from core.services.schools.school import create_school, now_utc
from core.services.schools.users import add_user
from core.settings import load_settings
from tests.web.personas import panel_client
from tests.web.undecided_support import (
    MON,
    STORY_NOW,
    SYSTEM,
    absent,
    at,
    three_and_one_undecided,
)
from web.app import create_app
from web.panel.session import CLOCK
from workers.runtime import start_runtime

PASSWORD = "correct horse battery"


@pytest.fixture
async def school(db: str) -> School:
    school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=date(2026, 9, 1))
    await add_user("cpe@alpha.example", PASSWORD, school, "cpe", SYSTEM)
    await add_user("prof@alpha.example", PASSWORD, school, "teacher", SYSTEM)
    return school


@pytest.fixture
async def client(school: School, tmp_path: Path) -> AsyncIterator[TestClient]:
    runtime = await start_runtime(load_settings(var_dir=tmp_path), sweep=False)
    app = create_app(runtime.ctx["settings"], runtime.queue)
    async with panel_client(app) as test_client:
        test_client.app[CLOCK].offset = STORY_NOW - now_utc()
        yield test_client
    await runtime.close()


async def log_in(client: TestClient, email: str) -> None:
    page = await (await client.get("/login")).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    data = {"csrf": found.group(1), "email": email, "password": PASSWORD}
    assert (await client.post("/login", data=data, allow_redirects=False)).status == 303


async def test_the_cpe_sees_the_undecided_absences_that_would_cross_and_a_teacher_does_not(
    client: TestClient, school: School
) -> None:
    pupil = await Student.create(school=school, last_name="Martin", first_name="Léa")
    other = await Student.create(school=school, last_name="Petit", first_name="Hugo")
    await three_and_one_undecided(school, pupil)
    await absent(school, other, at(MON, 14), at(MON, 17), reason="RDV_MEDICAL")  # 1: far from 4

    await log_in(client, "cpe@alpha.example")
    page = html.unescape(await (await client.get("/?lang=fr")).text())
    assert "Absences à décider avant le courrier du seuil" in page
    table = page[page.index('class="events undecided-crossings"') :]
    table = table[: table.index("</table>")]
    assert f'<a href="/s/0750001A/students/{pupil.id}">MARTIN Léa</a>' in table
    cells = re.findall(r"<td>([^<]*)", table)
    assert cells[1:5] == ["", "octobre 2026", "3", "4 "]
    assert "(seuil mensuel)" in table and "PETIT" not in table
    english = await (await client.get("/?lang=en")).text()
    assert "Absences to decide before the threshold letter" in html.unescape(english)
    assert "<td>October 2026</td>" in english

    await log_in(client, "prof@alpha.example")
    page = await (await client.get("/?lang=fr")).text()
    assert "undecided-crossings" not in page
