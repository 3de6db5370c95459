"""The school administrator sets the school up in a real browser: a slot, a local reason, a
closed day, a staff account, quiet hours. Screenshots go to var/screenshots/settings-*.png."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from core.models import ClosedDay, Invitation, Membership, Reason, School, TimetableSlot
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.services.schools.users import add_user
from tests.web.browser.conftest import screenshot

UAI = "0751234X"
EMAIL = "admin@a.example.org"
PASSWORD = "a long enough password"


async def log_in_as_admin(live_server: str, page: Any) -> str:
    school = await create_school(UAI, "Collège Jean Moulin", Actor.system("tests"))
    await add_user(EMAIL, PASSWORD, school, "admin", Actor.system("tests"))
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill(EMAIL)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(live_server + "/")
    await page.get_by_role("link", name="Paramètres").click()
    await page.wait_for_url(f"{live_server}/s/{UAI}/settings")
    return f"{live_server}/s/{UAI}/settings"


async def test_the_admin_sets_the_school_up(live_server: str, page: Any) -> None:
    base = await log_in_as_admin(live_server, page)
    nav = page.get_by_role("navigation", name="Paramètres de l'établissement")

    await nav.get_by_role("link", name="Emploi du temps").click()
    form = page.locator("#add-slot")
    await form.get_by_label("Jour").select_option(label="Samedi")
    await form.get_by_label("Début").fill("08:00")
    await form.get_by_label("Fin").fill("09:00")
    await form.get_by_label("Nom du créneau").fill("S1")
    await form.get_by_role("button", name="Ajouter").click()
    await page.get_by_role("status").wait_for()
    assert "Créneau ajouté" in await page.get_by_role("status").inner_text()
    await form.get_by_label("Jour").select_option(label="Samedi")
    await form.get_by_label("Début").fill("08:30")
    await form.get_by_label("Fin").fill("09:30")
    await form.get_by_role("button", name="Ajouter").click()
    assert "chevauche" in await page.get_by_role("alert").inner_text()
    await screenshot(page, "settings-timetable")
    slots = page.locator("#slots")  # every slot in one form, saved all or none
    save = slots.get_by_role("button", name="Enregistrer l'emploi du temps")
    await slots.get_by_label("Fin S1", exact=True).fill("09:30")
    await slots.get_by_label("Début S1", exact=True).fill("10:00")  # after its end
    await save.click()
    await expect(page.locator("#slots .refused [role=alert]")).to_contain_text("précéder sa fin")
    await screenshot(page, "settings-timetable-refused")
    await slots.get_by_label("Début S1", exact=True).fill("08:00")
    await save.click()
    await expect(page.get_by_role("status")).to_contain_text("Emploi du temps enregistré")

    await nav.get_by_role("link", name="Motifs").click()
    form = page.locator("#add-reason")
    await form.get_by_label("Code").fill("STAGE")
    await form.get_by_label("Libellé").fill("Stage en entreprise")
    await form.get_by_label("Motif national").select_option("ACTIVITE_ETAB")
    await form.get_by_label("Compte comme absence").uncheck()
    await form.get_by_role("button", name="Ajouter un motif").click()
    await page.get_by_role("cell", name="Stage en entreprise").wait_for()
    await screenshot(page, "settings-reasons")

    await nav.get_by_role("link", name="Jours fermés et vacances").click()
    form = page.locator("#add-closed")
    await form.get_by_label("Date").fill("2026-03-06")
    await form.get_by_label("Période").select_option("pm")
    await form.get_by_label("Motif de fermeture").fill("Journée pédagogique")
    await form.get_by_role("button", name="Ajouter").click()
    await page.get_by_role("cell", name="Journée pédagogique").wait_for()
    await page.locator("#import-holidays").get_by_label("Zone").select_option("C")
    await page.get_by_role("button", name="Importer les vacances scolaires").click()
    assert "ajouté" in await page.get_by_role("status").inner_text()
    await screenshot(page, "settings-calendar")

    await nav.get_by_role("link", name="Comptes du personnel").click()
    form = page.locator("#add-staff")
    await form.get_by_label("Adresse électronique").fill("prof@a.example.org")
    await form.get_by_label("Nom affiché").fill("M. Moreau")
    await form.get_by_label("Rôle").select_option("teacher")
    await form.get_by_role("button", name="Inviter une personne").click()
    assert "Invitation envoyée" in await page.get_by_role("status").inner_text()
    await (
        page.locator("#invitations")
        .get_by_role("cell", name="prof@a.example.org", exact=True)
        .wait_for()
    )
    await screenshot(page, "settings-staff")

    await nav.get_by_role("link", name="Avis aux familles").click()
    await page.get_by_label("Début des heures calmes").fill("21:00")
    await page.get_by_label("Fin des heures calmes").fill("07:30")
    await page.get_by_label("Aucun envoi le dimanche").uncheck()
    await page.get_by_role("button", name="Enregistrer").click()
    assert "enregistrées" in await page.get_by_role("status").inner_text()
    await screenshot(page, "settings-notices")
    assert page.url == base + "/notices"

    school = await School.get(uai=UAI)
    assert await TimetableSlot.exists(school=school, weekday=5, start_minute=480, label="S1")
    stage = await Reason.get(school=school, code="STAGE")
    assert not stage.counts
    assert await ClosedDay.exists(school=school, label="Journée pédagogique", half="pm")
    assert await Invitation.exists(school=school, email="prof@a.example.org", role="teacher")
    assert not await Membership.exists(school=school, user__email="prof@a.example.org")
    assert school.quiet_hours == {"start": "21:00", "end": "07:30", "sundays": False}


async def test_a_user_changes_the_password_then_the_language(live_server: str, page: Any) -> None:
    await log_in_as_admin(live_server, page)
    await page.get_by_role("link", name="Mon compte").first.click()
    await page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    await page.get_by_label("Nouveau mot de passe", exact=True).fill("a brand new password")
    await page.get_by_label("Nouveau mot de passe (encore)").fill("a brand new password")
    await page.get_by_role("button", name="Changer le mot de passe").click()
    assert "Mot de passe changé" in await page.get_by_role("status").inner_text()
    await screenshot(page, "account")
    await page.get_by_role("combobox", name="Langue de l'interface").select_option("en")
    await page.get_by_role("button", name="Enregistrer la langue").click()
    assert "Language saved" in await page.get_by_role("status").inner_text()
    assert await page.get_by_role("heading", name="My account").is_visible()


async def test_the_admin_sets_how_far_past_midday_a_lesson_stays_in_the_morning(
    live_server: str, page: Any
) -> None:
    await log_in_as_admin(live_server, page)
    nav = page.get_by_role("navigation", name="Paramètres de l'établissement")
    await nav.get_by_role("link", name="Général").click()
    tolerance = page.get_by_label("Dépassement de midi toléré (minutes)")
    await expect(tolerance).to_have_value("10")
    await tolerance.fill("15")
    await (
        page.locator("form:has(#midday_tolerance_minutes)")
        .get_by_role("button", name="Enregistrer")
        .click()
    )
    await expect(page.get_by_role("status")).to_be_visible()
    await screenshot(page, "settings-general")
    assert (await School.get(uai=UAI)).midday_tolerance_minutes == 15
