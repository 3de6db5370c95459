"""Answering a family's reply by SMS over HTTP: ``POST /api/v1/schools/{uai}/inbound/{id}/answer``
and the replies page's form « Répondre par SMS » (CSRF, a text too long, an unknown or another
school's reply); a key pressed during a call as the API lists it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient

from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    InboundMessage,
    InboundStatus,
    Notice,
    NoticeKind,
    Person,
    Usability,
)
from tests.web.conftest import UAI_A, UAI_B, Api
from tests.web.follow_up_support import World, build_world, log_in

Client = TestClient[Any, Any]
MOBILE = "+33612345678"  # Marie's mother's, in both worlds
T0 = datetime(2026, 3, 2, 7, 45, tzinfo=UTC)


async def _reply(
    school_uai: str, schools: dict[str, Any], student_id: int | None, **kw: Any
) -> InboundMessage:
    school = schools[school_uai]
    mother = await Person.filter(school=school, contacts__value=MOBILE).first()
    values: dict[str, Any] = {
        "channel": "sms",
        "provider": "twilio",
        "provider_ref": f"SM{school.id}{kw.pop('ref', '')}",
        "school": school,
        "sender": MOBILE,
        "text": "Marie est malade",
        "received_at": T0,
        "person": mother,
        "student_id": student_id,
        "status": InboundStatus.ACCEPTED,
    }
    return await InboundMessage.create(**(values | kw))


# --- the API ---------------------------------------------------------------------------------


async def test_the_api_answers_a_reply_by_sms(api: Api) -> None:
    reply = await _reply(UAI_A, api.schools, api.sid("marie"))
    path = f"/schools/{UAI_A}/inbound/{reply.id}/answer"
    status, body = await api.call("POST", path, json={"text": "Bien reçu, merci."})
    assert status == 201, body
    delivery = await Delivery.get(id=body["delivery_id"])
    assert (delivery.channel, delivery.to) == ("sms", MOBILE)
    assert (body["to"], body["status"], body["notice_id"]) == (
        MOBILE,
        "scheduled",
        delivery.notice_id,
    )
    notice = await Notice.get(id=delivery.notice_id)
    assert notice.kind == NoticeKind.ANSWER and notice.payload["text"] == "Bien reçu, merci."


async def test_the_api_words_what_it_refuses(api: Api) -> None:
    reply = await _reply(UAI_A, api.schools, api.sid("marie"))
    nobody = await _reply(UAI_A, api.schools, None, ref="b", person=None)
    theirs = await _reply(UAI_B, api.schools, None, ref="c")
    path = f"/schools/{UAI_A}/inbound/{{}}/answer"
    cases = [
        (reply.id, {"text": "x" * 481}, 422, "invalid"),
        (reply.id, {"text": "   "}, 422, "empty"),
        (reply.id, {"words": "Merci"}, 422, "invalid"),
        (nobody.id, {"text": "Merci"}, 422, "no_family"),
        (theirs.id, {"text": "Merci"}, 404, "not_found"),
        (reply.id + 1000, {"text": "Merci"}, 404, "not_found"),
    ]
    for inbound_id, body, expected, code in cases:
        status, answer = await api.call("POST", path.format(inbound_id), json=body)
        assert (status, answer["error"]["code"]) == (expected, code), (body, answer)
        assert answer["error"]["message"]
    await ContactPoint.filter(value=MOBILE).update(usability=Usability.OPTED_OUT)
    status, answer = await api.call("POST", path.format(reply.id), json={"text": "Merci"})
    assert (status, answer["error"]["code"]) == (409, "opted_out")
    status, _ = await api.call("POST", path.format(reply.id), json={"text": "Merci"}, as_="teacher")
    assert status == 403
    assert await Notice.filter(kind=NoticeKind.ANSWER).count() == 0


async def test_the_api_lists_a_key_pressed_during_a_call(api: Api) -> None:
    await _reply(
        UAI_A, api.schools, api.sid("marie"), channel="call", text="2", status=InboundStatus.PENDING
    )
    await _reply(
        UAI_A,
        api.schools,
        api.sid("marie"),
        ref="k",
        channel="call",
        text="1",
        status=InboundStatus.ACKNOWLEDGED,
    )
    status, page = await api.call("GET", f"/schools/{UAI_A}/inbound")
    assert status == 200
    said = sorted((i["channel"], i["status"], i["keypad"]) for i in page["items"])
    assert said == [("call", "acknowledged", "acknowledged"), ("call", "pending", "callback")]
    status, page = await api.call("GET", f"/schools/{UAI_A}/inbound?status=acknowledged")
    assert (status, page["total"]) == (200, 1)


# --- the panel ---------------------------------------------------------------------------------

PAGE = f"/s/{UAI_A}/replies"


async def _world(world: World) -> InboundMessage:
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
    return await _reply(UAI_A, world.schools, world.sid("Marie"), status=InboundStatus.PENDING)


async def test_the_cpe_answers_from_the_replies_page(db: str, app_client: Client) -> None:
    world = await build_world()
    reply = await _world(world)
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(PAGE)).text()
    assert f'action="{PAGE}/{reply.id}/answer"' in page and "Répondre par SMS" in page
    assert 'maxlength="480"' in page
    response = await app_client.post(
        f"{PAGE}/{reply.id}/answer",
        data={"csrf": token, "text": "Bien reçu, merci."},
        allow_redirects=False,
    )
    assert (response.status, response.headers["Location"]) == (303, PAGE)
    page = await (await app_client.get(PAGE)).text()
    assert f"Réponse envoyée par SMS au {MOBILE}." in page
    [delivery] = await Delivery.filter(notice__kind=NoticeKind.ANSWER)
    assert (delivery.channel, delivery.to) == ("sms", MOBILE)


async def test_the_form_refuses_in_words(db: str, app_client: Client) -> None:
    world = await build_world()
    reply = await _world(world)
    token = await log_in(app_client, "cpe")
    url = f"{PAGE}/{reply.id}/answer"
    forged = await app_client.post(
        url, data={"csrf": "forged", "text": "Merci"}, allow_redirects=False
    )
    assert forged.status == 403
    long = await app_client.post(
        url, data={"csrf": token, "text": "x" * 481}, allow_redirects=False
    )
    assert long.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "La réponse compte au plus 480 caractères." in page and "too_long" not in page
    theirs = await _reply(UAI_B, world.schools, None, ref="b")
    for missing in (reply.id + 1000, theirs.id):  # none, another school's
        response = await app_client.post(
            f"{PAGE}/{missing}/answer", data={"csrf": token, "text": "Merci"}, allow_redirects=False
        )
        assert response.status == 404
    assert await Notice.filter(kind=NoticeKind.ANSWER).count() == 0
