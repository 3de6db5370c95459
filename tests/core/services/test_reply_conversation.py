"""The conversation after a family's reply: which child (asked when it could be several), which
school (its own SMS sender), STOP and START, and the number a notice went to."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    AuditEntry,
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Event,
    GuardianLink,
    InboundMessage,
    InboundStatus,
    Notice,
    NoticeKind,
    Person,
    ReplyQuestion,
    School,
    Student,
    Usability,
)
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.notices.inbound import Received, read_waiting, receive_sms, store_sms
from core.services.notices.replies import assign_reply, attach_reply, reject_reply
from tests.core.services.notice_support import (
    FATHER_MOBILE,
    MONDAY,
    MOTHER_MOBILE,
    Family,
    absence,
    at,
    make_family,
)

EVENING = at(MONDAY, 18)
UNKNOWN = "+33655555555"


async def _sms(text: str, ref: str, when: datetime = EVENING, **extra: str) -> Received:
    return await receive_sms(
        "twilio", ref, extra.pop("sender", MOTHER_MOBILE), text, when, {}, **extra
    )


async def _two_children_absent(
    school: School, actor: Actor, pupil: Student
) -> tuple[Student, Family, list[int]]:
    family = await make_family(school, pupil)
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
    hugo = await Student.create(school=school, last_name="Martin", first_name="Hugo")
    await GuardianLink.create(student=hugo, person=family.mother, priority=1)
    leas = await absence(school, actor, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9))
    hugos = await absence(school, actor, hugo, at(MONDAY, 14), at(MONDAY, 16), now=at(MONDAY, 15))
    return hugo, family, [leas.id, hugos.id]


async def test_two_children_absent_the_family_is_asked_and_its_answer_attaches_the_reply(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    hugo, _, (_, hugos) = await _two_children_absent(school_a, cpe_actor, pupil)

    first = await _sms("il avait de la fièvre", "Q1")
    [asking] = await Notice.filter(kind=NoticeKind.ANSWER)
    assert asking.payload["text"] == (
        "Votre réponse concerne quel enfant ? Répondez 1 pour Léa, 2 pour Hugo."
    )
    [delivery] = await Delivery.filter(notice_id=asking.id)
    assert (delivery.to, delivery.channel) == (MOTHER_MOBILE, "sms")
    assert first.due and first.due[0].delivery_id == delivery.id
    assert (first.message.status, first.message.student_id) == (InboundStatus.PENDING, None)
    [question] = await ReplyQuestion.all()
    assert question.choices == [pupil.id, hugo.id] and question.message_id == first.message.id

    answer = await _sms("2", "Q2", EVENING + timedelta(minutes=3))
    [thanks] = await Notice.filter(kind=NoticeKind.THANKS)
    assert thanks.payload["inbound_id"] == answer.message.id and thanks.student_id == hugo.id
    asked = await InboundMessage.get(id=first.message.id)
    assert (asked.student_id, asked.event_ids) == (hugo.id, [hugos])
    assert asked.proposed_generic == "MALADIE"  # the reading of the first reply is kept
    assert answer.message.status == InboundStatus.ACKNOWLEDGED  # nothing more to decide
    assert (await ReplyQuestion.get(id=question.id)).answered_at is not None
    # a later "1" is no answer to a question already answered: asked again
    await _sms("1", "Q3", EVENING + timedelta(minutes=5))
    assert await Notice.filter(kind=NoticeKind.ANSWER).count() == 2


async def test_an_answer_with_a_reason_of_its_own_waits_for_the_cpe(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    hugo, _, _ = await _two_children_absent(school_a, cpe_actor, pupil)
    await _sms("bonjour, il était absent", "A1")
    answer = await _sms(
        "Hugo, il avait rendez-vous chez le dentiste", "A2", EVENING + timedelta(hours=1)
    )
    assert answer.message.status == InboundStatus.PENDING
    assert (answer.message.student_id, answer.message.proposed_generic) == (hugo.id, "RDV_MEDICAL")


async def test_the_question_lasts_a_day(school_a: School, cpe_actor: Actor, pupil: Student) -> None:
    await _two_children_absent(school_a, cpe_actor, pupil)
    await _sms("il était malade", "D1")
    late = await _sms("1", "D2", EVENING + timedelta(days=1, minutes=1))
    assert late.message.student_id is None  # not an answer any more: asked again
    assert await ReplyQuestion.filter(answered_at__isnull=True).count() == 2


async def test_naming_the_child_needs_no_question(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    hugo, _, (leas, _) = await _two_children_absent(school_a, cpe_actor, pupil)
    named = await _sms("Léa était malade", "N1")
    assert (named.message.student_id, named.message.event_ids) == (pupil.id, [leas])
    assert not await ReplyQuestion.exists()
    assert hugo.id != pupil.id


async def test_an_unknown_number_goes_to_the_school_whose_sender_it_wrote_to(
    school_a: School, school_b: School, cpe_actor: Actor, pupil: Student
) -> None:
    await School.filter(id=school_b.id).update(sms_sender="+33757000002")
    to_b = await _sms(
        "Bonjour, c'est la maman d'Inès", "U1", sender=UNKNOWN, recipient="0757000002"
    )
    assert (to_b.message.status, to_b.message.school_id) == (InboundStatus.UNMATCHED, school_b.id)
    assert to_b.message.recipient == "+33757000002" and to_b.reply is None
    to_install = await _sms("Bonjour", "U2", sender=UNKNOWN, recipient="+33700000001")
    assert (to_install.message.status, to_install.message.school_id) == (
        InboundStatus.UNMATCHED,
        None,
    )


async def test_a_number_known_in_two_schools_goes_first_to_the_one_it_wrote_to(
    school_a: School, school_b: School, cpe_actor: Actor, pupil: Student, pupil_b: Student
) -> None:
    await make_family(school_a, pupil)
    other = await Person.create(school=school_b, last_name="Martin", first_name="Anne")
    await GuardianLink.create(student=pupil_b, person=other, priority=1)
    await ContactPoint.create(
        person=other, kind=ContactKind.MOBILE, value=MOTHER_MOBILE, verified=True
    )
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
    await School.filter(id=school_b.id).update(sms_sender="+33757000002")
    reply = await _sms("elle était malade", "K1", recipient="+33757000002")
    assert (reply.message.school_id, reply.message.person_id) == (school_b.id, other.id)
    assert reply.message.student_id == pupil_b.id


async def test_the_number_a_notice_went_to_is_known_even_unverified(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)  # contact points neither verified nor imported
    event = await absence(
        school_a, cpe_actor, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9)
    )
    notice = await Notice.create(
        school=school_a, student=pupil, event=event, kind=NoticeKind.ABSENCE, dedupe_key="n-test"
    )
    await Delivery.create(
        uuid="6b0d0c9e-2f6c-4c2e-9a56-6f1c1f2b0a01",
        notice=notice,
        person=family.mother,
        channel="sms",
        to=MOTHER_MOBILE,
        status=DeliveryStatus.DELIVERED,
        not_before=at(MONDAY, 9),
        sent_at=at(MONDAY, 9, 20),
    )
    reply = await _sms("il était malade", "V1")
    assert (reply.message.person_id, reply.message.student_id) == (family.mother.id, pupil.id)
    assert reply.message.event_ids == [event.id]


async def test_stop_then_start_opts_out_and_back_in_audited(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
    stop = await _sms("STOP", "S1")
    assert stop.message.status == InboundStatus.OPT_OUT and stop.reply is not None
    assert "START" in stop.reply
    point = await ContactPoint.get(id=family.mother_mobile.id)
    assert point.usability == Usability.OPTED_OUT
    start = await _sms("start", "S2", EVENING + timedelta(hours=1))
    assert start.reply == "Vous recevrez à nouveau les SMS de l'établissement à ce numéro."
    assert start.message.status == InboundStatus.ACKNOWLEDGED
    point = await ContactPoint.get(id=family.mother_mobile.id)
    assert point.usability == Usability.OK
    entry = await AuditEntry.get(action="contact_point.opt_in")
    assert entry.before is not None and entry.before["usability"] == "opted_out"
    # "je ne veux plus recevoir de sms" is a request for the CPE, not an automatic opt-out
    asked = await _sms("je ne veux plus recevoir de sms", "S3", EVENING + timedelta(hours=2))
    assert asked.message.status == InboundStatus.PENDING
    assert (await ContactPoint.get(id=family.mother_mobile.id)).usability == Usability.OK


async def test_a_reply_from_an_unknown_number_is_attached_by_hand_and_the_number_verified(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    event = await absence(
        school_a, cpe_actor, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9)
    )
    await School.filter(id=school_a.id).update(sms_sender="+33757000001")
    reply = await _sms("Léa avait de la fièvre", "H1", sender=UNKNOWN, recipient="+33757000001")
    assert reply.message.proposed_generic == "MALADIE"

    attached = await attach_reply(
        school_a, cpe_actor, reply.message.id, guardian_id=family.father.id
    )
    assert attached.status == InboundStatus.PENDING
    assert (attached.person_id, attached.student_id) == (family.father.id, pupil.id)
    assert attached.event_ids == [event.id]
    assert attached.proposed_reason_id is not None  # the school's reason under the reading
    point = await ContactPoint.get(person_id=family.father.id, value=UNKNOWN)
    assert point.verified and point.kind == ContactKind.MOBILE
    assert await AuditEntry.exists(action="inbound.attach")
    assert await AuditEntry.exists(action="contact_point.create")
    # now known: the father's next SMS is matched without anyone's help
    later = await _sms("il va mieux", "H2", EVENING + timedelta(hours=1), sender=UNKNOWN)
    assert later.message.person_id == family.father.id


async def test_a_reply_is_moved_to_another_child_or_absence_of_the_family_only(
    school_a: School, cpe_actor: Actor, pupil: Student, classmate: Student
) -> None:
    hugo, family, (leas, hugos) = await _two_children_absent(school_a, cpe_actor, pupil)
    reply = await _sms("Léa était malade", "M1")
    moved = await attach_reply(school_a, cpe_actor, reply.message.id, student_id=hugo.id)
    assert (moved.student_id, moved.event_ids) == (hugo.id, [hugos])
    chosen = await attach_reply(
        school_a, cpe_actor, reply.message.id, student_id=pupil.id, event_ids=[leas]
    )
    assert chosen.event_ids == [leas]
    with pytest.raises(Invalid) as refused:
        await attach_reply(school_a, cpe_actor, reply.message.id, student_id=classmate.id)
    assert refused.value.code == "not_their_child"
    with pytest.raises(Invalid) as refused:
        await attach_reply(
            school_a, cpe_actor, reply.message.id, student_id=pupil.id, event_ids=[hugos]
        )
    assert refused.value.code == "unknown_event"
    assert (await InboundMessage.get(id=reply.message.id)).event_ids == [leas]  # unchanged
    assert family.mother.id == reply.message.person_id


async def test_attaching_refuses_other_schools_and_decided_replies(
    school_a: School, school_b: School, cpe_actor: Actor, pupil: Student, pupil_b: Student
) -> None:
    await _two_children_absent(school_a, cpe_actor, pupil)
    stranger = await Person.create(school=school_b, last_name="Petit", first_name="Paul")
    reply = await _sms("Léa était malade", "O1")
    with pytest.raises(NotFound) as refused:
        await attach_reply(school_a, cpe_actor, reply.message.id, guardian_id=stranger.id)
    assert refused.value.code == "unknown_guardian"
    with pytest.raises(NotFound):
        await attach_reply(school_b, cpe_actor, reply.message.id, student_id=pupil_b.id)
    await reject_reply(school_a, cpe_actor, reply.message.id)
    with pytest.raises(Conflict):
        await attach_reply(school_a, cpe_actor, reply.message.id, student_id=pupil.id)


async def test_an_operator_gives_a_reply_no_school_claimed_to_its_school(
    school_a: School, system: Actor
) -> None:
    reply = await _sms("mon fils était malade", "I1", sender=UNKNOWN)
    assert reply.message.school_id is None
    given = await assign_reply(system, reply.message.id, school_a)
    assert given.school_id == school_a.id and given.proposed_reason_id is not None
    with pytest.raises(Conflict):
        await assign_reply(system, reply.message.id, school_a)
    assert await AuditEntry.exists(action="inbound.assign", school_id=school_a.id)


async def test_replies_stored_by_the_webhook_are_read_once_by_readers_at_once(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
    now = datetime.now(UTC)  # read now: fresh enough to be thanked
    yesterday = now - timedelta(days=1)
    await Event.create(
        school=school_a,
        student=pupil,
        kind=EventKind.ABSENCE,
        starts_at=yesterday - timedelta(hours=2),
        ends_at=yesterday,
    )
    stored = [
        await store_sms("twilio", f"W{n}", sender, "elle était malade", now, {})
        for n, sender in enumerate((MOTHER_MOBILE, FATHER_MOBILE, MOTHER_MOBILE))
    ]
    again = await store_sms("twilio", "W0", MOTHER_MOBILE, "elle était malade", now, {})
    assert [s.created for s in stored] == [True, True, True] and not again.created
    assert again.message.id == stored[0].message.id  # the provider's repeat: the same row

    first, second = await asyncio.gather(read_waiting(), read_waiting())
    assert first.count + second.count == 3
    rows = await InboundMessage.all().order_by("id")
    assert [r.status for r in rows] == [InboundStatus.PENDING] * 3
    assert {r.person_id for r in rows} == {family.mother.id, family.father.id}
    # each number thanked once, whichever reader read it
    assert await Notice.filter(kind=NoticeKind.THANKS).count() == 2
    assert (await read_waiting()).count == 0
