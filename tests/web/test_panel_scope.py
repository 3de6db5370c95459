"""The panel applies the same visibility rule as the API: a teacher sees the students they
teach — without comments, justification types, action comments or replies' texts, and with
only the generic reason unless the school shows the local one — and no delivery board."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.models import Event, GenericReason, Lesson, Reason
from core.rules.counting import EventKind
from core.services.events.actions import record_action
from core.services.events.record import correct_event, parse_patch, record_event
from core.services.schools.school import SchoolSettingsPatch, update_settings
from tests.web.follow_up_support import World, build_world, log_in
from tests.web.personas import MONDAY, SYSTEM, UAI_A, at

Client = TestClient[Any, Any]
SECRET = "antibiotiques"  # the comment a teacher must never read
ACTION = "Entretien : la mère signale un suivi psychologique"


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    """The follow-up world; the teacher teaches 5B (Marie, Léo), not 4A (Inès). Marie was
    away on Thursday with an angina (local reason under « Maladie de l'élève »), a comment, a
    medical certificate and an action with a comment."""
    world = await build_world()
    await Lesson.create(
        school=world.school,
        teacher=world.users["teacher"],
        division=world.divisions["5B"],
        weekday=0,
        start_minute=480,
        end_minute=540,
    )
    generic = await GenericReason.get(code="MALADIE")
    await Reason.create(school=world.school, generic=generic, code="ANGINE", label="Angine")
    event = await record_event(
        world.school,
        SYSTEM,
        student_id=world.sid("Marie"),
        kind=EventKind.ABSENCE,
        start=at(MONDAY, 8, days=3),
        end=at(MONDAY, 12, days=3),
        reason="ANGINE",
        comment=f"Angine, {SECRET}",
        now=at(MONDAY, 8, days=3),
    )
    patch = parse_patch({"justification": "CERTIFICAT_MEDICAL"})
    world.events["marie_thu"] = await correct_event(world.school, SYSTEM, event.id, patch)
    await record_action(
        world.school, SYSTEM, world.sid("Marie"), "ENTRETIEN", at(MONDAY, 14, days=3), ACTION
    )
    return world


def file_of(world: World, first: str) -> str:
    return f"/s/{UAI_A}/students/{world.sid(first)}?year=2025"


def detail_of(event: Event) -> str:
    return f"/s/{UAI_A}/grid/events/{event.id}"


async def test_the_cpe_sees_the_whole_file(world: World, app_client: Client) -> None:
    await log_in(app_client, "cpe")
    page = await (await app_client.get(file_of(world, "Marie"))).text()
    assert "Angine" in page and SECRET in page and "Certificat médical" in page
    assert ACTION in page and "+33612345678" in page


async def test_a_teacher_reads_their_pupils_file_without_comments_nor_medical_details(
    world: World, app_client: Client
) -> None:
    await log_in(app_client, "teacher")
    response = await app_client.get(file_of(world, "Marie"))
    page = await response.text()
    assert response.status == 200
    assert "Maladie de l&#39;élève" in page and "Angine" not in page
    assert SECRET not in page and "Certificat médical" not in page and ACTION not in page
    assert "+33612345678" in page  # the family of a pupil they teach
    assert (await app_client.get(file_of(world, "Inès"))).status == 404


async def test_the_school_may_show_teachers_the_reason_never_the_comment(
    world: World, app_client: Client
) -> None:
    await update_settings(world.school, SchoolSettingsPatch(teachers_see_reasons=True), SYSTEM)
    await log_in(app_client, "teacher")
    page = await (await app_client.get(file_of(world, "Marie"))).text()
    assert "Angine" in page and SECRET not in page and "Certificat médical" not in page


async def test_the_grid_dialog_hides_the_comment_and_another_pupil_is_not_found(
    world: World, app_client: Client
) -> None:
    await log_in(app_client, "teacher")
    response = await app_client.get(detail_of(world.events["marie_thu"]))
    shown = (await response.json())["event"]
    assert response.status == 200
    assert (shown["reason"], shown["justification"], shown["comment"]) == ("MALADIE", None, "")
    assert "Angine" not in str(shown) and SECRET not in str(shown)
    assert shown["notices"] == [] or all(n["deliveries"] == [] for n in shown["notices"])
    response = await app_client.get(detail_of(world.events["ines_wed"]))
    assert response.status == 404
    await log_in(app_client, "cpe")
    shown = (await (await app_client.get(detail_of(world.events["marie_thu"]))).json())["event"]
    assert (shown["reason"], shown["comment"]) == ("ANGINE", f"Angine, {SECRET}")


async def test_a_teachers_search_and_export_hide_the_comment(
    world: World, app_client: Client
) -> None:
    await log_in(app_client, "teacher")
    query = "?col=comment&col=reason&col=justification&col=guardian_phone"
    page = await (await app_client.get(f"/s/{UAI_A}/follow-up{query}")).text()
    assert "DUPONT Marie" in page and "MARTIN" not in page
    assert SECRET not in page and "HYPERLINK" not in page and "Angine" not in page
    csv = await (await app_client.get(f"/s/{UAI_A}/follow-up/export.csv{query}")).text()
    assert "DUPONT" in csv and "MARTIN" not in csv
    assert SECRET not in csv and "Certificat" not in csv and "Maladie de l'élève" in csv


@pytest.mark.parametrize(("persona", "seen"), [("teacher", False), ("cpe", True), ("vie", True)])
async def test_the_menu_shows_the_delivery_board_only_to_who_may_open_it(
    world: World, app_client: Client, persona: str, seen: bool
) -> None:
    await log_in(app_client, persona)
    page = await (await app_client.get(f"/?school={UAI_A}")).text()
    assert (f"/s/{UAI_A}/deliveries" in page) is seen
    response = await app_client.get(f"/s/{UAI_A}/deliveries")
    assert response.status == (200 if seen else 403)
