"""The statistics page in Chromium, on Collège Jean Moulin (its SIECLE export) with two weeks
of absences and lateness: the CPE opens it from the menu, picks 5A over the two weeks, reads the
figures, the charts and their tables, then switches to lateness. Screenshot ``stats``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from core.models import Division, Student, TeachingGroup
from tests.core.services.stats_support import NOW, UAI, World
from tests.web.browser.conftest import log_in, screenshot, serving
from tests.web.stats_support import PASSWORD, STAFF, stats_school


@pytest.fixture
async def world(db: str) -> World:
    return await stats_school()


@pytest.fixture
async def served(world: World, tmp_path: Path) -> AsyncIterator[str]:
    async with serving(tmp_path, NOW) as url:
        yield url


async def test_the_cpe_reads_the_statistics_of_a_division(served: str, page: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))
    await log_in(page, served, STAFF["cpe"], PASSWORD)
    await page.goto(f"{served}/?school={UAI}")
    await page.get_by_role("link", name="Statistiques").click()
    await page.wait_for_url(f"{served}/s/{UAI}/stats")
    await page.get_by_label("Période").select_option("range")
    await page.get_by_label("Du").fill("2026-11-16")
    await page.get_by_label("au", exact=True).fill("2026-11-29")
    await page.get_by_label("Élèves").select_option(label="5A")
    await page.get_by_role("button", name="Afficher").click()
    await expect(page.locator("#stats-said")).to_contain_text("Du 16/11/2026 au 29/11/2026")
    figures = page.locator("#stats-figures")
    await expect(figures).to_contain_text("Demi-journées d'absence")
    await expect(figures).to_contain_text("13")
    await expect(page.locator("#stats-divisions")).to_contain_text("5A")
    for chart in ("divisions", "reasons", "slots", "weeks", "depp"):
        await expect(page.locator(f"#chart-{chart}")).to_be_visible()
    await expect(page.locator("#stats-report")).to_have_text(
        "Rapport pour le conseil de classe (PDF)"
    )
    await expect(page.locator("#stats-year-report")).to_have_attribute(
        "href", f"/s/{UAI}/stats/year-report.pdf?year=2026"
    )
    await screenshot(page, "stats")
    assert not [e for e in errors if "Content Security Policy" in e], errors

    await page.get_by_label("Événements").select_option("lateness")
    await page.get_by_role("button", name="Afficher").click()
    await expect(page.locator("#stats-figures")).to_contain_text("Minutes de retard")
    await screenshot(page, "stats-lateness")


async def test_the_cpe_reads_the_statistics_of_a_teaching_group(
    served: str, page: Any, world: World
) -> None:
    """A teaching group (a theatre workshop: the pupils of 5A) is offered among « Groupes
    d'élèves », beside the export's own groups; its figures are those of its pupils.
    Screenshot ``stats-group``."""
    five_a = await Division.get(school=world.school, code="5A")
    theatre = await TeachingGroup.create(
        school=world.school, code="THEA5A", label="Atelier théâtre 5A"
    )
    for student in await Student.filter(division=five_a):
        await student.groups.add(theatre)
    await log_in(page, served, STAFF["cpe"], PASSWORD)
    await page.goto(f"{served}/s/{UAI}/stats?period=range&from=2026-11-16&to=2026-11-29")
    group = page.locator('#stats-scope optgroup[label="Groupes d\'élèves"] option')
    await expect(group.filter(has_text="Atelier théâtre 5A")).to_have_count(
        1
    )  # with the SIECLE ones
    await page.get_by_label("Élèves").select_option(label="Atelier théâtre 5A")
    await page.get_by_role("button", name="Afficher").click()
    await expect(page.locator("#stats-said")).to_contain_text("Atelier théâtre 5A")
    await expect(page.locator("#stats-figures")).to_contain_text("13")
    await screenshot(page, "stats-group")
