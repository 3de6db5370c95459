"""The letters in the JSON API: the day's list, the merged PDF, the printed/posted marks."""

from __future__ import annotations

import pytest
from aiohttp import ClientResponse

from core.models import AuditEntry, Delivery, DeliveryStatus
from core.settings import Settings
from tests.core.services.letter_support import MONDAY
from tests.web.conftest import Api
from tests.web.letters_support import (
    UNTOUCHED,
    Client,
    World,
    box,
    build_world,
    letters_client,
    pages,
    settings,
    states,
    texts,
    tokens,
)
from tests.web.personas import UAI_A, UAI_B
from workers.senders import Channels

__all__ = ["box", "letters_client", "settings"]  # fixtures used by name

LETTERS = f"/schools/{UAI_A}/letters"
DAY = MONDAY.isoformat()


@pytest.fixture
async def world(db: str, letters_client: Client, settings: Settings, box: Channels) -> World:
    return await build_world(settings.var_dir, box)


@pytest.fixture
async def api(world: World, letters_client: Client) -> Api:
    return Api(letters_client, await tokens(world), world.schools)


async def fetch(api: Api, path: str, as_: str = "cpe", **params: str) -> ClientResponse:
    headers = {"Authorization": f"Bearer {api.tokens[as_]}"}
    return await api.client.get("/api/v1" + path, params=params, headers=headers)


async def pdf(api: Api, path: str, as_: str = "cpe", **params: str) -> tuple[int, bytes, str]:
    response = await fetch(api, path, as_, **params)
    return response.status, await response.read(), response.headers.get("X-Letters", "")


async def test_the_day_is_listed_in_print_order_with_each_letters_state(
    api: Api, world: World
) -> None:
    status, body = await api.call("GET", LETTERS, params={"day": DAY})

    assert status == 200 and body["day"] == DAY and body["total"] == 3
    assert [item["id"] for item in body["items"]] == [d.id for d in world.letters.in_print_order]
    first = body["items"][0]
    assert first["student"] == "BERNARD Léa" and first["guardian"] == "Mme BERNARD Claire"
    assert first["address"][-1] == "75011 PARIS" and first["kind"] == "absence"
    assert (first["status"], first["state"], first["printed_at"]) == ("sent", "to_print", None)
    assert first["sent_at"] == "2026-03-02T09:30:00+01:00"
    status, body = await api.call("GET", LETTERS, params={"day": DAY, "limit": "1", "offset": "2"})
    assert [item["id"] for item in body["items"]] == [world.letters.martin.id]
    assert body["total"] == 3
    status, body = await api.call("GET", LETTERS, params={"day": "2026-03-03"})
    assert (status, body["items"], body["total"]) == (200, [], 0)
    status, body = await api.call("GET", LETTERS, params={"day": "lundi"})
    assert status == 400 and body["error"]["code"] == "invalid"


async def test_the_pdf_merges_what_is_left_to_print_or_what_is_chosen(
    api: Api, world: World
) -> None:
    letters = world.letters
    status, body, listed = await pdf(api, LETTERS + ".pdf", day=DAY)
    assert status == 200 and pages(body) >= 3
    assert listed == ",".join(str(d.id) for d in letters.in_print_order)
    merged = texts(body)
    assert merged.index("BERNARD") < merged.index("DUPONT") < merged.index("MARTIN")

    chosen = f"{letters.martin.id},{letters.dupont.id}"
    status, body, listed = await pdf(api, LETTERS + ".pdf", deliveries=chosen)
    assert status == 200 and listed == f"{letters.dupont.id},{letters.martin.id}"
    assert "BERNARD" not in texts(body)

    (world.var_dir / "letters" / f"{letters.dupont.uuid}.pdf").unlink()
    response = await fetch(api, LETTERS + ".pdf", day=DAY)
    assert response.status == 200 and response.headers["X-Letters-Count"] == "3"
    assert response.headers["X-Letters-Regenerated"] == str(letters.dupont.id)
    assert "DUPONT" in texts(await response.read())

    status, body, _ = await pdf(api, LETTERS + ".pdf", deliveries=str(letters.sms.id))
    assert status == 422 and b"not a letter" in body
    status, body, _ = await pdf(api, LETTERS + ".pdf", deliveries="1,x")
    assert status == 400
    status, body, _ = await pdf(api, LETTERS + ".pdf", day="2026-03-03")
    assert status == 404 and b"no letter left to print" in body
    assert await states(world) == UNTOUCHED  # downloading marks nothing


