"""A guardian's Telegram code in Chromium, on the demo school: the CPE shows a code in the
student's file (the code, its expiry, the deep link and its QR code), sends it by SMS, and
stops a chat the family had linked."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from cli.demo.build import build_demo
from core.models import ChatLink, Delivery, GuardianLink, School
from tests.web.browser.conftest import SCREENSHOTS, screenshot
from tests.web.browser.test_convocation import reachable_student
from tests.web.browser.test_follow_up import log_in


@pytest.fixture(autouse=True)
def bot_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """The served app knows its bot (set before ``live_server`` reads the settings)."""
    monkeypatch.setenv("ABSENCES_TELEGRAM_BOT_USERNAME", "college_demo_absences_bot")


async def test_the_cpe_shows_sends_a_code_and_stops_a_chat(live_server: str, page: Any) -> None:
    summary = await build_demo(students=12, weeks=1, seed=7)
    school = await School.get(uai=summary.school_uai)
    student = await reachable_student(school)
    links = await GuardianLink.filter(student=student).order_by("priority", "id")
    chat = await ChatLink.create(person_id=links[-1].person_id, chat_id="5550001")
    file = f"{live_server}/s/{school.uai}/students/{student.id}"

    await log_in(page, live_server, summary, "cpe")
    await page.goto(file + "#guardians")
    guardians = page.locator("#guardians")
    await expect(guardians).to_contain_text("liée le")
    await guardians.screenshot(path=str(SCREENSHOTS / "chat-code-ask.png"))
    await guardians.get_by_role("button", name="Code Telegram").first.click()
    shown = page.locator(".chat-code")
    await expect(shown).to_contain_text("Valable une seule fois")
    await expect(shown.locator("svg")).to_have_count(1)
    await expect(shown.get_by_role("link")).to_contain_text(
        "https://t.me/college_demo_absences_bot"
    )
    await guardians.screenshot(path=str(SCREENSHOTS / "chat-code-shown.png"))
    await screenshot(page, "chat-code-file")
    await shown.get_by_role("button", name="Envoyer par SMS au").click()
    await page.wait_for_url(f"{file}#notices")
    await expect(page.locator("#notices")).to_contain_text("Code Telegram d'un responsable")
    assert await Delivery.filter(notice__kind="chat_code", channel="sms").count() == 1

    await page.goto(file + "#guardians")
    await page.get_by_role("button", name="Arrêter la liaison Telegram").click()
    await page.wait_for_url(f"{file}#guardians")
    await expect(page.locator("#guardians")).to_contain_text("arrêtée par l'établissement")
    await chat.refresh_from_db()
    assert chat.active is False
