"""A school made from its own SIECLE export gets its timetable in Chromium: the admin drops the
two files on the Imports page, reads the preview and applies it; the Lessons page shows a class's
week A and week B; the vie scolaire gives a lesson to another teacher that day only; the roll
call of that day lists the lesson with its new teacher, for any date of the year."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import expect

from core.models import Lesson, School
from core.services.audit import Actor
from core.services.schools.users import add_user
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export
from tests.web.browser.conftest import screenshot

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SIECLE = FIXTURES / "siecle" / "college-jean-moulin-2026"
EDT = FIXTURES / "edt" / "college-jean-moulin"
PASSWORD = "a long enough password"
UAI = "0751234X"


async def log_in(page: Any, server: str, email: str) -> None:
    await page.goto(server + "/login")
    await page.get_by_label("Adresse électronique").fill(email)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(server + "/**")


async def test_the_timetable_imported_then_a_lesson_given_by_another_teacher(
    live_server: str, page: Any
) -> None:
    system = Actor.system("test")
    await import_siecle(load_export([SIECLE]), system, force_year=True)
    school = await School.get(uai=UAI)
    await add_user("admin@college.test", PASSWORD, school, "admin", system)
    await log_in(page, live_server, "admin@college.test")

    await page.get_by_role("link", name="Imports", exact=True).click()
    card = page.locator("#import-timetable")
    await card.get_by_label("Fichiers XML ou zip").set_input_files(
        [str(p) for p in sorted(EDT.glob("*.xml"))]
    )
    await card.get_by_label("Accepter une autre année scolaire que l'année en cours").check()
    await card.get_by_role("button", name="Prévisualiser").click()
    await page.get_by_role("heading", name="Changements à appliquer").wait_for()
    assert await page.locator('tr[data-kind="lessons"] td').first.inner_text() == "352"
    await expect(page.locator("#list-to_place")).to_contain_text("(direction)")
    await screenshot(page, "timetable-1-preview")
    await page.get_by_role("button", name="Appliquer l'import").click()
    await page.locator("#import-done").wait_for(timeout=30_000)
    assert await Lesson.filter(school=school).count() == 352

    await page.get_by_role("link", name="Cours", exact=True).click()
    await page.get_by_label("Emploi du temps de").select_option("division:5A")
    await page.get_by_label("Semaine du").fill("2026-12-07")
    await page.get_by_role("button", name="Afficher").click()
    thursday = page.locator("section.lessons-day").filter(has_text="jeudi 10 décembre")
    await expect(thursday).to_contain_text("Semaine A")  # Sciences vie & terre, week A only
    await screenshot(page, "timetable-2-week-a")
    await page.get_by_role("link", name="Semaine suivante →").click()
    next_thursday = page.locator("section.lessons-day").filter(has_text="jeudi 17 décembre")
    await expect(next_thursday).not_to_contain_text("Semaine A")

    await page.get_by_role("link", name="← Semaine précédente").click()
    first = thursday.locator("li.lesson").first
    await first.get_by_role("link", name="Modifier").click()
    await page.get_by_label("Enseignant", exact=True).select_option(label="Anne CARON")
    await page.get_by_label("Salle").fill("CDI")
    await page.locator("#lesson-move").get_by_role("button", name="Enregistrer").click()
    await expect(page.locator(".flash")).to_have_text("Cours modifié pour ce jour seulement.")
    await screenshot(page, "timetable-3-moved")

    await page.goto(f"{live_server}/s/{UAI}/roll-call?date=2026-12-10")
    await expect(page.get_by_text("Anne CARON").first).to_be_visible()
    await page.goto(f"{live_server}/s/{UAI}/roll-call?date=2027-03-11")
    assert await page.get_by_role("link", name="Faire l'appel").count() > 0
