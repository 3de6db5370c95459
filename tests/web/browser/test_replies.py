"""A CPE accepts a family's reply from the Réponses queue in a real browser, on the demo as it
is built (its guardians' mobiles are imported ones, so their replies are matched)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import expect

from cli.demo.build import build_demo
from core.models import (
    ContactKind,
    ContactPoint,
    Event,
    GuardianLink,
    InboundMessage,
    Person,
    School,
    Student,
)
from core.rules.counting import EventKind
from core.services.notices.inbound import receive_sms
from tests.web.browser.conftest import screenshot


async def _a_reply_to_an_open_absence() -> tuple[InboundMessage, Event]:
    now = datetime.now(UTC)
    for event in await Event.filter(
        kind=EventKind.ABSENCE,
        deleted=False,
        accepted__isnull=True,
        starts_at__lte=now,
        starts_at__gte=now - timedelta(days=6),
    ).order_by("-starts_at"):
        link = await GuardianLink.filter(student_id=event.student_id).order_by("priority").first()
        point = (
            link
            and await ContactPoint.filter(person_id=link.person_id, kind=ContactKind.MOBILE).first()
        )
        if point:  # the demo's contact points are imported ones: a reply is matched
            text = "Bonjour, il a de la fièvre depuis hier soir, je vous envoie un mot"
            received = await receive_sms("twilio", "SMbrowser", point.value, text, now, {})
            if event.id in received.message.event_ids:
                return received.message, event
    raise AssertionError("the demo has no open absence with a guardian's mobile")


async def test_a_cpe_accepts_a_reply_in_one_click(live_server: str, page: Any) -> None:
    summary = await build_demo(students=60, weeks=1, seed=3)
    reply, event = await _a_reply_to_an_open_absence()
    cpe = next(login for login in summary.logins if login.role == "cpe")
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill(cpe.email)
    await page.get_by_label("Mot de passe").fill(cpe.password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("link", name="Réponses").first.click()
    row = page.locator(f'tr[data-reply="{reply.id}"]')
    await expect(row).to_contain_text("Maladie de l'élève")
    await screenshot(page, "replies")
    await row.get_by_role("button", name="Accepter").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Réponse acceptée : l'absence est justifiée."
    )
    await expect(page.locator(f'tr[data-reply="{reply.id}"]')).to_have_count(0)
    accepted = await Event.get(id=event.id).prefetch_related("reason__generic")
    assert accepted.reason is not None and accepted.reason.generic.code == "MALADIE"


async def test_a_cpe_attaches_a_reply_from_an_unknown_number_and_sees_the_conversation(
    live_server: str, page: Any
) -> None:
    summary = await build_demo(students=60, weeks=1, seed=3)
    reply, event = await _a_reply_to_an_open_absence()
    link = await GuardianLink.filter(student_id=event.student_id).order_by("priority").first()
    assert link is not None
    guardian = await Person.get(id=link.person_id)
    student = await Student.get(id=event.student_id)
    school = await School.get(id=student.school_id)
    await School.filter(id=school.id).update(sms_sender="+33757000009")
    text = "Bonjour c'est son père, il avait rendez-vous chez l'orthodontiste"
    stranger = await receive_sms(
        "twilio",
        "SMstranger",
        "+33655500011",
        text,
        datetime.now(UTC),
        {},
        recipient="+33757000009",
    )
    cpe = next(login for login in summary.logins if login.role == "cpe")
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill(cpe.email)
    await page.get_by_label("Mot de passe").fill(cpe.password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.goto(f"{live_server}/s/{school.uai}/replies?status=unmatched")
    row = page.locator(f'tr[data-reply="{stranger.message.id}"]')
    await expect(row).to_contain_text("orthodontiste")
    await screenshot(page, "replies-unmatched")
    await row.get_by_role("link", name="Rattacher à un responsable…").click()
    await page.get_by_label("Nom du responsable ou de l'élève").fill(student.last_name)
    await page.get_by_role("button", name="Chercher").click()
    await screenshot(page, "reply-attach-search")
    found = page.locator("li", has_text=guardian.display_name).first
    await found.get_by_role("button", name="C'est ce responsable").click()
    await expect(page.get_by_role("status")).to_contain_text("vérifiez l'élève et les absences")
    await screenshot(page, "reply-attach-child")
    attached = await InboundMessage.get(id=stranger.message.id)
    assert attached.person_id == guardian.id and attached.status == "pending"
    await page.goto(f"{live_server}/s/{school.uai}/replies")
    await expect(page.locator(f'tr[data-reply="{stranger.message.id}"]')).to_contain_text(
        "Rendez-vous médical"
    )
    await screenshot(page, "replies-pending")
    await page.goto(f"{live_server}/s/{school.uai}/students/{student.id}")
    conversation = page.locator("#replies")
    await expect(conversation).to_contain_text("orthodontiste")
    await screenshot(page, "student-conversation")
    assert reply.id != stranger.message.id
