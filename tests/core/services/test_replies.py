"""The CPE decides on a family's reply: accepted, the absence gets the reason the family gives
(or the one the CPE corrects it to) and "Parole de la famille"; rejected, nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    AuditEntry,
    ContactKind,
    ContactPoint,
    Delivery,
    Event,
    InboundMessage,
    InboundStatus,
    JustificationType,
    Notice,
    NoticeKind,
    Reason,
    School,
    Student,
)
from core.services.audit import Actor
from core.services.notices.inbound import receive_sms
from core.services.notices.replies import FAMILY_WORD, accept_reply, reject_reply
from tests.core.services.notice_support import MONDAY, MOTHER_MOBILE, absence, at, make_family

EVENING = at(MONDAY, 18)


async def _reply(school: School, actor: Actor, pupil: Student, text: str) -> tuple[Event, int]:
    await make_family(school, pupil)
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
    event = await absence(school, actor, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9))
    received = await receive_sms(
        "twilio", f"SM{pupil.id}{len(text)}", MOTHER_MOBILE, text, EVENING, {}
    )
    assert received.message.event_ids == [event.id]
    return event, received.message.id


async def test_accepting_gives_the_absence_the_reason_and_the_familys_word(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event, reply = await _reply(school_a, cpe_actor, pupil, "Léa avait de la fièvre")
    decided = await accept_reply(school_a, cpe_actor, reply, now=EVENING)
    assert decided.message.status == InboundStatus.ACCEPTED
    assert decided.message.handled_by_id == cpe_actor.user_id
    event = await Event.get(id=event.id).prefetch_related("reason__generic", "justification")
    assert event.reason is not None and event.reason.generic.code == "MALADIE"
    assert event.justification is not None and event.justification.code == FAMILY_WORD
    assert event.accepted is True and event.counts is True  # the reason's flags
    entry = await AuditEntry.get(action="inbound.accept")
    assert entry.after is not None and entry.after["status"] == "accepted"
    with pytest.raises(Conflict):  # a second click decides nothing more
        await accept_reply(school_a, cpe_actor, reply, now=EVENING)


async def test_the_cpe_corrects_the_reason(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event, reply = await _reply(school_a, cpe_actor, pupil, "il avait rdv chez le dentiste")
    await accept_reply(school_a, cpe_actor, reply, reason="TRANSPORT", now=EVENING)
    event = await Event.get(id=event.id).prefetch_related("reason__generic")
    assert event.reason is not None and event.reason.generic.code == "TRANSPORT"


async def test_no_reason_read_nor_given_is_refused_with_the_reason(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event, reply = await _reply(school_a, cpe_actor, pupil, "Je vous rappelle")
    with pytest.raises(Invalid) as refused:
        await accept_reply(school_a, cpe_actor, reply, now=EVENING)
    assert refused.value.code == "reason_required"
    assert (await InboundMessage.get(id=reply)).status == InboundStatus.PENDING
    assert (await Event.get(id=event.id)).reason_id is None  # type: ignore[attr-defined]


async def test_rejecting_leaves_the_absence_as_it_is(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    event, reply = await _reply(school_a, cpe_actor, pupil, "il était malade")
    message = await reject_reply(school_a, cpe_actor, reply, now=EVENING)
    assert message.status == InboundStatus.REJECTED
    assert (await Event.get(id=event.id)).reason_id is None  # type: ignore[attr-defined]
    assert await AuditEntry.exists(action="inbound.reject")
    with pytest.raises(Conflict):
        await accept_reply(school_a, cpe_actor, reply, now=EVENING)


async def test_another_schools_reply_is_not_found(
    school_a: School, school_b: School, cpe_actor: Actor, pupil: Student
) -> None:
    _, reply = await _reply(school_a, cpe_actor, pupil, "il était malade")
    with pytest.raises(NotFound):
        await accept_reply(school_b, cpe_actor, reply, now=EVENING)
    with pytest.raises(NotFound):
        await reject_reply(school_b, cpe_actor, reply, now=EVENING)


async def test_a_school_without_the_familys_word_gets_it_once_audited(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    await JustificationType.filter(school_id=school_a.id, code=FAMILY_WORD).delete()
    _, reply = await _reply(school_a, cpe_actor, pupil, "il était malade")
    await accept_reply(school_a, cpe_actor, reply, now=EVENING)
    assert await JustificationType.filter(school_id=school_a.id, code=FAMILY_WORD).count() == 1
    assert await AuditEntry.exists(action="justification_type.create")
    assert await Reason.filter(school_id=school_a.id).exists()


async def test_the_family_is_thanked_once_a_day_and_never_a_robot(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")

    async def thanked(text: str, ref: str, when: object) -> bool:
        received = await receive_sms("twilio", ref, MOTHER_MOBILE, text, when, {})  # type: ignore[arg-type]
        assert received.reply is None  # only a STOP or a START is answered in the webhook
        return bool(received.due)

    assert not await thanked("Réponse automatique : je suis absente du bureau", "R0", at(MONDAY, 9))
    assert await thanked("il était malade", "R1", at(MONDAY, 10))
    assert not await thanked("un mot suit demain", "R2", at(MONDAY, 11))
    assert await thanked("toujours malade", "R3", at(MONDAY, 9) + timedelta(days=1))
    assert await InboundMessage.filter(acknowledged_at__isnull=False).count() == 2
    notices = await Notice.filter(kind=NoticeKind.THANKS).order_by("id")
    assert [n.payload["inbound_id"] for n in notices] == [
        m.id for m in await InboundMessage.filter(acknowledged_at__isnull=False).order_by("id")
    ]
    [delivery] = await Delivery.filter(notice_id=notices[0].id)
    assert (delivery.channel, delivery.to, delivery.person_id) == (
        "sms",
        MOTHER_MOBILE,
        (await InboundMessage.get(provider_ref="R1")).person_id,
    )
