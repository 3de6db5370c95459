"""Convoking a family in Chromium, on the demo school: the CPE fills the form of a student's
file and finds the convocation among the notices; the vie scolaire reads the file, no form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from cli.demo.build import build_demo
from core.models import Notice, School, Student
from core.rules import notices as rules
from core.services.notices.recipients import guardian_options
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_follow_up import log_in


async def reachable_student(school: School) -> Student:
    """A student whose legal guardians can be reached on some channel."""
    for student in await Student.filter(school=school, active=True).order_by("id"):
        options, _ = await guardian_options(student.id)
        if any(rules.channel_plan(g, school.channel_order) for g in rules.recipients(options)):
            return student
    raise AssertionError("the demo has no reachable family")


async def test_the_cpe_convokes_a_family_and_the_vie_scolaire_cannot(
    live_server: str, page: Any
) -> None:
    summary = await build_demo(students=12, weeks=1, seed=7)
    school = await School.get(uai=summary.school_uai)
    student = await reachable_student(school)
    file = f"{live_server}/s/{school.uai}/students/{student.id}"
    meeting = datetime.now(UTC).astimezone(ZoneInfo(school.timezone)) + timedelta(days=5)

    await log_in(page, live_server, summary, "cpe")
    await page.goto(file)
    form = page.get_by_role("form", name="Convoquer la famille")
    await form.get_by_label("Date et heure du rendez-vous").fill(meeting.strftime("%Y-%m-%dT10:30"))
    await form.get_by_label("Lieu").fill("bureau de la CPE")
    await form.get_by_label("Avec").fill("la conseillère principale d'éducation")
    await form.get_by_label("Message (facultatif)").fill("Au sujet des retards répétés.")
    await screenshot(page, "convocation-form")
    await form.get_by_role("button", name="Envoyer la convocation").click()
    await page.wait_for_url(f"{file}#notices")
    notices = page.locator("#notices")
    await expect(notices).to_contain_text("Convocation")
    await screenshot(page, "convocation-sent")
    notice = await Notice.get(kind="convocation")
    assert notice.student_id == student.id and notice.payload["place"] == "bureau de la CPE"

    await page.context.clear_cookies()
    await log_in(page, live_server, summary, "vie_scolaire")
    await page.goto(file)
    await expect(page.locator("#notices")).to_contain_text("Convocation")
    await expect(page.get_by_role("form", name="Convoquer la famille")).to_have_count(0)
