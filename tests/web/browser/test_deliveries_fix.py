"""The delivery board in Chromium: a CPE reads the quota alert, corrects a wrong number (a first
try refused with the reason), the notice leaves again, and the alert is marked seen."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from core.models import ContactPoint, Delivery, StaffAlert, Usability
from tests.web.browser.conftest import screenshot
from tests.web.follow_up_support import STAFF, build_world
from tests.web.personas import PASSWORD, UAI_A
from tests.web.test_deliveries_fix import RIGHT, failed_sms, quota_alert


async def log_in(page: Any, base: str, email: str) -> None:
    await page.goto(base + "/login")
    await page.get_by_label("Adresse électronique").fill(email)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(base + "/")


async def test_a_cpe_corrects_a_wrong_number_and_marks_the_alert_seen(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    failed = await failed_sms(world)
    alert = await quota_alert(world)
    await log_in(page, live_server, STAFF["cpe"][0])
    await expect(page.locator(f'li[data-alert="{alert.id}"]')).to_contain_text("Quota d'envois")

    await page.goto(f"{live_server}/s/{UAI_A}/deliveries?status=failed")
    row = page.locator(f'tr[data-delivery="{failed.id}"]')
    await expect(row).to_contain_text("numéro invalide")
    await row.get_by_text("Corriger le numéro").click()
    await row.get_by_label("Bon numéro").fill("01 40 00 00 00")
    await screenshot(page, "deliveries-fix-form")
    await row.get_by_role("button", name="Enregistrer").click()
    refusal = page.get_by_role("alert")
    await expect(refusal).to_have_text("Ce numéro est un fixe : il ne peut pas recevoir de SMS.")
    await screenshot(page, "deliveries-fix-refused")

    retry = page.locator("section.dl-refusal")
    await expect(retry.get_by_label("Bon numéro")).to_have_value("01 40 00 00 00")
    await retry.get_by_label("Bon numéro").fill("06 11 22 33 44")
    await retry.get_by_role("button", name="Enregistrer").click()
    await expect(page.get_by_role("status")).to_have_text("Coordonnée corrigée ; l'avis repart.")
    point = await ContactPoint.get(id=failed.contact_id)
    assert (point.value, point.usability) == (RIGHT, Usability.OK)
    assert await Delivery.filter(notice_id=failed.notice_id, to=RIGHT).exists()

    await page.locator(f'li[data-alert="{alert.id}"]').get_by_role("button", name="Vu").click()
    await expect(page.locator(f'li[data-alert="{alert.id}"]')).to_have_count(0)
    await screenshot(page, "deliveries-fixed")
    assert (await StaffAlert.get(id=alert.id)).resolved_at is not None
