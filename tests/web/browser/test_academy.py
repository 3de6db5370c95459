"""An inspector with the direction role in two schools — one made from its SIECLE export, with
absences recorded — reads the academy view of a month in a real browser."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.models import Role, School, Student
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import record_event
from core.services.schools.school import create_school
from core.services.schools.users import add_user, grant_role
from core.services.siecle.importer import import_siecle
from core.siecle.files import load_export
from tests.web.browser.conftest import log_in, screenshot

SIECLE = Path(__file__).resolve().parents[2] / "fixtures" / "siecle" / "college-jean-moulin-2026"
PASSWORD = "a long enough password"
PARIS = ZoneInfo("Europe/Paris")


async def test_an_inspector_reads_the_academy_view(live_server: str, page: Any) -> None:
    actor = Actor.system("tests")
    await import_siecle(load_export([SIECLE]), actor, today=date(2026, 9, 1))
    moulin = await School.get(uai="0751234X")
    other = await create_school("0759001X", "Collège Voltaire", actor, today=date(2026, 9, 1))
    pupil = (
        await Student.filter(school=moulin, active=True, division_id__isnull=False)
        .order_by("id")
        .first()
    )
    assert pupil is not None
    await record_event(
        moulin,
        actor,
        student_id=pupil.id,
        kind=EventKind.ABSENCE,
        start=datetime.combine(date(2026, 11, 2), time(7), tzinfo=PARIS),
        end=datetime.combine(date(2026, 11, 3), time(19), tzinfo=PARIS),
    )
    inspector = await add_user("ia@academie.example", PASSWORD, moulin, "direction", actor)
    await grant_role(inspector, other, Role.DIRECTION, actor)

    await log_in(page, live_server, "ia@academie.example", PASSWORD)
    await page.get_by_role("link", name="Absentéisme des établissements").click()
    await page.locator("#month").fill("2026-11")
    await page.get_by_role("button", name="Afficher").click()
    rows = page.locator("#academy-schools tbody tr")
    await rows.first.wait_for()
    assert await rows.count() == 2
    moulin_row = page.locator("#academy-schools tbody tr", has_text="0751234X")
    assert "0,2\u202f%" in await moulin_row.inner_text()  # French: a comma, a narrow space
    await screenshot(page, "academy")
    await page.goto(live_server + "/stats/academy?month=2026-13")
    assert "Mois invalide" in await page.locator("#academy-error").inner_text()
