"""A teacher takes the roll call in Chromium; the vie scolaire sees the roll calls missing."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from core.models import Event, EventSource, RollCall
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.arrival import record_lateness
from core.services.events.record import record_event
from tests.web.browser.conftest import SCREENSHOTS, screenshot
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
        "Appel validé : 2 absents, 1 retard, 0 parti."
    )
    await expect(page.get_by_role("status")).to_contain_text("1 élève déjà noté")
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


async def test_on_a_phone_the_retake_shows_latenesses_with_their_arrival_in_one_line_each(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    school, desk = world.schools[UAI_A], Actor.system("tests")
    half = (at(MONDAY, 8), at(MONDAY, 8, 30))
    ines = world.students["Inès"].id
    await record_lateness(school, desk, student_id=ines, half=half, arrival=at(MONDAY, 8, 12))
    await page.set_viewport_size({"width": 390, "height": 560})  # the rows go below
    await log_in(page, live_server, "teacher")
    await page.goto(live_server + LIST)
    await expect(page.get_by_role("link", name="Aujourd'hui")).to_be_visible()
    await page.get_by_role("link", name="Faire l'appel").click()
    inès = row(page, world, "Inès")
    await expect(inès.get_by_label("Retard")).to_be_checked()  # entered in the grid
    await expect(inès.get_by_role("textbox").or_(inès.locator("input[type=time]"))).to_have_value(
        "08:12"
    )
    await row(page, world, "Hugo").get_by_label("Retard").check()
    await page.get_by_label("Heure d'arrivée ou de départ de BERNARD Hugo").fill("08:20")
    await assert_fits_a_phone(page)
    await page.screenshot(path=str(SCREENSHOTS / "roll-call-phone.png"))  # as the phone shows it
    await page.get_by_role("button", name="Valider l'appel").click()
    await expect(page.get_by_role("status")).to_contain_text("Appel validé")

    await page.get_by_role("link", name="Reprendre l'appel").click()
    hugo = row(page, world, "Hugo")
    await expect(hugo.get_by_label("Retard")).to_be_checked()
    await expect(hugo.locator("input[type=time]")).to_have_value("08:20")
    await expect(row(page, world, "Léa").get_by_label("Présent")).to_be_checked()
    await assert_fits_a_phone(page)
    await page.screenshot(path=str(SCREENSHOTS / "roll-call-phone-retake.png"))
    assert await Event.filter(student_id=ines).count() == 1  # nothing recorded twice


async def assert_fits_a_phone(page: Any) -> None:
    """No sideways scrolling, one line a pupil, the submit button in view without scrolling."""
    wide = await page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .map(e => e.tagName + "." + e.className)"""
    )
    fits = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"the page scrolls sideways: {wide}"
    heights = await page.locator("table.roll tbody tr").evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    assert max(heights) < 48, heights
    await page.evaluate("window.scrollTo(0, 0)")
    box = await page.get_by_role("button", name="Valider l'appel").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 560  # kept in view: sticky
