"""A teacher takes the roll call in Chromium; the vie scolaire sees the roll calls missing."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from core.models import Event, EventSource, RollCall
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import record_event
from tests.web.browser.conftest import screenshot
from tests.web.grid_support import STAFF, World, build_world
from tests.web.personas import MONDAY, PASSWORD, UAI_A, at

LIST = f"/s/{UAI_A}/roll-call?date={MONDAY.isoformat()}"


async def log_in(page: Any, live_server: str, persona: str) -> None:
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill(STAFF[persona][0])
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(live_server + "/**")


def row(page: Any, world: World, name: str) -> Any:
    return page.locator(f'tr[data-student="{world.students[name].id}"]')


async def test_a_teacher_takes_the_roll_call_two_absent_one_late(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    await record_event(  # the vie scolaire already knows Noé is away this morning
        world.schools[UAI_A],
        Actor.system("tests"),
        student_id=world.students["Noé"].id,
        kind=EventKind.ABSENCE,
        start=at(MONDAY, 8),
        end=at(MONDAY, 12),
    )
    await log_in(page, live_server, "teacher")
    await page.goto(live_server + LIST)
    lessons = page.locator("ul.lessons li")
    await expect(lessons).to_have_count(1)  # only the teacher's own lesson
    await expect(lessons).to_contain_text("Mathématiques")
    await lessons.get_by_role("link", name="Faire l'appel").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Appel — Mathématiques 5B")
    await expect(row(page, world, "Noé")).to_contain_text("déjà noté absent")
    await expect(row(page, world, "Noé").get_by_label("Absent")).to_be_checked()
    await expect(row(page, world, "Léa").get_by_label("Présent")).to_be_checked()
    await row(page, world, "Léa").get_by_label("Absent").check()
    await row(page, world, "Hugo").get_by_label("Absent").check()
    await row(page, world, "Inès").get_by_label("Retard").check()
    await page.get_by_label("Heure d'arrivée ou de départ de DUPONT Inès").fill("08:10")
    await screenshot(page, "roll-call-form")
    await page.get_by_role("button", name="Valider l'appel").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "Appel validé : 2 absent(s), 1 retard(s), 0 parti(s)."
    )
    await expect(page.get_by_role("status")).to_contain_text("1 élève(s) déjà noté(s)")
    await expect(page.locator("ul.lessons li")).to_contain_text("Appel fait")
    await screenshot(page, "roll-call")
    events = await Event.filter(source=EventSource.ROLL_CALL).order_by("student_id")
    assert sorted((e.student_id, e.kind, e.starts_at, e.ends_at) for e in events) == sorted(
        [
            (world.students["Léa"].id, EventKind.ABSENCE, at(MONDAY, 8), at(MONDAY, 9)),
            (world.students["Hugo"].id, EventKind.ABSENCE, at(MONDAY, 8), at(MONDAY, 9)),
            (world.students["Inès"].id, EventKind.LATENESS, at(MONDAY, 8), at(MONDAY, 8, 10)),
        ]
    )
    assert await Event.filter(student_id=world.students["Noé"].id).count() == 1
    assert await RollCall.filter(lesson=world.lessons["maths"], validated=True).exists()


async def test_the_vie_scolaire_sees_the_missing_roll_call_of_another_lesson(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    await log_in(page, live_server, "teacher")
    await page.goto(live_server + LIST)
    await page.get_by_role("link", name="Faire l'appel").click()
    await page.get_by_role("button", name="Valider l'appel").click()
    await expect(page.get_by_role("status")).to_contain_text("Appel validé")
    await page.get_by_role("button", name="Se déconnecter").click()

    await log_in(page, live_server, "vie")
    await page.goto(live_server + LIST)
    missing = page.locator("#missing tbody tr")
    await expect(missing).to_have_count(1)
    await expect(missing).to_contain_text("Anglais")
    await expect(missing).to_contain_text("Mme Simon")
    await screenshot(page, "roll-call-missing")
    await missing.get_by_role("link", name="Faire l'appel").click()  # the vie scolaire may
    await expect(page.get_by_role("heading", level=1)).to_have_text("Appel — Anglais 5B")
    assert world.lessons["english"].id > 0
