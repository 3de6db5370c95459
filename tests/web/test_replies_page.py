"""Réponses over real HTTP: the CPE reads a family's reply with the reason it was read as and
accepts it in one click (or several at once); what is refused is said in the page's words."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.models import ContactKind, ContactPoint, Event, InboundMessage, InboundStatus
from core.services.notices.inbound import receive_sms
from tests.web.follow_up_support import World, at, build_world, log_in
from tests.web.personas import MONDAY, UAI_A

Client = TestClient[Any, Any]
PAGE = f"/s/{UAI_A}/replies"


@pytest.fixture
async def world(db: str, app_client: Client) -> World:
    world = await build_world()
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
    return world


async def _reply(text: str, ref: str) -> InboundMessage:
    received = await receive_sms("twilio", ref, "+33612345678", text, at(MONDAY, 18), {})
    return received.message


async def test_the_cpe_sees_the_reply_read_and_accepts_it(world: World, app_client: Client) -> None:
    reply = await _reply("Bonjour, Marie avait de la fièvre, je vous envoie un mot", "SM1")
    token = await log_in(app_client, "cpe")
    page = await (await app_client.get(PAGE)).text()
    assert "Réponses des familles" in page and "Marie avait de la fièvre" in page
    assert "Maladie de l&#39;élève" in page and "sûr à" in page
    assert f'href="{PAGE}"' in page  # in the menu
    response = await app_client.post(
        f"{PAGE}/{reply.id}/accept", data={"csrf": token, "reason": ""}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "Réponse acceptée : l&#39;absence est justifiée." in page
    assert "Marie avait de la fièvre" not in page  # no longer waiting
    event = await Event.get(id=world.events["marie_mon"].id).prefetch_related("reason")
    assert event.reason is not None and event.reason.code == "MALADIE"
    again = await app_client.post(
        f"{PAGE}/{reply.id}/accept", data={"csrf": token}, allow_redirects=False
    )
    assert again.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "Cette réponse a déjà été traitée." in page and "decided" not in page


async def test_several_at_once_and_a_reply_without_reason(world: World, app_client: Client) -> None:
    ill = await _reply("malade", "SM2")
    vague = await _reply("Je vous rappelle", "SM3")
    token = await log_in(app_client, "cpe")
    response = await app_client.post(
        f"{PAGE}/accept",
        data={"csrf": token, "id": [str(ill.id), str(vague.id)]},
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "1 réponse acceptée." in page
    assert "Choisissez le motif que donne la famille." in page
    assert (await InboundMessage.get(id=ill.id)).status == InboundStatus.ACCEPTED
    assert (await InboundMessage.get(id=vague.id)).status == InboundStatus.PENDING
    response = await app_client.post(
        f"{PAGE}/{vague.id}/reject", data={"csrf": token}, allow_redirects=False
    )
    assert response.status == 303
    assert (await InboundMessage.get(id=vague.id)).status == InboundStatus.REJECTED


async def test_in_english_and_without_a_token(world: World, app_client: Client) -> None:
    reply = await _reply("il était malade", "SM4")
    await log_in(app_client, "cpe")
    page = await (await app_client.get(PAGE + "?lang=en&status=all")).text()
    assert "Families&#39; replies" in page and "Accept" in page
    refused = await app_client.post(f"{PAGE}/{reply.id}/accept", data={}, allow_redirects=False)
    assert refused.status == 403
    assert (await InboundMessage.get(id=reply.id)).status == InboundStatus.PENDING


async def test_a_reason_the_school_does_not_have_is_said_plainly(
    world: World, app_client: Client
) -> None:
    reply = await _reply("il était malade", "SM5")
    token = await log_in(app_client, "cpe")
    response = await app_client.post(
        f"{PAGE}/{reply.id}/accept", data={"csrf": token, "reason": "NOPE"}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await app_client.get(PAGE)).text()
    assert "Ce motif n&#39;existe pas dans cet établissement." in page and "NOPE" not in page
    assert (await InboundMessage.get(id=reply.id)).status == InboundStatus.PENDING
