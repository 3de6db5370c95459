"""The grid's and the roll call's endpoints over real HTTP, on both databases: who may do what,
CSRF, malformed bodies, conflicts — and that the writes land in the database, audited."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.models import (
    AuditEntry,
    ClosedDay,
    Division,
    DivisionSet,
    Event,
    EventSource,
    RollCall,
)
from core.settings import load_settings
from tests.web.grid_support import World, build_world, log_in
from tests.web.personas import MONDAY, UAI_A, at, panel_client
from web.app import create_app
from workers.runtime import start_runtime

GRID = f"/s/{UAI_A}/grid"
RECORD = GRID + "/events"


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


@pytest.fixture
async def client(world: World, tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    runtime = await start_runtime(load_settings(var_dir=tmp_path / "var"), sweep=False)
    app = create_app(runtime.ctx["settings"], runtime.queue)
    try:
        async with panel_client(app) as test_client:
            yield test_client
    finally:
        await runtime.close()


def lateness(world: World, name: str = "Léa", hour: int = 8) -> dict[str, Any]:
    return {
        "student_id": world.students[name].id,
        "kind": "lateness",
        "start": at(MONDAY, hour).isoformat(),
    }


def absence(world: World, name: str, first: int, last: int) -> dict[str, Any]:
    return {
        "student_id": world.students[name].id,
        "kind": "absence",
        "start": at(MONDAY, first).isoformat(),
        "end": at(MONDAY, last).isoformat(),
    }


async def cpe_with_absence(
    client: TestClient[Any, Any], world: World, first: int, last: int
) -> tuple[str, str]:
    """The CPE logged in (their CSRF token) and the address of Hugo's absence they recorded."""
    token = await log_in(client, "cpe")
    _, body = await post(client, RECORD, absence(world, "Hugo", first, last), token)
    return token, f"{RECORD}/{body['event']['id']}"


async def post(
    client: TestClient[Any, Any], path: str, body: Any, token: str | None
) -> tuple[int, Any]:
    headers = {"X-CSRF-Token": token} if token else {}
    response = await client.post(path, json=body, headers=headers)
    assert response.content_type == "application/json", await response.text()
    return response.status, await response.json()


async def test_the_grid_shows_the_class_with_one_cell_per_half_period(
    client: TestClient[Any, Any], world: World
) -> None:
    await log_in(client, "cpe")
    response = await client.get(f"{GRID}?division=5B&date={MONDAY}")
    assert response.status == 200
    page = await response.text()
    assert 'role="grid"' in page
    assert "MARTIN Léa" in page and "ROUX Jade" not in page  # Jade is in 4A
    # Monday has nine one-hour slots: eighteen half-periods for each of the four pupils
    assert page.count('role="gridcell"') == 4 * 18
    assert 'aria-label="MARTIN Léa, lundi 2 mars, 08:00–08:30"' in page


async def test_the_week_view_has_monday_to_friday(
    client: TestClient[Any, Any], world: World
) -> None:
    await log_in(client, "cpe")
    page = await (await client.get(f"{GRID}?group=LATIN&date={MONDAY}&view=week")).text()
    assert "vendredi 6 mars" in page and "samedi" not in page
    # 9 + 9 + 4 (Wednesday morning) + 9 + 9 slots, in halves, for Léa and Jade
    assert page.count('role="gridcell"') == 2 * 2 * 40


async def test_the_picker_offers_groups_and_sets_of_divisions(
    client: TestClient[Any, Any], world: World
) -> None:
    school = world.schools[UAI_A]
    both = await DivisionSet.create(school=school, name="Cycle 4")
    await both.divisions.add(*await Division.filter(school=school))
    await log_in(client, "cpe")
    page = await (await client.get(f"{GRID}?target=set:{both.id}&date={MONDAY}")).text()
    assert page.count('<tr data-student="') == 5  # 5B and 4A
    assert '<option value="group:LATIN">Latin</option>' in page
    page = await (await client.get(f"{GRID}?target=group:LATIN&date={MONDAY}")).text()
    names = re.findall(r'<th scope="row" class="student">([^<]+)', page)
    assert [n.strip() for n in names] == ["MARTIN Léa", "ROUX Jade"]
    assert (await client.get(f"{GRID}?target=set:999")).status == 404
    assert (await client.get(f"{GRID}?date=2026-13-01")).status == 400


