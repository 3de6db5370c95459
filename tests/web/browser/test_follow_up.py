"""Follow-up in Chromium on the demo school: a CPE searches, chooses a column, saves, exports,
opens a student's file and records an action; direction reads without the action form; the
dashboard with every tile lit."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import expect

from cli.demo.build import DemoSummary, build_demo
from core.models import (
    Delivery,
    DeliveryStatus,
    Division,
    Event,
    InboundMessage,
    Lesson,
    Membership,
    Notice,
    NoticeKind,
    Role,
    School,
    Student,
)
from core.queries.common import day_start, zone
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import record_event
from core.services.schools.school import now_utc
from tests.web.browser.conftest import screenshot

WEEKS = 3


async def demo() -> tuple[DemoSummary, School]:
    summary = await build_demo(students=40, weeks=WEEKS, seed=5)
    return summary, await School.get(uai=summary.school_uai)


async def log_in(page: Any, live_server: str, summary: DemoSummary, role: str) -> None:
    login = next(x for x in summary.logins if x.role == role)
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill(login.email)
    await page.get_by_label("Mot de passe").fill(login.password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(live_server + "/")


async def busiest_division(school: School) -> str:
    """The division with the most events in the demo (so the search surely finds some)."""
    counts: dict[str, int] = {}
    for event in await Event.filter(school=school).prefetch_related("student__division"):
        division = event.student.division
        if division is not None:
            counts[division.code] = counts.get(division.code, 0) + 1
    return max(counts, key=lambda code: counts[code])


async def test_a_cpe_searches_saves_exports_and_acts_on_a_file(
    live_server: str, page: Any, tmp_path: Path
) -> None:
    summary, school = await demo()
    division = await busiest_division(school)
    today = date.today()
    await log_in(page, live_server, summary, "cpe")
    await page.get_by_role("link", name="Suivi", exact=True).click()
    search = page.get_by_role("form", name="Rechercher")
    await search.get_by_label("Classe", exact=True).select_option(division)
    await search.get_by_label("Du", exact=True).fill((today - timedelta(weeks=WEEKS)).isoformat())
    await search.get_by_label("Au", exact=True).fill(today.isoformat())
    await search.get_by_label("Commentaire", exact=True).check()
    await search.get_by_role("button", name="Rechercher").click()
    results = page.locator("table.fu-table tbody tr")
    await expect(results.first).to_be_visible()
    await expect(page.locator("table.fu-table thead")).to_contain_text("Commentaire")
    for text in await page.locator("table.fu-table tbody tr td:nth-child(2)").all_inner_texts():
        assert text == division
    await screenshot(page, "follow-up")

    await page.get_by_label("Nom de la recherche").fill(f"Les {division} du mois")
    await page.get_by_role("button", name="Enregistrer cette recherche").click()
    await expect(page.get_by_role("link", name=f"Les {division} du mois")).to_be_visible()
    await expect(page.locator("table.fu-table thead")).to_contain_text("Commentaire")

    async with page.expect_download() as info:
        await page.get_by_role("link", name="Exporter en CSV").click()
    download = await info.value
    target = tmp_path / download.suggested_filename
    await download.save_as(str(target))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and target.suffix == ".csv"
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:2] == ["Élève", "Classe"] and "Commentaire" in lines[0]
    assert len(lines) - 1 == await results.count() or len(lines) > 50

    first = results.first.get_by_role("link")
    name = await first.inner_text()
    await first.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    form = page.get_by_role("form", name="Ajouter une action")
    await form.get_by_label("Action", exact=True).select_option("APPEL")
    await form.get_by_label("Commentaire").fill("Mère jointe au téléphone, mot promis")
    await form.get_by_role("button", name="Enregistrer l'action").click()
    actions = page.locator("#actions table")
    await expect(actions).to_contain_text("Mère jointe au téléphone, mot promis")
    await expect(actions).to_contain_text("Appel téléphonique à la famille")
    await screenshot(page, "student-file")
    await page.emulate_media(media="print")
    await expect(page.locator("nav.main-nav")).to_be_hidden()
    await expect(form).to_be_hidden()
    await screenshot(page, "student-file-print")


async def test_direction_reads_the_file_without_the_action_form(
    live_server: str, page: Any
) -> None:
    summary, school = await demo()
    student = await Student.filter(school=school, events__id__isnull=False).first()
    assert student is not None
    await log_in(page, live_server, summary, "direction")
    await page.goto(f"{live_server}/s/{school.uai}/students/{student.id}")
    await expect(page.get_by_role("heading", name="Actions menées")).to_be_visible()
    await expect(page.get_by_role("form", name="Ajouter une action")).to_have_count(0)
    await expect(page.get_by_role("button", name="Imprimer")).to_be_visible()


async def _light_every_tile(school: School) -> None:
    """Something for each tile, as of now: an absence going on, a lateness, a failed SMS, a
    reply to validate, a lesson begun without its roll call."""
    now = now_utc()
    local = now.astimezone(zone(school))
    students = await Student.filter(school=school, active=True).order_by("id").limit(2)
    system = Actor.system("tests")
    absence = (
        await record_event(
            school,
            system,
            student_id=students[0].id,
            kind=EventKind.ABSENCE,
            start=now - timedelta(minutes=30),
        )
    ).event
    await record_event(
        school,
        system,
        student_id=students[1].id,
        kind=EventKind.LATENESS,
        # Five minutes ago, but never before the school's midnight (the tile counts today's).
        start=max(now - timedelta(minutes=5), day_start(local.date(), zone(school))),
    )
    notice = await Notice.create(
        school=school,
        student=students[0],
        event=absence,
        kind=NoticeKind.ABSENCE,
        dedupe_key=f"screenshot:{absence.id}",
    )
    await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        channel="sms",
        to="+33600000000",
        status=DeliveryStatus.FAILED,
        not_before=now,
        final_at=now,
        error="invalid number",
    )
    await InboundMessage.create(
        school=school,
        channel="sms",
        sender="+33612345678",
        text="Il est malade",
        received_at=now,
        student=students[0],
    )
    teacher = await Membership.filter(school=school, role=Role.TEACHER).first()
    division = await Division.filter(school=school).first()
    assert teacher is not None and division is not None
    await Lesson.create(
        school=school,
        teacher_id=teacher.user_id,
        division=division,
        weekday=local.weekday(),
        start_minute=0,
        end_minute=60,
        subject="Étude",
    )


async def test_the_dashboard_with_every_tile(live_server: str, page: Any) -> None:
    summary, school = await demo()
    await _light_every_tile(school)
    await log_in(page, live_server, summary, "cpe")
    await expect(page.locator("#absent-now")).to_have_text("1")
    await expect(page.locator("#late-count")).to_have_text("1")
    await expect(page.locator("#replies-count")).to_have_text("1")
    await expect(page.locator("#failed-count")).to_have_text("1")
    assert int(await page.locator("#missing-count").inner_text()) >= 1
    await screenshot(page, "dashboard-full")
    await page.locator("#absent-now").click()
    await expect(page.locator("table.fu-table tbody tr").first).to_be_visible()
