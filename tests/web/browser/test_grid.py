"""A CPE uses the entry grid in Chromium: clicks, keyboard, the details dialog, the week view."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from core.models import Event
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import EventPatch, correct_event, record_event
from tests.web.browser.conftest import screenshot
from tests.web.grid_support import STAFF, World, build_world
from tests.web.personas import MONDAY, PASSWORD, UAI_A, at

GRID = f"/s/{UAI_A}/grid?division=5B&date={MONDAY.isoformat()}"
LATENESS_ORANGE = "rgb(240, 173, 78)"  # the school's default lateness colour, #f0ad4e
ILLNESS_BLUE = "rgb(78, 121, 167)"  # the default colour of the reason MALADIE, #4e79a7


async def open_grid(page: Any, live_server: str, persona: str = "cpe", query: str = GRID) -> None:
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill(STAFF[persona][0])
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(live_server + "/**")
    await page.goto(live_server + query)
    await expect(page.get_by_role("grid")).to_be_visible()


def cell(page: Any, student: str, wall: str, day: str = "lundi 2 mars") -> Any:
    return page.get_by_role("gridcell", name=f"{student}, {day}, {wall}")


def background(locator: Any) -> Any:
    return locator.evaluate("td => getComputedStyle(td).backgroundColor")


async def events_of(world: World, name: str) -> list[Event]:
    return await Event.filter(student_id=world.students[name].id, deleted=False).order_by("id")


async def test_in_lateness_mode_one_click_records_a_lateness_with_its_arrival(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    await open_grid(page, live_server)
    await page.get_by_label("un retard (un clic)").check()
    await page.get_by_label("arrivée à", exact=True).fill("08:12")
    target = cell(page, "MARTIN Léa", "08:00–08:30")
    await target.click()
    await expect(page.get_by_role("status")).to_have_text(
        "Retard enregistré : MARTIN Léa, lundi 2 mars, 08:00–08:30, arrivée à 08:12."
    )
    [event] = await events_of(world, "Léa")
    assert (event.kind, event.starts_at, event.ends_at) == (
        EventKind.LATENESS,
        at(MONDAY, 8),
        at(MONDAY, 8, 12),
    )
    await expect(target).to_have_text("R?")
    await expect(target).to_have_attribute("aria-label", re.compile("arrivée à 08:12, à décider$"))
    assert await background(target) == LATENESS_ORANGE
    await page.get_by_label("arrivée à", exact=True).fill("")
    later = cell(page, "BERNARD Hugo", "10:30–11:00")
    await later.click()  # entered after the day: the arrival is the half-period's start
    await expect(later).to_have_text("R?")
    [late] = await events_of(world, "Hugo")
    assert (late.starts_at, late.ends_at) == (at(MONDAY, 10), at(MONDAY, 10, 30))
    await page.reload()
    await expect(page.get_by_label("un retard (un clic)")).to_be_checked()  # the mode is kept
    await screenshot(page, "grid-lateness")


async def test_in_absence_mode_the_same_cell_twice_is_an_absence_of_that_half_period(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    await open_grid(page, live_server)
    target = cell(page, "MARTIN Léa", "08:00–08:30")
    await target.click()
    await expect(target).to_have_class(re.compile(r"\barmed\b"))
    await expect(page.get_by_role("status")).to_contain_text("Début sélectionné")
    await target.click()
    await expect(page.get_by_role("status")).to_have_text("Absence enregistrée.")
    [event] = await events_of(world, "Léa")
    assert (event.kind, event.starts_at, event.ends_at) == (
        EventKind.ABSENCE,
        at(MONDAY, 8),
        at(MONDAY, 8, 30),
    )


async def test_two_clicks_record_an_absence_across_two_slots(live_server: str, page: Any) -> None:
    world = await build_world()
    await open_grid(page, live_server)
    await cell(page, "BERNARD Hugo", "09:00–09:30").click()
    await cell(page, "BERNARD Hugo", "10:30–11:00").click()
    await expect(page.get_by_role("status")).to_have_text("Absence enregistrée.")
    [event] = await events_of(world, "Hugo")
    assert (event.kind, event.starts_at, event.ends_at) == (
        EventKind.ABSENCE,
        at(MONDAY, 9),
        at(MONDAY, 11),
    )
    for wall in ("09:00–09:30", "09:30–10:00", "10:00–10:30", "10:30–11:00"):
        await expect(cell(page, "BERNARD Hugo", wall)).to_have_text("A?")
    await expect(cell(page, "BERNARD Hugo", "11:00–11:30")).to_have_text("")
    await screenshot(page, "grid-day")


async def test_escape_cancels_an_armed_selection(live_server: str, page: Any) -> None:
    world = await build_world()
    await open_grid(page, live_server)
    first = cell(page, "PETIT Noé", "14:00–14:30")
    await first.click()
    await expect(first).to_have_class(re.compile(r"\barmed\b"))
    await page.keyboard.press("Escape")
    await expect(first).not_to_have_class(re.compile(r"\barmed\b"))
    await expect(page.get_by_role("status")).to_have_text("Sélection annulée.")
    second = cell(page, "PETIT Noé", "15:00–15:30")
    await second.click()  # arms again: not the end of an absence begun at 14:00
    await expect(second).to_have_class(re.compile(r"\barmed\b"))
    assert await events_of(world, "Noé") == []


async def test_arrows_move_and_enter_marks(live_server: str, page: Any) -> None:
    world = await build_world()
    await open_grid(page, live_server)
    start = cell(page, "DUPONT Inès", "08:00–08:30")
    await start.focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowDown"):
        await page.keyboard.press(key)
    focused = cell(page, "MARTIN Léa", "09:00–09:30")
    await expect(focused).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(focused).to_have_class(re.compile(r"\barmed\b"))
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("Enter")  # 09:00 → 10:00–10:30: an absence from 9:00 to 10:30
    await expect(page.get_by_role("status")).to_have_text("Absence enregistrée.")
    [event] = await events_of(world, "Léa")
    assert (event.starts_at, event.ends_at) == (at(MONDAY, 9), at(MONDAY, 10, 30))
    await page.keyboard.press("ArrowUp")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Enter")  # the same cell twice: an absence 10:00–10:30 for Inès
    await expect(page.get_by_role("status")).to_have_text("Absence enregistrée.")
    [absence] = await events_of(world, "Inès")
    assert (absence.kind, absence.starts_at) == (EventKind.ABSENCE, at(MONDAY, 10))


async def test_the_details_change_the_reason_then_mark_it_entered_by_mistake(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    event = (
        await record_event(
            world.schools[UAI_A],
            Actor.system("tests"),
            student_id=world.students["Noé"].id,
            kind=EventKind.ABSENCE,
            start=at(MONDAY, 8),
            end=at(MONDAY, 10),
        )
    ).event
    await open_grid(page, live_server)
    target = cell(page, "PETIT Noé", "08:30–09:00")
    await target.click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("heading", level=2)).to_have_text("Absence — PETIT Noé")
    await dialog.get_by_label("Motif").select_option("MALADIE")
    await dialog.get_by_label("Justificatif", exact=True).select_option("CERTIFICAT_MEDICAL")
    await dialog.get_by_label("Justifiée", exact=True).check()
    await dialog.get_by_label("Régularisée").check()
    await dialog.get_by_label("Commentaire").fill("Certificat apporté par la mère")
    await screenshot(page, "grid-details")
    await dialog.get_by_role("button", name="Enregistrer").click()
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_role("status")).to_have_text("Modifications enregistrées.")
    await event.refresh_from_db()
    await event.fetch_related("reason", "justification")
    assert event.reason is not None and event.reason.code == "MALADIE"
    assert event.justification is not None and event.justification.code == "CERTIFICAT_MEDICAL"
    assert (event.accepted, event.settled, event.version) == (True, True, 2)
    assert event.comment == "Certificat apporté par la mère"
    assert await background(target) == ILLNESS_BLUE

    await target.click()
    await expect(dialog.locator("#event-history li")).to_have_count(2)
    await expect(dialog.locator("#event-notices")).to_contain_text("")
    delete = dialog.get_by_role("button", name="Saisie erronée")
    await delete.click()
    await dialog.get_by_role("button", name="Confirmer : saisie erronée").click()
    await expect(dialog).to_be_hidden()
    await event.refresh_from_db()
    assert event.deleted
    await expect(target).to_have_text("")


async def test_a_stale_dialog_says_so_instead_of_overwriting(live_server: str, page: Any) -> None:
    world = await build_world()
    school = world.schools[UAI_A]
    event = (
        await record_event(
            school,
            Actor.system("tests"),
            student_id=world.students["Noé"].id,
            kind=EventKind.LATENESS,
            start=at(MONDAY, 8),
        )
    ).event
    await open_grid(page, live_server)
    await cell(page, "PETIT Noé", "08:00–08:30").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await correct_event(school, Actor.system("someone else"), event.id, EventPatch(comment="x"))
    await dialog.get_by_label("Commentaire").fill("mine")
    await dialog.get_by_role("button", name="Enregistrer").click()
    await expect(dialog.get_by_role("alert")).to_contain_text("modifiée entre-temps")
    await expect(dialog.get_by_label("Commentaire")).to_have_value("x")


async def test_the_week_view_records_an_absence_across_two_days(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    await open_grid(page, live_server, query=GRID + "&view=week")
    await expect(page.locator("thead")).to_contain_text("vendredi 6 mars")
    await cell(page, "MARTIN Léa", "16:00–16:30", "lundi 2 mars").click()
    await cell(page, "MARTIN Léa", "08:30–09:00", "mardi 3 mars").click()
    await expect(page.get_by_role("status")).to_have_text("Absence enregistrée.")
    [event] = await events_of(world, "Léa")
    tuesday = MONDAY.replace(day=3)
    assert (event.starts_at, event.ends_at) == (at(MONDAY, 16), at(tuesday, 9))
    await screenshot(page, "grid-week")


async def test_the_direction_sees_the_grid_read_only(live_server: str, page: Any) -> None:
    world = await build_world()
    await open_grid(page, live_server, persona="direction")
    await expect(page.get_by_text("Lecture seule")).to_be_visible()
    await cell(page, "MARTIN Léa", "08:00–08:30").click()
    await cell(page, "MARTIN Léa", "08:00–08:30").click()
    await expect(page.get_by_role("status")).to_contain_text("Lecture seule")
    assert await events_of(world, "Léa") == []


async def test_at_tablet_width_the_slots_scroll_and_the_names_stay(
    live_server: str, page: Any
) -> None:
    await build_world()
    await page.set_viewport_size({"width": 768, "height": 1024})
    await open_grid(page, live_server, query=GRID + "&view=week")
    wrap = page.locator(".grid-wrap")
    sizes = await wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert sizes[0] > sizes[1]  # the slot columns scroll sideways
    await wrap.evaluate("w => { w.scrollLeft = 400; }")
    name = page.get_by_role("rowheader", name="MARTIN Léa")
    box, frame = await name.bounding_box(), await wrap.bounding_box()
    assert box is not None and frame is not None and abs(box["x"] - frame["x"]) < 3
    assert await page.evaluate("document.documentElement.scrollWidth") <= 768
    await screenshot(page, "grid-tablet")


async def test_arrived_at_turns_an_absence_into_a_lateness_from_the_dialog(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    system = Actor.system("tests")
    absent = world.students["Hugo"].id
    school = world.schools[UAI_A]
    await record_event(
        school,
        system,
        student_id=absent,
        kind=EventKind.ABSENCE,
        start=at(MONDAY, 8),
        end=at(MONDAY, 12),
    )
    await open_grid(page, live_server)
    await cell(page, "BERNARD Hugo", "09:00–09:30").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_label("Type")).to_have_value("absence")
    await expect(dialog.get_by_label("Début")).to_have_value("2026-03-02T08:00")
    await dialog.get_by_label("Arrivé(e) à").fill("2026-03-02T10:12")
    await screenshot(page, "grid-arrival")
    await dialog.get_by_role("button", name="Valider l'arrivée").click()
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_role("status")).to_contain_text("Arrivée enregistrée")
    absence, late = await events_of(world, "Hugo")
    assert (absence.ends_at, late.kind, late.starts_at, late.ends_at) == (
        at(MONDAY, 10),
        EventKind.LATENESS,
        at(MONDAY, 10),
        at(MONDAY, 10, 12),
    )
    await expect(cell(page, "BERNARD Hugo", "09:30–10:00")).to_have_text("A?")
    await expect(cell(page, "BERNARD Hugo", "10:00–10:30")).to_have_text("R?")
    await expect(cell(page, "BERNARD Hugo", "10:30–11:00")).to_have_text("")


async def test_every_entry_shows_its_state_by_a_symbol_and_the_legend_its_colours(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    system, school = Actor.system("tests"), world.schools[UAI_A]
    for name, hour, reason in (("Hugo", 8, "MALADIE"), ("Léa", 9, "CONVENANCE"), ("Noé", 10, None)):
        await record_event(
            school,
            system,
            student_id=world.students[name].id,
            kind=EventKind.ABSENCE,
            start=at(MONDAY, hour),
            end=at(MONDAY, hour + 1),
            reason=reason,
        )
    await open_grid(page, live_server)
    marked = page.locator("td.has-event")
    await expect(marked).to_have_count(6)
    states = await marked.evaluate_all(
        "cells => cells.map(td => [td.dataset.state, td.querySelector('.state')?.textContent])"
    )
    assert sorted(set(map(tuple, states))) == [
        ("accepted", "✓"),
        ("rejected", "✗"),
        ("undecided", "?"),
    ]
    await expect(cell(page, "BERNARD Hugo", "08:00–08:30")).to_have_attribute(
        "aria-label", re.compile("justifiée$")
    )
    legend = page.get_by_role("region", name="Légende")
    await expect(legend).to_contain_text("Absence, sans motif")
    await expect(legend).to_contain_text("Maladie de l'élève")
    await expect(legend).to_contain_text("non justifiée")
    swatch = legend.locator(".swatch[data-colour='#d9534f']").first
    assert await background(swatch) == "rgb(217, 83, 79)"
    assert await swatch.evaluate("s => getComputedStyle(s).color") == "rgb(0, 0, 0)"
    await screenshot(page, "grid-legend")


async def test_the_follow_up_and_the_student_file_open_the_same_event_dialog(
    live_server: str, page: Any
) -> None:
    world = await build_world()
    pupil = world.students["Noé"]
    event = (
        await record_event(
            world.schools[UAI_A],
            Actor.system("tests"),
            student_id=pupil.id,
            kind=EventKind.ABSENCE,
            start=at(MONDAY, 8),
            end=at(MONDAY, 10),
        )
    ).event
    follow_up = f"/s/{UAI_A}/follow-up?student={pupil.id}&start=2026-03-01&end=2026-03-31"
    await open_grid(page, live_server)
    await page.goto(live_server + follow_up)
    await page.locator("table.fu-table").get_by_role("button", name="Absence").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_role("heading", level=2)).to_have_text("Absence — PETIT Noé")
    await dialog.get_by_label("Motif").select_option("ACTIVITE_ETAB")
    await expect(dialog.get_by_label("Compte dans les absences")).not_to_be_checked()
    await screenshot(page, "follow-up-dialog")
    await dialog.get_by_role("button", name="Enregistrer", exact=True).click()
    await expect(dialog).to_be_hidden()
    await event.refresh_from_db()
    assert (event.reason_id is not None, event.counts) == (True, False)

    await page.goto(f"{live_server}/s/{UAI_A}/students/{pupil.id}?year=2025")
    await page.locator("#events").get_by_role("button", name="Absence").click()
    await expect(dialog.get_by_role("heading", level=2)).to_have_text("Absence — PETIT Noé")
    await expect(dialog.locator("#event-history li")).to_have_count(2)
    await screenshot(page, "student-file-dialog")
    await dialog.get_by_role("button", name="Fermer").click()
    await expect(dialog).to_be_hidden()


async def test_a_sunday_says_no_lesson_and_leads_to_the_next_school_day(
    live_server: str, page: Any
) -> None:
    await build_world()
    await open_grid(page, live_server, query=GRID)
    await page.goto(f"{live_server}/s/{UAI_A}/grid?division=5B&date=2026-03-08")
    note = page.get_by_role("note")
    await expect(note).to_contain_text("dimanche 8 mars : pas de cours")
    await screenshot(page, "grid-sunday")
    await note.get_by_role("link", name="Prochain jour de classe : lundi 9 mars").click()
    await expect(page.get_by_role("grid")).to_be_visible()
    await expect(page.get_by_role("grid")).to_contain_text("lundi 9 mars")
