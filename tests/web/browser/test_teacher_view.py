"""A teacher of the demo school in Chromium: no delivery board in the menu nor behind its
address (a refusal in the panel's layout), the family of a pupil they teach on that pupil's
file, and nothing of a pupil they do not teach."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.async_api import expect

from core.models import ContactKind, ContactPoint, Division, GuardianLink, Person, Student, User
from core.queries.scope import reader_scope
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import record_event
from core.services.schools.school import now_utc
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_follow_up import demo, log_in

STRANGER_MOBILE = "+33611112222"


async def test_a_teacher_sees_neither_the_delivery_board_nor_other_families(
    live_server: str, page: Any
) -> None:
    summary, school = await demo()
    other = await Division.create(school=school, code="3Z")  # a division nobody teaches
    stranger = await Student.create(
        school=school, last_name="Zorglub", first_name="Élève", division=other
    )
    parent = await Person.create(school=school, last_name="Zorglub", first_name="Parent")
    await GuardianLink.create(student=stranger, person=parent, relationship="20")
    await ContactPoint.create(person=parent, kind=ContactKind.MOBILE, value=STRANGER_MOBILE)
    start = now_utc() - timedelta(days=1)
    await record_event(
        school, Actor.system("tests"), student_id=stranger.id, kind=EventKind.LATENESS, start=start
    )
    login = next(x for x in summary.logins if x.role == "teacher")
    teacher = await User.get(email=login.email)
    taught = (await reader_scope(school, teacher.id, "teacher")).students
    assert taught and stranger.id not in taught
    pupil = min(taught)

    await log_in(page, live_server, summary, "teacher")
    menu = page.locator("nav.main-nav")
    await expect(menu.get_by_role("link", name="Suivi", exact=True)).to_be_visible()
    await expect(menu.get_by_role("link", name="Envois")).to_have_count(0)

    response = await page.goto(f"{live_server}/s/{school.uai}/deliveries")
    assert response is not None and response.status == 403
    await expect(page.get_by_role("alert")).to_contain_text(
        "Votre rôle dans cet établissement ne donne pas accès à cette page."
    )
    await expect(menu).to_be_visible()  # the panel's layout, not a bare error
    await screenshot(page, "teacher-refused-deliveries")

    await page.goto(f"{live_server}/s/{school.uai}/students/{pupil}")
    await expect(page.locator("#guardians")).to_be_visible()
    await screenshot(page, "teacher-own-pupil")

    response = await page.goto(f"{live_server}/s/{school.uai}/students/{stranger.id}")
    assert response is not None and response.status == 404
    assert STRANGER_MOBILE not in await page.content()
    await page.goto(f"{live_server}/s/{school.uai}/follow-up?student=Zorglub")
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert STRANGER_MOBILE not in await page.content() and "ZORGLUB" not in await page.content()
