"""The call's keypad end to end: an absence called through a local Twilio, the keys the family
presses posted (signed) to the gather webhook on loopback."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.models import Delivery, DeliveryStatus, InboundMessage, InboundStatus, MessageTemplate
from core.queries.inbound import inbound_page
from gateway.twilio.callbacks import signature
from tests.gateway.fakes.twilio import TwilioRequest
from tests.web.hooks_support import Service, delivery_for, running_service


@pytest.fixture
async def service(db: str, tmp_path: Path) -> AsyncIterator[Service]:
    async with running_service(tmp_path / "var") as running:
        yield running


async def _called(service: Service) -> tuple[TwilioRequest, Delivery]:
    service.family.mother.preferred_channel = "call"
    await service.family.mother.save(update_fields=["preferred_channel"])
    requests = await service.absence_sent()
    [call] = [r for r in requests if r.resource == "Calls"]
    return call, await delivery_for(call)


async def _press(
    service: Service, delivery_uuid: object, digits: str, sid: str, *, token: str | None = None
) -> tuple[int, str]:
    url = f"{service.public_url}/hooks/twilio/gather/{delivery_uuid}"
    params = {"CallSid": sid, "CallStatus": "in-progress", "Digits": digits}
    header = signature(url, params, token or service.twilio.auth_token)
    async with service.client.post(
        url.removeprefix(service.public_url), data=params, headers={"X-Twilio-Signature": header}
    ) as response:
        return response.status, await response.text()


def _said(script: str) -> list[str]:
    root = ET.fromstring(script)
    return [say.text or "" for say in root.iter("Say")]


async def test_the_call_says_the_message_and_the_templates_menu(service: Service) -> None:
    call, _ = await _called(service)
    script = call.get("Twiml") or ""
    said = _said(script)
    assert "Léa Martin est absent" in said[0]
    assert said[1].startswith("Appuyez sur 1 si vous avez bien reçu ce message, sur 2")
    assert "---" not in script


async def test_a_1_is_an_acknowledged_reply_and_confirms_the_call(service: Service) -> None:
    call, delivery = await _called(service)
    status, script = await _press(service, delivery.uuid, "1", call.sid)
    assert status == 200
    assert "Merci, nous avons bien noté" in script and "<Hangup/>" in script

    [reply] = await InboundMessage.all()
    assert (reply.channel, reply.provider, reply.provider_ref) == (
        "call",
        "twilio",
        f"{call.sid}:1",
    )
    assert (reply.status, reply.sender, reply.delivery_id) == (
        InboundStatus.ACKNOWLEDGED,
        delivery.to,
        delivery.id,
    )
    assert (reply.school_id, reply.student_id, reply.person_id) == (
        service.school.id,
        service.pupil.id,
        delivery.person_id,
    )
    assert reply.event_ids and reply.acknowledged_at is not None
    assert reply.proposed_reason_id is None and reply.proposed_generic is None  # type: ignore[attr-defined]
    assert (await Delivery.get(id=delivery.id)).status == DeliveryStatus.DELIVERED
    [view] = (await inbound_page(service.school)).items
    assert (view.channel, view.status, view.keypad) == ("call", "acknowledged", "acknowledged")


async def test_a_2_is_a_pending_reply_in_the_queue(service: Service) -> None:
    call, delivery = await _called(service)
    status, script = await _press(service, delivery.uuid, "2", call.sid)
    assert status == 200
    assert _said(script) == [
        "Merci, votre demande de rappel est transmise à la vie scolaire. Au revoir."
    ]

    [reply] = await InboundMessage.all()
    assert (reply.status, reply.acknowledged_at, reply.delivery_id) == (
        InboundStatus.PENDING,
        None,
        delivery.id,
    )
    [view] = (await inbound_page(service.school, status="pending")).items
    assert view.keypad == "callback"


async def test_a_callback_posted_twice_is_stored_once(service: Service) -> None:
    call, delivery = await _called(service)
    for _ in range(2):
        assert (await _press(service, delivery.uuid, "2", call.sid))[0] == 200
    assert await InboundMessage.all().count() == 1


async def test_a_3_says_the_message_and_the_menu_again(service: Service) -> None:
    call, delivery = await _called(service)
    status, script = await _press(service, delivery.uuid, "3", call.sid)
    assert status == 200
    root = ET.fromstring(script)
    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("action") == f"{service.public_url}/hooks/twilio/gather/{delivery.uuid}"
    said = [say.text or "" for say in gather.findall("Say")]
    assert "Léa Martin est absent" in said[0]
    assert said[1].startswith("Appuyez sur 1")
    assert await InboundMessage.all().count() == 0


async def test_another_key_says_the_menu_again(service: Service) -> None:
    call, delivery = await _called(service)
    status, script = await _press(service, delivery.uuid, "7", call.sid)
    assert status == 200
    gather = ET.fromstring(script).find("Gather")
    assert gather is not None
    said = [say.text or "" for say in gather.findall("Say")]
    assert len(said) == 1 and said[0].startswith("Appuyez sur 1")
    assert await InboundMessage.all().count() == 0
    assert (await Delivery.get(id=delivery.id)).status != DeliveryStatus.DELIVERED


async def test_a_forged_key_is_refused_and_stores_nothing(service: Service) -> None:
    call, delivery = await _called(service)
    status, _ = await _press(service, delivery.uuid, "2", call.sid, token="forged")
    assert status == 403
    assert await InboundMessage.all().count() == 0


async def test_a_key_on_an_unknown_call_hears_a_goodbye(service: Service) -> None:
    for unknown in (uuid.uuid4(), "not-a-uuid"):
        status, script = await _press(service, unknown, "1", "CA" + "9" * 32)
        assert status == 200
        assert _said(script) == ["Au revoir."] and "<Hangup/>" in script
    assert await InboundMessage.all().count() == 0


async def test_a_schools_own_call_template_words_its_menu(service: Service) -> None:
    await MessageTemplate.create(
        school=service.school,
        kind="absence",
        channel="call",
        language="fr",
        body="{{ student.first_name }} manque à l'appel.\n---\nTapez 1, 2 ou 3, merci.",
    )
    call, delivery = await _called(service)
    assert _said(call.get("Twiml") or "")[:2] == [
        "Léa manque à l'appel.",
        "Tapez 1, 2 ou 3, merci.",
    ]
    _, script = await _press(service, delivery.uuid, "3", call.sid)
    assert _said(script)[:2] == ["Léa manque à l'appel.", "Tapez 1, 2 ou 3, merci."]
    _, script = await _press(service, delivery.uuid, "0", call.sid)
    assert _said(script)[0] == "Tapez 1, 2 ou 3, merci."
