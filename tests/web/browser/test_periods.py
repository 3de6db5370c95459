"""The administrator sets the year's periods in a real browser (trimesters proposed, one date
corrected, an overlap refused), then the CPE downloads a period's SIECLE absences file from the
follow-up page. Screenshots: var/screenshots/periods-*.png."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from playwright.async_api import expect

from core.models import AuditEntry, Period, School
from core.services.audit import Actor
from core.services.schools.users import add_user
from tests.web.browser.conftest import log_in, screenshot
from tests.web.browser.test_settings import UAI, log_in_as_admin

CPE = "cpe@a.example.org"
PASSWORD = "a long enough password"


async def test_the_admin_sets_trimesters_and_the_cpe_downloads_one(
    live_server: str, page: Any
) -> None:
    await log_in_as_admin(live_server, page)
    nav = page.get_by_role("navigation", name="Paramètres de l'établissement")
    await nav.get_by_role("link", name="Périodes").click()
    await expect(page.locator("#periods")).to_contain_text("Aucune période")
    await page.get_by_role("link", name="des trimestres").click()
    await expect(page.get_by_role("status")).to_contain_text("Proposition à vérifier")
    await expect(page.get_by_label("Nom de la période 1")).to_have_value("1er trimestre")
    await screenshot(page, "periods-proposed")
    second_start = await page.get_by_label("Début de la période 2").input_value()
    await page.get_by_label("Fin de la période 1").fill(second_start)  # overlaps the 2nd
    await page.get_by_role("button", name="Enregistrer les périodes").click()
    await expect(page.get_by_role("alert")).to_contain_text("chevauche « 1er trimestre »")
    await screenshot(page, "periods-refused")
    first_start = date.fromisoformat(await page.get_by_label("Début de la période 1").input_value())
    first_end = date.fromisoformat(second_start) - timedelta(days=14)  # two weeks earlier
    await page.get_by_label("Fin de la période 1").fill(first_end.isoformat())
    await page.get_by_label("Début de la période 2").fill((first_end + timedelta(1)).isoformat())
    await page.get_by_role("button", name="Enregistrer les périodes").click()
    await expect(page.get_by_role("status")).to_contain_text("Modifications enregistrées")
    await expect(page.locator("#periods")).to_contain_text(f"{first_end:%d/%m/%Y}")
    await screenshot(page, "periods-saved")
    assert await Period.all().count() == 3

    school = await School.get(uai=UAI)
    await add_user(CPE, PASSWORD, school, "cpe", Actor.system("tests"))
    await page.context.clear_cookies()
    await log_in(page, live_server, CPE, PASSWORD)
    await page.goto(f"{live_server}/s/{UAI}/follow-up")
    card = page.locator(".fu-periods")
    await expect(card).to_contain_text("Absences pour les bulletins (SIECLE)")
    await screenshot(page, "periods-follow-up")
    async with page.expect_download() as waiting:
        await card.get_by_role("link", name="1er trimestre").click()
    download = await waiting.value
    assert (
        download.suggested_filename
        == f"absences-siecle-{first_start:%Y%m%d}-{first_end:%Y%m%d}.xml"
    )
    assert await AuditEntry.filter(action="period.export_siecle").count() == 1