async def test_closed_half_days_cannot_be_marked(
    client: TestClient[Any, Any], world: World
) -> None:
    await ClosedDay.create(school=world.schools[UAI_A], day=MONDAY, half="pm", label="Réunion")
    token = await log_in(client, "cpe")
    page = await (await client.get(f"{GRID}?division=5B&date={MONDAY}")).text()
    assert page.count('aria-disabled="true"') == 4 * 10  # 12:00–17:00 for the four pupils
    status, body = await post(client, RECORD, absence(world, "Léa", 14, 15), token)
    assert status == 422 and "ne couvre aucun cours" in body["error"]["message"]


async def test_a_cpe_records_a_lateness_then_an_absence(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    status, body = await post(client, RECORD, lateness(world), token)
    assert status == 201
    assert body["event"]["kind"] == "lateness" and body["event"]["colour"] == "#f0ad4e"
    status, body = await post(client, RECORD, absence(world, "Hugo", 9, 11), token)
    assert status == 201
    event = await Event.get(id=body["event"]["id"])
    assert event.source == EventSource.DESK
    assert event.starts_at == at(MONDAY, 9) and event.ends_at == at(MONDAY, 11)
    assert await AuditEntry.filter(action="event.record", entity_id=str(event.id)).exists()


async def test_an_absence_shorter_than_the_lateness_threshold_is_painted_as_a_lateness(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    short = {**absence(world, "Hugo", 9, 10), "end": at(MONDAY, 9, 20).isoformat()}
    status, body = await post(client, RECORD, short, token)
    assert status == 201 and body["event"]["kind"] == "lateness"
    event = await Event.get(id=body["event"]["id"])
    assert (event.kind, event.ends_at) == ("lateness", at(MONDAY, 9, 20))
    url = f"{RECORD}/{event.id}"
    status, body = await post(client, url, {"end": at(MONDAY, 11).isoformat()}, token)
    assert status == 200 and body["event"]["kind"] == "lateness"  # kept: only absences shorten
    _, body = await post(client, RECORD, absence(world, "Inès", 8, 10), token)
    url = f"{RECORD}/{body['event']['id']}"
    status, body = await post(client, url, {"end": at(MONDAY, 8, 15).isoformat()}, token)
    assert status == 200 and body["event"]["kind"] == "lateness"


async def test_one_click_records_a_lateness_arriving_at_the_time_typed(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    half = {"start": at(MONDAY, 9, 30).isoformat(), "end": at(MONDAY, 10).isoformat()}
    mark = {**lateness(world), **half, "arrival": "09:47"}
    status, body = await post(client, RECORD, mark, token)
    assert status == 201
    painted = body["event"]
    assert (painted["arrival"], painted["state"], painted["ink"]) == (
        "09:47",
        "undecided",
        "#1d2433",
    )
    assert painted["label"] == "Retard, arrivée à 09:47"
    event = await Event.get(id=painted["id"])
    assert (event.starts_at, event.ends_at) == (at(MONDAY, 9), at(MONDAY, 9, 47))
    for wrong in ("9h47", "25:00", "10:05"):  # malformed, or after the lesson
        mark = {**lateness(world, "Hugo"), **half, "arrival": wrong}
        assert (await post(client, RECORD, mark, token))[0] == 422, wrong


async def test_the_dialog_moves_an_event_in_local_time_and_changes_its_kind(
    client: TestClient[Any, Any], world: World
) -> None:
    token, url = await cpe_with_absence(client, world, 9, 11)
    details = (await (await client.get(url)).json())["event"]
    assert (details["start_local"], details["end_local"]) == (
        "2026-03-02T09:00",
        "2026-03-02T11:00",
    )
    patch = {"start_local": "2026-03-02T10:00", "end_local": "2026-03-02T12:00", "version": 1}
    assert (await post(client, url, patch, token))[0] == 200
    event = await Event.get(id=details["id"])
    assert (event.starts_at, event.ends_at) == (at(MONDAY, 10), at(MONDAY, 12))
    patch = {"kind": "lateness", "end_local": "2026-03-02T10:10", "version": 2}
    status, body = await post(client, url, patch, token)
    assert status == 200 and body["event"]["kind"] == "lateness"
    for wrong in ("2026-13-02T10:00", 12, "x" * 40):
        assert (await post(client, url, {"start_local": wrong}, token))[0] == 422, wrong


async def test_arrived_at_turns_the_absence_into_a_lateness_in_one_action(
    client: TestClient[Any, Any], world: World
) -> None:
    token, event_url = await cpe_with_absence(client, world, 8, 12)
    url = event_url + "/arrival"
    status, body = await post(client, url, {"arrival": "2026-03-02T10:12", "version": 1}, token)
    assert status == 200
    shortened, late = body["events"]
    assert (shortened["kind"], late["kind"], late["arrival"]) == ("absence", "lateness", "10:12")
    event = await Event.get(id=shortened["id"])
    assert event.ends_at == at(MONDAY, 10)
    again = await post(client, url, {"arrival": "2026-03-02T11:00", "version": 2}, token)
    assert again[0] == 422  # the absence now ends at 10:00
    assert (await post(client, url, {"arrival": "demain"}, token))[0] == 422
    teacher = await log_in(client, "teacher")
    assert (await post(client, url, {"arrival": "2026-03-02T09:00"}, teacher))[0] == 403


async def test_an_overlapping_absence_is_a_409_in_json(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    assert (await post(client, RECORD, absence(world, "Hugo", 9, 11), token))[0] == 201
    status, body = await post(client, RECORD, absence(world, "Hugo", 10, 12), token)
    assert status == 409
    assert body["error"]["code"] == "overlap"


async def test_without_the_csrf_header_a_write_is_refused(
    client: TestClient[Any, Any], world: World
) -> None:
    await log_in(client, "cpe")
    status, _ = await post(client, RECORD, lateness(world), None)
    assert status == 403
    assert not await Event.filter(student_id=world.students["Léa"].id).exists()


async def test_malformed_or_invalid_bodies_are_refused(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
    response = await client.post(RECORD, data="{not json", headers=headers)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid"
    assert (await post(client, RECORD, [1, 2], token))[0] == 400
    assert (await post(client, RECORD, {"kind": "lateness"}, token))[0] == 422
    naive = {**lateness(world), "start": "2026-03-02T08:00:00"}
    assert (await post(client, RECORD, naive, token))[0] == 422


async def test_a_stranger_gets_401_from_the_endpoints_and_the_login_page_for_the_grid(
    client: TestClient[Any, Any], world: World
) -> None:
    response = await client.post(RECORD, json={})
    assert response.status == 401
    response = await client.get(GRID, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"


async def test_a_stale_version_is_a_409_and_the_details_show_the_history(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    _, body = await post(client, RECORD, absence(world, "Inès", 8, 10), token)
    url = f"{RECORD}/{body['event']['id']}"
    change = {"reason": "MALADIE", "accepted": True, "version": 1}
    status, body = await post(client, url, change, token)
    assert status == 200 and body["event"]["version"] == 2
    assert body["event"]["colour"] == "#4e79a7"  # the reason's colour, from the defaults
    assert body["event"]["label"] == "Absence (Maladie de l'élève)"
    status, body = await post(client, url, {"comment": "late news", "version": 1}, token)
    assert status == 409
    details = await (await client.get(url)).json()
    assert details["event"]["reason"] == "MALADIE" and details["event"]["accepted"] is True
    assert [h["action"] for h in details["event"]["history"]] == ["Saisie", "Correction"]
    assert isinstance(details["event"]["notices"], list)
    changes = details["event"]["history"][1]["changes"]
    assert changes == ["Motif : Maladie de l'élève", "Justifiée"]  # no ids, no codes, no True
    english = await (await client.get(url, params={"lang": "en"})).json()
    assert english["event"]["history"][1]["changes"] == ["Reason: Maladie de l'élève", "Justified"]


async def test_a_teacher_does_not_see_in_the_history_the_reason_the_school_hides(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    _, body = await post(client, RECORD, absence(world, "Noé", 8, 10), token)
    url = f"{RECORD}/{body['event']['id']}"
    await post(client, url, {"reason": "MALADIE", "comment": "fièvre", "version": 1}, token)
    await log_in(client, "teacher")
    details = await (await client.get(url)).json()
    changes = details["event"]["history"][1]["changes"]
    # neither the local reason nor the comment: only the decision the reason brought
    assert len(changes) == 1 and not any("MALADIE" in c or "fièvre" in c for c in changes)


async def test_entered_by_mistake_is_a_soft_delete(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    _, body = await post(client, RECORD, lateness(world, "Noé"), token)
    status, _ = await post(client, f"{RECORD}/{body['event']['id']}/delete", {}, token)
    assert status == 200
    event = await Event.get(id=body["event"]["id"])
    assert event.deleted and event.deleted_by_id == world.users["cpe"].id  # type: ignore[attr-defined]
    status, _ = await post(client, f"{RECORD}/{event.id}/delete", {}, token)
    assert status == 409


@pytest.mark.parametrize("persona", ["teacher", "direction"])
async def test_teachers_and_the_direction_may_look_but_not_write(
    client: TestClient[Any, Any], world: World, persona: str
) -> None:
    cpe_token = await log_in(client, "cpe")
    _, body = await post(client, RECORD, lateness(world), cpe_token)
    event_url = f"{RECORD}/{body['event']['id']}"
    token = await log_in(client, persona)
    page = await client.get(f"{GRID}?division=5B&date={MONDAY}")
    assert page.status == 200 and 'aria-readonly="true"' in await page.text()
    assert (await client.get(event_url)).status == 200
    assert (await post(client, RECORD, lateness(world, "Hugo"), token))[0] == 403
    assert (await post(client, event_url, {"comment": "x"}, token))[0] == 403
    assert (await post(client, event_url + "/delete", {}, token))[0] == 403
    assert await Event.filter(deleted=False).count() == 2  # school B's and the CPE's


async def test_a_teacher_sees_on_the_grid_only_the_students_they_teach(
    client: TestClient[Any, Any], world: World
) -> None:
    cpe_token = await log_in(client, "cpe")
    _, body = await post(client, RECORD, lateness(world, "Jade"), cpe_token)  # Jade is in 4A
    jade_event = f"{RECORD}/{body['event']['id']}"
    await log_in(client, "teacher")  # teaches 5B only
    page = await (await client.get(f"{GRID}?division=4A&date={MONDAY}")).text()
    assert "ROUX" not in page and "Roux" not in page
    page = await (await client.get(f"{GRID}?division=5B&date={MONDAY}")).text()
    assert "BERNARD" in page.upper()
    assert (await client.get(jade_event)).status == 404


async def test_a_cpe_of_another_school_is_refused_everywhere(
    client: TestClient[Any, Any], world: World
) -> None:
    cpe_token = await log_in(client, "cpe")
    _, body = await post(client, RECORD, lateness(world), cpe_token)
    event_url = f"{RECORD}/{body['event']['id']}"
    lesson = world.lessons["maths"].id
    token = await log_in(client, "other_cpe")
    for path in (GRID, event_url, f"/s/{UAI_A}/roll-call", f"/s/{UAI_A}/roll-call/{lesson}"):
        assert (await client.get(path, allow_redirects=False)).status == 403, path
    for path in (RECORD, event_url, event_url + "/delete"):
        assert (await post(client, path, lateness(world), token))[0] == 403, path
    form = {"csrf": token, "date": MONDAY.isoformat()}
    response = await client.post(f"/s/{UAI_A}/roll-call/{lesson}", data=form)
    assert response.status == 403


async def test_ids_of_another_school_are_not_found_in_this_one(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "cpe")
    assert world.other_event is not None
    other_event = f"{RECORD}/{world.other_event.id}"
    assert (await client.get(other_event)).status == 404
    assert (await post(client, other_event, {"comment": "x"}, token))[0] == 404
    assert (await post(client, other_event + "/delete", {}, token))[0] == 404
    other_student = {**lateness(world), "student_id": world.other_event.student_id}  # type: ignore[attr-defined]
    assert (await post(client, RECORD, other_student, token))[0] == 404
    other_lesson = f"/s/{UAI_A}/roll-call/{world.lessons['other'].id}?date={MONDAY}"
    assert (await client.get(other_lesson)).status == 404
    assert (await client.get(f"{GRID}?division=1A")).status == 404


def _form(token: str, marks: dict[int, tuple[str, str]]) -> dict[str, str]:
    form = {"csrf": token, "date": MONDAY.isoformat()}
    for student_id, (mark, time) in marks.items():
        form[f"mark-{student_id}"] = mark
        form[f"time-{student_id}"] = time
    return form


async def test_a_teacher_takes_the_roll_call_of_their_lesson(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "teacher")
    lesson = world.lessons["maths"]
    url = f"/s/{UAI_A}/roll-call/{lesson.id}"
    page = await client.get(f"{url}?date={MONDAY}")
    assert page.status == 200 and "MARTIN Léa" in await page.text()
    marks = {world.students["Léa"].id: ("absent", ""), world.students["Hugo"].id: ("late", "08:10")}
    response = await client.post(url, data=_form(token, marks), allow_redirects=False)
    assert response.status == 303
    events = await Event.filter(source=EventSource.ROLL_CALL).order_by("kind")
    assert [(e.kind, e.starts_at, e.ends_at) for e in events] == [
        ("absence", at(MONDAY, 8), at(MONDAY, 9)),
        ("lateness", at(MONDAY, 8), at(MONDAY, 8, 10)),
    ]
    assert await RollCall.filter(lesson=lesson, day=MONDAY, validated=True).exists()
    listing = await (await client.get(f"/s/{UAI_A}/roll-call?date={MONDAY}")).text()
    assert "1 absent, 1 retard" in listing


async def test_a_teacher_may_not_open_nor_take_another_teachers_lesson(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "teacher")
    url = f"/s/{UAI_A}/roll-call/{world.lessons['english'].id}"
    assert (await client.get(f"{url}?date={MONDAY}")).status == 403
    marks = {world.students["Léa"].id: ("absent", "")}
    assert (await client.post(url, data=_form(token, marks))).status == 403
    assert not await Event.filter(source=EventSource.ROLL_CALL).exists()


async def test_a_roll_call_form_without_a_time_for_a_late_student_says_so(
    client: TestClient[Any, Any], world: World
) -> None:
    token = await log_in(client, "teacher")
    url = f"/s/{UAI_A}/roll-call/{world.lessons['maths'].id}"
    marks = {world.students["Hugo"].id: ("late", "")}
    response = await client.post(url, data=_form(token, marks))
    assert response.status == 422
    assert "Indiquez l'heure pour BERNARD Hugo" in html.unescape(await response.text())
    assert not await RollCall.exists()


async def test_the_vie_scolaire_sees_the_missing_roll_calls(
    client: TestClient[Any, Any], world: World
) -> None:
    await log_in(client, "vie")
    page = await (await client.get(f"/s/{UAI_A}/roll-call?date={MONDAY}")).text()
    missing = re.search(r'<table class="events" id="missing">(.*?)</table>', page, re.S)
    assert missing is not None
    assert "Mathématiques" in missing.group(1) and "Anglais" in missing.group(1)
    assert "Physique" not in page  # school B's lesson


async def test_an_absence_entered_too_late_for_a_notice_says_so_in_its_dialog(
    client: TestClient[Any, Any], world: World
) -> None:
    """March's absence typed in today (months later) gets no notice, and the dialog says why
    instead of an unexplained "no notice"."""
    token = await log_in(client, "cpe")
    _, body = await post(client, RECORD, absence(world, "Inès", 8, 10), token)
    url = f"{RECORD}/{body['event']['id']}"
    details = await (await client.get(url)).json()
    assert details["event"]["notices"] == []
    note = details["event"]["notice_note"]
    assert note.startswith("Pas d'avis à la famille : saisie ") and note.endswith(" jours après.")
    english = await (await client.get(url, params={"lang": "en"})).json()
    assert english["event"]["notice_note"].startswith("No notice to the family: entered ")


async def test_a_sunday_or_a_closed_day_says_there_is_no_lesson_and_links_the_next_school_day(
    client: TestClient[Any, Any], world: World
) -> None:
    school = world.schools[UAI_A]
    monday = MONDAY + timedelta(days=7)
    await ClosedDay.create(school=school, day=monday, half="day", label="Pont")
    await log_in(client, "cpe")
    sunday = MONDAY + timedelta(days=6)
    for path in (f"{GRID}?division=5B&date={sunday}", f"/s/{UAI_A}/roll-call?date={sunday}"):
        page = await (await client.get(path)).text()
        assert "dimanche 8 mars : pas de cours" in page, path
        assert "Prochain jour de classe : mardi 10 mars" in page, path
        assert "date=2026-03-10" in page and 'role="grid"' not in page
    page = await (await client.get(f"{GRID}?division=5B&date={monday}")).text()
    assert "lundi 9 mars : pas de cours" in page
    page = await (await client.get(f"{GRID}?division=5B&date={MONDAY}")).text()
    assert "pas de cours" not in page and 'role="grid"' in page
