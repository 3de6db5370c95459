"""A staff member answers a family's reply by SMS: the answer written (a notice of kind
``answer``, one SMS, audited), sent by the worker through the real transport to a local Twilio,
kept in the family's conversation; and what is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    AuditEntry,
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    InboundMessage,
    Notice,
    NoticeKind,
    Usability,
)
from core.queries.conversation import conversation, reply_conversation
from core.queries.scope import Scope
from core.services.audit import Actor
from core.services.notices.answers import answer_reply
from core.services.schools.school import create_school
from tests.core.services.notice_support import MONDAY, MOTHER_MOBILE, at
from tests.web.hooks_support import Service, running_service
from workers.queue import enqueue_scheduled

CPE = Actor(user_id=None, label="cpe@a.example.org")
DAYTIME = at(MONDAY, 10)  # out of the quiet hours


@pytest.fixture
async def service(db: str, tmp_path: Path) -> AsyncIterator[Service]:
    async with running_service(tmp_path / "var") as running:
        await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
        yield running


async def _reply(
    service: Service, text: str = "Léa est malade", sid: str = "SM" + "1" * 32
) -> InboundMessage:
    assert await service.sms(MOTHER_MOBILE, text, sid) == 200
    return await InboundMessage.get(provider_ref=sid)


async def test_the_answer_goes_by_sms_and_is_kept_in_the_conversation(service: Service) -> None:
    await service.absence_sent()
    reply = await _reply(service)
    before = len(service.twilio.requests)

    done = await answer_reply(CPE, service.school, reply.id, "  Bien reçu, merci.  ", now=DAYTIME)
    await enqueue_scheduled(service.queue, done.due)
    await service.queue.drain(timeout=10)

    [sms] = service.twilio.requests[before:]
    assert (sms.resource, sms.get("To")) == ("Messages", MOTHER_MOBILE)
    assert sms.get("Body") == "Bien reçu, merci. - Vie scolaire, Collège Alpha"
    notice = await Notice.get(id=done.notice.id)
    assert (notice.kind, notice.student_id) == (NoticeKind.ANSWER, service.pupil.id)
    assert notice.payload == {
        "text": "Bien reçu, merci.",
        "inbound_id": reply.id,
        "author": CPE.label,
    }
    delivery = await Delivery.get(id=done.delivery_id)
    assert (delivery.channel, delivery.to, delivery.person_id) == (
        "sms",
        MOTHER_MOBILE,
        service.family.mother.id,
    )
    assert delivery.contact_id == service.family.mother_mobile.id
    assert delivery.status == DeliveryStatus.SENT
    [entry] = await AuditEntry.filter(action="inbound.answer")
    assert entry.actor_label == CPE.label and entry.after is not None
    assert entry.after["to"] == MOTHER_MOBILE

    talk = await reply_conversation(service.school, reply.id)
    assert [(e.direction, e.kind) for e in talk] == [
        ("out", "absence"),
        ("in", "reply"),
        ("out", "thanks"),  # the family's reply was acknowledged
        ("out", "answer"),
    ]
    assert talk[1].text == "Léa est malade" and talk[1].inbound_id == reply.id
    assert (talk[3].text, talk[3].author, talk[3].status) == (
        "Bien reçu, merci.",
        CPE.label,
        "sent",
    )
    assert [e.at for e in talk] == sorted(e.at for e in talk)
    assert talk == await conversation(service.school, person_id=service.family.mother.id)
    someone_else = Scope(students=frozenset({service.pupil.id + 1}))
    assert (
        await conversation(service.school, person_id=service.family.mother.id, scope=someone_else)
        == []
    )
    by_number = await conversation(service.school, number=MOTHER_MOBILE)
    assert [e.direction for e in by_number] == ["out", "in", "out", "out"]
    other = await create_school("0750002B", "Collège Beta", Actor.system("tests"), today=MONDAY)
    assert await conversation(other, person_id=service.family.mother.id) == []


async def test_in_the_quiet_hours_the_answer_waits_for_the_morning(service: Service) -> None:
    reply = await _reply(service)
    late = at(MONDAY, 22, 30)
    done = await answer_reply(CPE, service.school, reply.id, "Merci", now=late)
    assert done.not_before > late and done.not_before.astimezone(late.tzinfo).hour >= 7


async def test_what_is_refused(service: Service) -> None:
    reply = await _reply(service)
    for text, code in (("   ", "empty"), ("x" * 481, "too_long")):
        with pytest.raises(Invalid) as refused:
            await answer_reply(CPE, service.school, reply.id, text, now=DAYTIME)
        assert refused.value.code == code
    await answer_reply(CPE, service.school, reply.id, "x" * 480, now=DAYTIME)  # the most
    other = await create_school("0750002B", "Collège Beta", Actor.system("tests"), today=MONDAY)
    for school, inbound_id in ((other, reply.id), (service.school, reply.id + 1000)):
        with pytest.raises(NotFound):
            await answer_reply(CPE, school, inbound_id, "Merci", now=DAYTIME)

    assert await service.sms("+33655555555", "Bonjour", "SM" + "2" * 32) == 200  # nobody's
    unknown = await InboundMessage.get(provider_ref="SM" + "2" * 32)
    await InboundMessage.filter(id=unknown.id).update(school_id=service.school.id)
    with pytest.raises(Invalid) as refused:
        await answer_reply(CPE, service.school, unknown.id, "Merci", now=DAYTIME)
    assert refused.value.code == "no_family"

    await ContactPoint.filter(id=service.family.mother_mobile.id).update(
        usability=Usability.OPTED_OUT
    )
    with pytest.raises(Conflict) as stopped:
        await answer_reply(CPE, service.school, reply.id, "Merci", now=DAYTIME)
    assert stopped.value.code == "opted_out"
    assert await Notice.filter(kind=NoticeKind.ANSWER).count() == 1  # the 480 characters' one


async def test_a_chat_reply_or_a_landline_gets_no_sms(service: Service) -> None:
    reply = await _reply(service)
    await InboundMessage.filter(id=reply.id).update(sender="123456789", channel="chat")
    with pytest.raises(Invalid) as refused:
        await answer_reply(CPE, service.school, reply.id, "Merci", now=DAYTIME)
    assert refused.value.code == "not_a_number"
    landline = "+33144556677"
    await ContactPoint.create(
        person=service.family.mother, kind=ContactKind.LANDLINE, value=landline
    )
    await InboundMessage.filter(id=reply.id).update(sender=landline, channel="call")
    with pytest.raises(Invalid) as refused:
        await answer_reply(CPE, service.school, reply.id, "Merci", now=DAYTIME)
    assert refused.value.code == "landline"