async def test_marks_move_the_letters_and_say_what_changed(api: Api, world: World) -> None:
    letters = world.letters
    ids = [letters.bernard.id, letters.dupont.id]
    status, body = await api.call(
        "POST", LETTERS + "/marks", json={"deliveries": ids, "mark": "printed"}
    )
    assert status == 200 and body["changed"] == ids and body["unchanged"] == []
    assert body["message"] == "2 letter(s) marked printed"

    status, body = await api.call(
        "POST", LETTERS + "/marks", json={"deliveries": ids, "mark": "posted"}, as_="admin"
    )
    assert (status, body["changed"]) == (200, ids)
    status, body = await api.call(
        "POST", LETTERS + "/marks", json={"deliveries": ids, "mark": "posted"}
    )
    assert (status, body["changed"], body["unchanged"]) == (200, [], ids)
    assert body["message"].startswith("nothing changed")
    assert await states(world) == [
        ("delivered", True, True),
        ("delivered", True, True),
        ("sent", False, False),
    ]
    _, listed = await api.call("GET", LETTERS, params={"day": DAY})
    assert [item["state"] for item in listed["items"]] == ["posted", "posted", "to_print"]
    assert await AuditEntry.filter(action__startswith="letter.").count() == 4


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"deliveries": [], "mark": "printed"}, 422),
        ({"deliveries": [1], "mark": "stamped"}, 422),
        ({"deliveries": [True], "mark": "printed"}, 422),
        ({"deliveries": ["1"], "mark": "printed"}, 422),
        ({"deliveries": [1], "mark": "printed", "extra": 1}, 422),
    ],
)
async def test_a_bad_body_is_refused(api: Api, world: World, body: object, status: int) -> None:
    answer, error = await api.call("POST", LETTERS + "/marks", json=body)
    assert answer == status and error["error"]["message"]
    assert await states(world) == UNTOUCHED


async def test_all_or_nothing_for_another_schools_letter_and_a_non_letter(
    api: Api, world: World
) -> None:
    ours = world.letters.bernard.id
    status, body = await api.call(
        "POST",
        LETTERS + "/marks",
        json={"deliveries": [ours, world.their_letter.id], "mark": "posted"},
    )
    assert status == 404 and str(world.their_letter.id) in body["error"]["message"]
    status, body = await api.call(
        "POST",
        LETTERS + "/marks",
        json={"deliveries": [ours, world.letters.sms.id], "mark": "posted"},
    )
    assert status == 422 and "not a letter" in body["error"]["message"]
    assert await states(world) == UNTOUCHED
    assert (await Delivery.get(id=world.their_letter.id)).status == DeliveryStatus.SENT
    assert not await AuditEntry.filter(action__startswith="letter.").exists()


async def test_roles_and_schools(api: Api, world: World) -> None:
    marks = {"deliveries": [world.letters.bernard.id], "mark": "printed"}
    assert (await api.call("GET", LETTERS, as_="teacher"))[0] == 403
    assert (await pdf(api, LETTERS + ".pdf", as_="teacher", day=DAY))[0] == 403
    assert (await api.call("POST", LETTERS + "/marks", as_="teacher", json=marks))[0] == 403
    assert (await api.call("GET", LETTERS, as_="direction", params={"day": DAY}))[0] == 200
    assert (await pdf(api, LETTERS + ".pdf", as_="direction", day=DAY))[0] == 200
    assert (await api.call("POST", LETTERS + "/marks", as_="direction", json=marks))[0] == 403
    assert (await api.call("GET", LETTERS, as_="other_cpe"))[0] == 403
    assert (await api.call("POST", LETTERS + "/marks", as_="other_cpe", json=marks))[0] == 403
    theirs = f"/schools/{UAI_B}/letters"
    status, body = await api.call("POST", theirs + "/marks", as_="other_cpe", json=marks)
    assert status == 404
    status, body = await api.call("GET", theirs, as_="other_cpe", params={"day": DAY})
    assert [item["id"] for item in body["items"]] == [world.their_letter.id]
    assert (await api.call("GET", LETTERS, as_=None))[0] == 401
    assert await states(world) == UNTOUCHED


async def test_openapi_describes_the_letters(api: Api) -> None:
    status, document = await api.call("GET", "/openapi.json", as_=None)
    paths = document["paths"]
    assert status == 200
    assert paths[LETTERS.replace(UAI_A, "{uai}")]["get"]["x-permission"] == "letters"
    pdf_ok = paths["/schools/{uai}/letters.pdf"]["get"]["responses"]["200"]["content"]
    assert list(pdf_ok) == ["application/pdf"]
    marks = paths["/schools/{uai}/letters/marks"]["post"]
    assert marks["x-permission"] == "post_letters" and "requestBody" in marks
