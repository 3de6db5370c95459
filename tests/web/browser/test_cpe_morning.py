"""A CPE's morning in Chromium, on a school made by the services (not the demo), dated from
today: the roll calls missing from the last school day, the grid catching up on that day from
the paper roll call (the families are told, the notice naming the day), a pupil marked absent
who had in fact arrived late, then the day's letters printed: one letter per household."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Division,
    Event,
    GuardianLink,
    Lesson,
    Person,
    School,
    Student,
)
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.services.schools.users import add_user
from core.settings import load_settings
from tests.web.browser.conftest import screenshot
from tests.web.letters_support import texts
from web.app import create_app
from web.panel.grid_data import day_label
from workers.mailroom import build_mailroom
from workers.runtime import start_runtime

PARIS = ZoneInfo("Europe/Paris")
UAI = "0750042K"
CPE, PASSWORD = "cpe@voltaire.example.org", "a long enough password"
SYSTEM = Actor.system("tests")


def last_school_day(today: date) -> date:
    """The weekday before ``today`` (the school has no closed day nor holiday zone)."""
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@pytest.fixture
async def served(db: str, tmp_path: Path) -> AsyncIterator[str]:
    """The app as ``absences serve`` gives it: its in-process worker sends the letters."""
    settings = load_settings(var_dir=tmp_path / "var")
    runtime = await start_runtime(settings, sweep=True)
    mailroom = build_mailroom(settings, runtime.ctx.get("channels"))
    server = TestServer(create_app(settings, runtime.queue, mailroom=mailroom), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
        await runtime.close()


async def voltaire(today: date, day: date) -> dict[str, Student]:
    """A school of this year: a CPE, a teacher, 5B with the Roux children (both parents at
    one address, by post only) and Noé Petit (a family with nothing to reach them by), and
    the 8:00 lesson of 5B on ``day``'s weekday."""
    school = await create_school(UAI, "Collège Voltaire", SYSTEM, today=today)
    await School.filter(id=school.id).update(notice_delay_minutes=0)
    await add_user(CPE, PASSWORD, school, "cpe", SYSTEM, display_name="Mme Lefèvre")
    teacher = await add_user("prof@voltaire.example.org", PASSWORD, school, "teacher", SYSTEM)
    d5b = await Division.create(school=school, code="5B")
    await Lesson.create(
        school=school,
        teacher=teacher,
        division=d5b,
        weekday=day.weekday(),
        start_minute=8 * 60,
        end_minute=9 * 60,
        subject="Mathématiques",
    )
    pupils = {}
    for number, (last, first) in enumerate((("Roux", "Léa"), ("Roux", "Hugo"), ("Petit", "Noé"))):
        pupils[first] = await Student.create(
            school=school,
            siecle_id=str(5000 + number),
            last_name=last,
            first_name=first,
            division=d5b,
        )
    for civility, first, street in (
        ("Mme", "Claire", "12, rue des Roses"),
        ("M.", "Marc", "12 RUE DES ROSES"),
    ):
        parent = await Person.create(
            school=school, civility=civility, last_name="Roux", first_name=first
        )
        await ContactPoint.create(
            person=parent,
            kind=ContactKind.POSTAL,
            value=street,
            address={"lines": [street], "postal_code": "75011", "city": "Paris"},
        )
        for child in ("Léa", "Hugo"):
            await GuardianLink.create(student=pupils[child], person=parent, priority=1)
    petit = await Person.create(school=school, civility="Mme", last_name="Petit", first_name="Zoé")
    await GuardianLink.create(student=pupils["Noé"], person=petit, priority=1)
    return pupils


def cell(page: Any, student: str, day: date, wall: str) -> Any:
    return page.get_by_role("gridcell", name=f"{student}, {day_label(day, 'fr')}, {wall}")


async def letters_made(count: int) -> None:
    """The in-process worker has made ``count`` letters (their PDFs), within 20 s."""
    for _ in range(200):
        made = await Delivery.filter(channel="letter", status=DeliveryStatus.SENT).count()
        if made >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the letters were not made")


async def test_a_cpes_morning(served: str, page: Any, tmp_path: Path) -> None:
    base = served
    today = datetime.now(PARIS).date()
    day = last_school_day(today)
    pupils = await voltaire(today, day)

    await page.goto(base + "/login")
    await page.get_by_label("Adresse électronique").fill(CPE)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(base + "/")

    # 1. The roll calls missing from the last school day.
    await page.get_by_role("link", name="Appel", exact=True).click()
    await page.goto(f"{base}/s/{UAI}/roll-call?date={day.isoformat()}")
    missing = page.locator("#missing")
    await expect(missing).to_contain_text("Mathématiques")
    await expect(missing).to_contain_text("5B")
    await screenshot(page, "cpe-morning-1-missing-roll-calls")

    # 2. The grid catches up on that day from the paper roll call: Léa and Hugo were absent
    # at 8:00, Noé too (says the paper).
    await page.goto(f"{base}/s/{UAI}/grid?division=5B&date={day.isoformat()}")
    await expect(page.get_by_role("grid")).to_be_visible()
    for name in ("ROUX Léa", "ROUX Hugo", "PETIT Noé"):
        first = cell(page, name, day, "08:00–08:30")
        await first.click()
        await cell(page, name, day, "08:30–09:00").click()
        await expect(page.get_by_role("status")).to_have_text("Absence enregistrée.")
    await letters_made(4)  # each child's notice to each parent
    await cell(page, "ROUX Léa", day, "08:00–08:30").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.locator("#event-notices")).to_contain_text("Courrier")
    await screenshot(page, "cpe-morning-2-grid-catch-up")
    await dialog.get_by_role("button", name="Fermer").click()

    # 3. Noé had in fact arrived at 8:20: the absence becomes a lateness, in one action.
    await cell(page, "PETIT Noé", day, "08:00–08:30").click()
    await expect(dialog.get_by_label("Type")).to_have_value("absence")
    await dialog.get_by_label("Arrivé(e) à").fill(f"{day.isoformat()}T08:20")
    await dialog.get_by_role("button", name="Valider l'arrivée").click()
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_role("status")).to_contain_text("Arrivée enregistrée")
    [noe] = await Event.filter(student_id=pupils["Noé"].id, deleted=False)
    assert noe.kind == EventKind.LATENESS
    assert noe.ends_at is not None and noe.ends_at.astimezone(PARIS).strftime("%H:%M") == "08:20"
    await expect(cell(page, "PETIT Noé", day, "08:00–08:30")).to_contain_text("R")
    await screenshot(page, "cpe-morning-3-arrived-late")

    # 4. The day's letters: four letters, one envelope, one PDF naming both parents once.
    await page.get_by_role("link", name="Courriers").click()
    to_print = page.locator('section[data-state="to_print"]')
    await expect(to_print.locator("tbody tr")).to_have_count(4)
    await expect(to_print.locator("h2")).to_contain_text("4 courriers, 1 enveloppe")
    await screenshot(page, "cpe-morning-4-letters")
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Télécharger le PDF").click()
    saved = tmp_path / "letters.pdf"
    await (await download_info.value).save_as(saved)
    printed = texts(saved.read_bytes())
    assert printed.count("Mme ROUX Claire et M. ROUX Marc") == 1
    assert printed.count("12, rue des Roses") + printed.count("12 RUE DES ROSES") == 1
    said = f"absent(e) le {day_label(day, 'fr')}"
    assert printed.count(said) == 2, printed  # Léa's and Hugo's, each once
