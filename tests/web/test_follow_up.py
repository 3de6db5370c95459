"""Follow-up over real HTTP: search, pages, exports, saved searches, the student's file."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from core.models import Action, Event, EventSource, InboundMessage
from core.rules.counting import EventKind
from core.services.events.record import record_event
from core.services.schools.school import now_utc
from tests.web.follow_up_support import World, build_world, log_in
from tests.web.personas import MONDAY, PARIS, SYSTEM, UAI_A, at
from web.panel import follow_up_export

Client = TestClient[Any, Any]
FOLLOW_UP = f"/s/{UAI_A}/follow-up"


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    return await build_world()


def students_in(page: str) -> list[str]:
    """The students named in the results table, in order."""
    table = page.split('class="events fu-table"', 1)
    if len(table) < 2:
        return []
    return re.findall(r'/students/\d+">([^<]+)</a>', table[1].split("</table>", 1)[0])


async def get(client: Client, path: str, **query: Any) -> tuple[int, str]:
    response = await client.get(path, params=query)
    return response.status, await response.text()


async def test_a_cpe_searches_a_division_over_a_period(world: World, app_client: Client) -> None:
    await log_in(app_client, "cpe")
    status, page = await get(app_client, FOLLOW_UP, division="5B", **{"from": "2026-03-02"})
    assert status == 200
    assert students_in(page) == ["DUPUIS Léo", "DUPONT Marie", "DUPONT Marie"]
    assert "Résultats 1 à 3 sur 3" in page
    _, page = await get(app_client, FOLLOW_UP, division="5B", to="2026-03-02")
    assert students_in(page) == ["DUPONT Marie"]


async def test_filters_by_kind_state_group_set_and_student(
    world: World, app_client: Client
) -> None:
    await log_in(app_client, "vie")
    cases = [
        ({"kind": "lateness"}, ["DUPUIS Léo"]),
        ({"state": "to_settle"}, ["MARTIN Inès", "DUPONT Marie", "DUPONT Marie"]),
        ({"state": "justified"}, ["DUPONT Marie"]),
        ({"group": "LATIN"}, ["DUPONT Marie", "DUPONT Marie"]),
        ({"student": "mart"}, ["MARTIN Inès"]),
        ({"student": str(world.sid("Léo"))}, ["DUPUIS Léo"]),
        ({"reason": "CONVENANCE"}, ["MARTIN Inès"]),
    ]
    for query, expected in cases:
        assert students_in((await get(app_client, FOLLOW_UP, **query))[1]) == expected, query
    sets = re.search(
        r'<option value="(\d+)"[^>]*>Cinquièmes', (await get(app_client, FOLLOW_UP))[1]
    )
    assert sets is not None
    page = (await get(app_client, FOLLOW_UP, set=sets.group(1)))[1]
    assert "MARTIN Inès" not in students_in(page) and len(students_in(page)) == 3


async def test_a_bad_date_is_said_and_nothing_is_listed(world: World, app_client: Client) -> None:
    await log_in(app_client, "cpe")
    status, page = await get(app_client, FOLLOW_UP, **{"from": "2026-03-09", "to": "2026-03-01"})
    assert status == 400 and 'role="alert"' in page and students_in(page) == []


async def test_results_come_in_pages_of_fifty(world: World, app_client: Client) -> None:
    leo = world.students["Léo"]
    await Event.bulk_create(
        [
            Event(
                school=world.school,
                student=leo,
                kind=EventKind.LATENESS,
                starts_at=at(MONDAY, 9, days=7 + i // 5, minute=i % 5),
                source=EventSource.DESK,
            )
            for i in range(55)
        ]
    )
    await log_in(app_client, "cpe")
    page = (await get(app_client, FOLLOW_UP, kind="lateness"))[1]
    assert len(students_in(page)) == 50 and "Résultats 1 à 50 sur 56" in page
    following = re.search(r'href="([^"]+)" rel="next"', page)
    assert following is not None and 'rel="prev"' not in page
    second = await (await app_client.get(following.group(1).replace("&amp;", "&"))).text()
    assert len(students_in(second)) == 6 and 'rel="prev"' in second and 'rel="next"' not in second


async def test_extra_columns_show_what_was_chosen(world: World, app_client: Client) -> None:
    await log_in(app_client, "cpe")
    page = (await get(app_client, FOLLOW_UP, student="dupont"))[1]
    assert ">Motif</th>" in page and ">Téléphone du responsable</th>" not in page  # defaults
    query = {"student": "dupont", "cols": "1", "col": "guardian_phone"}
    page = (await get(app_client, FOLLOW_UP, **query))[1]
    assert ">Téléphone du responsable</th>" in page and ">Motif</th>" not in page
    assert "+33612345678" in page


async def test_the_csv_export_is_for_french_excel(world: World, app_client: Client) -> None:
    await log_in(app_client, "cpe")
    query = [("student", "dupont"), ("cols", "1"), ("col", "reason"), ("col", "comment")]
    response = await app_client.get(FOLLOW_UP + "/export.csv", params=query)
    assert response.status == 200 and response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Élève", "Classe", "Type", "Début", "Fin", "Motif", "Commentaire"]
    assert rows[1][:6] == [
        "DUPONT Marie",
        "5B",
        "Absence",
        "03/03/2026 08:00",
        "03/03/2026 17:00",
        "Maladie de l'élève",
    ]
    assert rows[2][6] == '\'=HYPERLINK("http://x")'  # never run as a formula
    assert len(rows) == 3


async def test_the_xlsx_export_opens_with_the_rows(world: World, app_client: Client) -> None:
    await log_in(app_client, "direction")
    query = [("division", "5B"), ("cols", "1"), ("col", "comment"), ("col", "accepted")]
    response = await app_client.get(FOLLOW_UP + "/export.xlsx", params=query)
    assert response.status == 200
    sheet = load_workbook(io.BytesIO(await response.read())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Élève", "Classe", "Type", "Début", "Fin", "Commentaire", "Justifiée"]
    assert [r[0] for r in rows[1:]] == ["DUPUIS Léo", "DUPONT Marie", "DUPONT Marie"]
    assert rows[3][3].isoformat() == "2026-03-02T08:00:00" and rows[3][6] == "À décider"
    cell = sheet.cell(row=4, column=6)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert sheet.freeze_panes == "A2"  # the header stays in view
    assert sheet.auto_filter.ref == "A1:G4"  # every column filters, over every row
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFG"}
    assert widths["A"] == len("DUPONT Marie") + 3  # as wide as the longest name
    assert widths["D"] == len("02/03/2026 08:00") + 3  # a date and its time
    assert widths["B"] == len("Classe") + 3  # the header, longer than "5B"
    assert all(8 <= width <= 60 for width in widths.values())


def test_column_widths_stay_within_bounds() -> None:
    table: list[list[Any]] = [["Élève", "Commentaire"], ["A", "x" * 500], [None, "court\nligne"]]
    assert follow_up_export.column_widths(table) == [8, 60]


async def test_saved_searches_are_each_users_own(world: World, app_client: Client) -> None:
    token = await log_in(app_client, "cpe")
    query = "division=5B&kind=absence&cols=1&col=comment"
    response = await app_client.post(
        FOLLOW_UP + "/searches",
        data={"csrf": token, "name": "Absences des 5B", "query": query},
        allow_redirects=False,
    )
    assert response.status == 303
    assert "division=5B" in response.headers["Location"]
    assert "col=comment" in response.headers["Location"]
    page = (await get(app_client, FOLLOW_UP))[1]
    assert "Absences des 5B" in page
    saved_id = re.search(r"/searches/(\d+)/delete", page)
    assert saved_id is not None
    token = await log_in(app_client, "vie")
    assert "Absences des 5B" not in (await get(app_client, FOLLOW_UP))[1]
    response = await app_client.post(
        f"{FOLLOW_UP}/searches/{saved_id.group(1)}/delete", data={"csrf": token}
    )
    assert response.status == 404
    token = await log_in(app_client, "cpe")
    response = await app_client.post(
        f"{FOLLOW_UP}/searches/{saved_id.group(1)}/delete", data={"csrf": token}
    )
    assert response.status == 200 and "Absences des 5B" not in await response.text()


async def test_forms_without_their_token_are_refused(world: World, app_client: Client) -> None:
    await log_in(app_client, "cpe")
    response = await app_client.post(
        FOLLOW_UP + "/searches", data={"name": "x", "query": "division=5B"}
    )
    assert response.status == 403
    response = await app_client.post(
        f"/s/{UAI_A}/students/{world.sid('Marie')}/actions",
        data={"csrf": "forged", "type": "APPEL", "at": "2026-03-02T10:00"},
    )
    assert response.status == 403
    assert await Action.all().count() == 0


async def test_a_user_of_another_school_is_refused_everywhere(
    world: World, app_client: Client
) -> None:
    token = await log_in(app_client, "other_cpe")
    marie = world.sid("Marie")
    for path in (
        FOLLOW_UP,
        FOLLOW_UP + "/export.csv",
        FOLLOW_UP + "/export.xlsx",
        f"/s/{UAI_A}/students/{marie}",
    ):
        assert (await app_client.get(path)).status == 403, path
    for path in (
        FOLLOW_UP + "/searches",
        FOLLOW_UP + "/searches/1/delete",
        f"/s/{UAI_A}/students/{marie}/actions",
    ):
        response = await app_client.post(path, data={"csrf": token, "type": "APPEL"})
        assert response.status == 403, path
    assert (await app_client.get(f"/?school={UAI_A}")).status == 403


async def test_a_stranger_is_sent_to_the_login_page(world: World, app_client: Client) -> None:
    response = await app_client.get(FOLLOW_UP, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"


async def test_another_schools_student_is_not_found(world: World, app_client: Client) -> None:
    await log_in(app_client, "cpe")
    assert (await app_client.get(f"/s/{UAI_A}/students/{world.sid('Jean')}")).status == 404
    assert students_in((await get(app_client, FOLLOW_UP, student="autre"))[1]) == []


async def test_the_dashboard_tiles_count_and_lead_to_follow_up(
    world: World, app_client: Client
) -> None:
    now = now_utc()
    await record_event(
        world.school,
        SYSTEM,
        student_id=world.sid("Inès"),
        kind=EventKind.ABSENCE,
        start=now - timedelta(hours=1),
    )
    await InboundMessage.create(
        school=world.school, channel="sms", sender="+33612345678", text="ok", received_at=now
    )
    await log_in(app_client, "cpe")
    page = (await get(app_client, "/"))[1]
    assert '<strong id="absent-now">1</strong>' in page
    assert '<strong id="replies-count">1</strong>' in page
    assert '<strong id="failed-count">0</strong>' in page
    today = now.astimezone(PARIS).date().isoformat()
    assert f'href="{FOLLOW_UP}?from={today}&amp;to={today}&amp;kind=absence"' in page
    assert f"/s/{UAI_A}/students/{world.sid('Inès')}" in page


async def test_the_page_and_the_export_speak_english_on_request(
    world: World, app_client: Client
) -> None:
    await log_in(app_client, "cpe")
    page = (await get(app_client, FOLLOW_UP, lang="en", kind="lateness"))[1]
    assert "Extra columns" in page and "Lateness" in page
    response = await app_client.get(FOLLOW_UP + "/export.csv", params={"kind": "lateness"})
    header = (await response.read()).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Student;Class;Kind;From;To")
