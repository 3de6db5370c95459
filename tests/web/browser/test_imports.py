"""An admin imports the SIECLE sample in a real browser: upload, preview, apply, progress bar."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from core.models import Student
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.services.schools.users import add_user
from tests.web.browser.conftest import screenshot

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "siecle" / "college-jean-moulin"
UAI = "0751234X"
PASSWORD = "a long enough password"


async def test_an_admin_uploads_previews_and_applies_the_sample(
    live_server: str, page: Any
) -> None:
    system = Actor.system("tests")
    school = await create_school(UAI, "Collège Jean Moulin", system, today=date(2025, 9, 1))
    await add_user("admin@jean-moulin.example", PASSWORD, school, "admin", system)
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill("admin@jean-moulin.example")
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(live_server + "/")

    await page.get_by_role("link", name="Imports", exact=True).click()
    await page.wait_for_url(f"{live_server}/s/{UAI}/imports")
    files = [str(p) for p in sorted(SAMPLE.glob("*.xml"))]
    siecle = page.locator("#import-siecle")
    await siecle.get_by_label("Fichiers XML ou zip").set_input_files(files)
    await siecle.get_by_role("button", name="Prévisualiser").click()

    await page.get_by_role("heading", name="Changements à appliquer").wait_for()
    students = page.locator('tr[data-kind="students"] td')
    assert await students.first.inner_text() == "418"
    assert "LEROY Manon" in await page.locator("#list-unassigned").inner_text()
    await screenshot(page, "siecle-import-preview")
    assert await Student.filter(school=school).count() == 0

    async with page.expect_response(lambda r: r.url.endswith("/apply")) as applied:
        await page.get_by_role("button", name="Appliquer l'import").click()
    progress_page = await (await applied.value).text()
    assert '<progress id="import-progress"' in progress_page  # then polled until done
    await page.get_by_role("heading", name="Import terminé").wait_for(timeout=60_000)
    assert await page.locator("#import-changes").inner_text() != "0"
    await screenshot(page, "siecle-import")
    assert await Student.filter(school=school, active=True).count() == 418
