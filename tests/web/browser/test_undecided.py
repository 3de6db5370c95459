"""The dashboard's list of absences awaiting a decision that would make a student cross the
month's threshold, in Chromium, on a school made by the services and a school day of October
2026 (the panel's clock moved there): the CPE reads it and opens the student's file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from core.models import Division, Student
from core.services.schools.school import create_school
from core.services.schools.users import add_user
from tests.web.browser.conftest import screenshot, serving
from tests.web.undecided_support import STORY_NOW, SYSTEM, three_and_one_undecided

CPE, PASSWORD = "cpe@alpha.example.org", "a long enough password"


@pytest.fixture
async def served(db: str, tmp_path: Path) -> AsyncIterator[str]:
    async with serving(tmp_path, STORY_NOW) as url:
        yield url


async def test_the_cpe_sees_who_a_decision_would_bring_to_the_threshold(
    served: str, page: Any
) -> None:
    school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=date(2026, 9, 1))
    await add_user(CPE, PASSWORD, school, "cpe", SYSTEM, display_name="Mme Lefèvre")
    d4a = await Division.create(school=school, code="4A")
    pupil = await Student.create(school=school, last_name="Martin", first_name="Léa", division=d4a)
    await three_and_one_undecided(school, pupil)

    await page.goto(f"{served}/login")
    await page.fill("#email", CPE)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    section = page.locator("section.undecided")
    await expect(section).to_be_visible()
    row = section.locator("tbody tr")
    await expect(row).to_have_count(1)
    await expect(row.locator("td")).to_have_text(
        ["MARTIN Léa", "4A", "octobre 2026", "3", "4 (seuil mensuel)", "1"]
    )
    await screenshot(page, "dashboard-undecided")
    await row.get_by_role("link", name="MARTIN Léa").click()
    await expect(page).to_have_url(f"{served}/s/0750001A/students/{pupil.id}")
