"""Convoking a family from the student's file and through the API: who may, with CSRF, another
school's users refused, bad input said and nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from core.models import AuditEntry, Delivery, Notice
from tests.web.conftest import Api
from tests.web.follow_up_support import World, build_world, log_in
from tests.web.personas import UAI_A, UAI_B

Client = TestClient[Any, Any]
PARIS = ZoneInfo("Europe/Paris")


def next_week(hour: int = 14, minute: int = 30) -> datetime:
    """A meeting a week from the real clock (the panel and the API use it), Paris time."""
    day = datetime.now(UTC).astimezone(PARIS).date() + timedelta(days=7)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def form(token: str | None, **given: str) -> dict[str, str]:
    values = {
        "at": next_week().strftime("%Y-%m-%dT%H:%M"),
        "place": "bureau de la CPE",
        "with_whom": "Mme Lefèvre, CPE",
        "message": "Au sujet des absences du mois.",
        **given,
    }
    return values if token is None else {"csrf": token, **values}


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    return await build_world()


def convocations(world: World, first: str = "Marie", uai: str = UAI_A) -> str:
    return f"/s/{uai}/students/{world.sid(first)}/convocations"


async def test_the_cpe_convokes_a_family_from_the_file(world: World, app_client: Client) -> None:
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(f"/s/{UAI_A}/students/{world.sid('Marie')}")).text()
    assert "Convoquer la famille" in page and f'action="{convocations(world)}"' in page

    refused = await app_client.post(convocations(world), data=form(None), allow_redirects=False)
    assert refused.status == 403 and await Notice.filter(kind="convocation").count() == 0

    response = await app_client.post(convocations(world), data=form(token), allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"/s/{UAI_A}/students/{world.sid('Marie')}#notices"
    notice = await Notice.get(kind="convocation")
    assert notice.student_id == world.sid("Marie")
    assert notice.payload["with_whom"] == "Mme Lefèvre, CPE"
    assert notice.payload["meeting_at"] == next_week().isoformat()
    [sms] = await Delivery.filter(notice_id=notice.id)
    assert (sms.channel, sms.to) == ("sms", "+33612345678")
    row = await AuditEntry.get(action="notice.convoke")
    assert row.actor_label == "cpe@a.example.org"
    page = await (await app_client.get(f"/s/{UAI_A}/students/{world.sid('Marie')}")).text()
    notices = page.split('id="notices"', 1)[1].split("</section>", 1)[0]
    assert "Convocation" in notices

    again = await app_client.post(convocations(world), data=form(token))
    assert again.status == 409 and "déjà convoquée" in await again.text()
    assert await Notice.filter(kind="convocation").count() == 1


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"place": " "}, "Indiquez le lieu"),
        ({"at": "demain"}, "Date et heure du rendez-vous invalides"),
        ({"at": "2020-01-06T10:00"}, "doit être dans le futur"),
        ({"with_whom": "x" * 201}, "trop long"),
    ],
)
async def test_a_bad_convocation_is_said_on_the_file_and_nothing_is_written(
    world: World, app_client: Client, given: dict[str, str], words: str
) -> None:
    token = await log_in(app_client, "direction")  # the direction convokes too
    response = await app_client.post(convocations(world), data=form(token, **given))
    page = await response.text()
    assert response.status == 400 and 'role="alert"' in page and words in page
    assert 'value="bureau de la CPE"' in page or given.get("place")  # what was typed stays
    assert await Notice.filter(kind="convocation").count() == 0


async def test_a_family_nobody_can_reach_is_said(world: World, app_client: Client) -> None:
    token = await log_in(app_client, "cpe")
    response = await app_client.post(convocations(world, "Léo"), data=form(token))
    assert response.status == 400 and "Aucun responsable" in await response.text()
    assert await Notice.filter(kind="convocation").count() == 0


@pytest.mark.parametrize("persona", ["teacher", "vie"])
async def test_the_teacher_and_the_vie_scolaire_may_not_convoke(
    world: World, app_client: Client, persona: str
) -> None:
    token = await log_in(app_client, persona)
    page = await (await app_client.get(f"/s/{UAI_A}/students/{world.sid('Marie')}")).text()
    assert "Convoquer la famille" not in page
    response = await app_client.post(convocations(world), data=form(token))
    assert response.status == 403
    assert await Notice.filter(kind="convocation").count() == 0


async def test_another_schools_cpe_is_refused(world: World, app_client: Client) -> None:
    token = await log_in(app_client, "other_cpe")
    response = await app_client.post(convocations(world), data=form(token))
    assert response.status == 403  # no role in school A
    own = convocations(world, uai=UAI_B)  # school A's pupil through school B's pages
    response = await app_client.post(own, data=form(token), allow_redirects=False)
    assert response.status == 404
    assert await Notice.filter(kind="convocation").count() == 0


# --- the API ------------------------------------------------------------------------------------


def body(**given: Any) -> dict[str, Any]:
    return {
        "meeting_at": next_week(9, 0).isoformat(),
        "place": "salle 12",
        "with_whom": "M. le principal",
        **given,
    }


async def test_the_api_convokes_and_answers_the_notice(api: Api) -> None:
    path = f"/schools/{UAI_A}/students/{api.sid('marie')}/convocations"
    status, found = await api.call("POST", path, as_="cpe", json=body(message="Merci."))
    assert status == 201, found
    assert (found["kind"], found["status"], found["student_id"]) == (
        "convocation",
        "pending",
        api.sid("marie"),
    )
    assert (found["place"], found["with_whom"], found["message"]) == (
        "salle 12",
        "M. le principal",
        "Merci.",
    )
    assert datetime.fromisoformat(found["meeting_at"]) == next_week(9, 0)
    [delivery] = found[
        "deliveries"
    ]  # the father's numbers are unusable; the grandmother is a contact
    assert (delivery["channel"], delivery["to"]) == ("sms", "+33612345678")
    status, listed = await api.call("GET", f"/schools/{UAI_A}/notices?student={api.sid('marie')}")
    assert [n["kind"] for n in listed["items"]] == ["convocation"]
    status, again = await api.call("POST", path, as_="direction", json=body())
    assert (status, again["error"]["code"]) == (409, "convoked")


@pytest.mark.parametrize(
    ("given", "status", "words"),
    [
        ({"meeting_at": "2030-01-07T10:00:00"}, 422, "meeting_at"),  # no offset
        ({"meeting_at": "2020-01-07T10:00:00+01:00"}, 422, "future"),
        ({"place": ""}, 422, "place"),
        ({"urgent": True}, 422, "urgent"),
    ],
)
async def test_the_api_refuses_a_bad_convocation(
    api: Api, given: dict[str, Any], status: int, words: str
) -> None:
    path = f"/schools/{UAI_A}/students/{api.sid('marie')}/convocations"
    found_status, found = await api.call("POST", path, json=body(**given))
    assert found_status == status and words in found["error"]["message"], found
    assert await Notice.filter(kind="convocation").count() == 0


async def test_the_api_refuses_a_teacher_and_another_school(api: Api) -> None:
    path = f"/schools/{UAI_A}/students/{api.sid('marie')}/convocations"
    assert (await api.call("POST", path, as_="teacher", json=body()))[0] == 403
    assert (await api.call("POST", path, as_="other_cpe", json=body()))[0] == 403
    across = f"/schools/{UAI_B}/students/{api.sid('marie')}/convocations"
    status, found = await api.call("POST", across, as_="other_cpe", json=body())
    assert (status, found["error"]["code"]) == (404, "not_found")
    assert await Notice.filter(kind="convocation").count() == 0


async def test_the_openapi_document_describes_the_convocation(api: Api) -> None:
    document = await (await api.client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/schools/{uai}/students/{id}/convocations"]["post"]
    assert "201" in operation["responses"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/NewConvocation")
    assert {"meeting_at", "place", "with_whom"} <= set(
        document["components"]["schemas"]["NewConvocation"]["required"]
    )
