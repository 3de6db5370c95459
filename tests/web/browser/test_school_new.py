"""An operator of the install creates a school in Chromium from its first SIECLE export: the
home page's link, the form, the import's preview waiting to be applied, then the school in the
switcher beside the other, marked as the current one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import expect

from core.models import Membership, School, User
from core.services.schools.users import hash_password
from tests.web.browser.conftest import screenshot

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "siecle" / "college-jean-moulin"
EMAIL, PASSWORD = "exploitation@academie.test", "a long enough password"


async def test_an_operator_creates_a_school_from_its_siecle_export(
    live_server: str, page: Any
) -> None:
    await User.create(email=EMAIL, password_hash=hash_password(PASSWORD), operator=True)
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill(EMAIL)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(live_server + "/")

    await page.get_by_role("link", name="Créer un établissement").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Créer un établissement")
    await screenshot(page, "school-new-1-form")

    # By hand first, with a UAI that is not one: the sentence, and what was typed stays.
    await page.get_by_label("UAI").fill("75A")
    await page.evaluate("document.querySelector('#uai').removeAttribute('pattern')")
    await page.get_by_label("Nom de l'établissement").fill("Lycée Voltaire")
    await page.get_by_role("button", name="Créer l'établissement").click()
    await expect(page.locator("#school-error")).to_contain_text("7 chiffres et une lettre")
    await expect(page.get_by_label("Nom de l'établissement")).to_have_value("Lycée Voltaire")
    await page.get_by_label("UAI").fill("0999002A")
    await page.get_by_role("button", name="Créer l'établissement").click()
    await page.wait_for_url(f"{live_server}/s/0999002A/imports")
    await page.goto(live_server + "/schools/new")

    files = [str(p) for p in sorted(SAMPLE.glob("*.xml"))]
    await page.get_by_label("Fichiers XML ou zip").set_input_files(files)
    await page.get_by_label("Accepter une autre année scolaire que l'année en cours").check()
    await page.get_by_role("button", name="Créer et prévisualiser l'import").click()
    await page.get_by_role("heading", name="Changements à appliquer").wait_for()
    assert await page.locator('tr[data-kind="students"] td').first.inner_text() == "418"
    await screenshot(page, "school-new-2-preview")
    school = await School.get(uai="0751234X")
    assert await Membership.filter(school=school, role="admin").count() == 1

    await page.goto(f"{live_server}/?school=0751234X")
    switcher = page.get_by_role("navigation", name="Établissements")
    await expect(switcher.get_by_role("link")).to_have_count(2)
    current = switcher.locator('[aria-current="page"]')
    await expect(current).to_contain_text("0751234X")
    await screenshot(page, "school-new-3-switcher")

    # The new school's letters: where and who signs, set in its settings, worded when refused.
    await page.goto(f"{live_server}/s/0751234X/settings/general")
    letters = page.locator("#letters")
    await letters.get_by_label("Téléphone de l'établissement").fill("pas un numéro")
    await letters.get_by_role("button", name="Enregistrer").click()
    await expect(page.locator("#letters .error")).to_contain_text(
        "un numéro de téléphone est attendu"
    )
    await (
        page.locator("#letters").get_by_label("Téléphone de l'établissement").fill("01 44 00 00 00")
    )
    await (
        page.locator("#letters")
        .get_by_label("Signataire des courriers de la vie scolaire")
        .fill("Mme Lefèvre")
    )
    await page.locator("#letters").get_by_role("button", name="Enregistrer").click()
    await expect(
        page.locator("#letters").get_by_label("Signataire des courriers de la vie scolaire")
    ).to_have_value("Mme Lefèvre")
    await screenshot(page, "school-new-4-letters-settings")
