"""Twilio's webhooks end to end: an absence recorded, its SMS sent by the worker through the real
transport to a local Twilio, which posts signed delivery reports back to the app on loopback."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.models import (
    AuditEntry,
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    DeliveryStatusChange,
    Event,
    GuardianLink,
    InboundMessage,
    InboundStatus,
    Notice,
    NoticeStatus,
    Reason,
    Student,
    Usability,
)
from core.rules.counting import EventKind
from gateway.twilio.callbacks import signature
from tests.core.services.notice_support import FATHER_MOBILE, MOTHER_MOBILE
from tests.web.hooks_support import Service, delivery_for, running_service


@pytest.fixture
async def service(db: str, tmp_path: Path) -> AsyncIterator[Service]:
    async with running_service(tmp_path / "var") as running:
        yield running


async def callbacks(delivery: Delivery) -> list[str]:
    rows = await DeliveryStatusChange.filter(delivery_id=delivery.id, source="callback")
    return [row.to_status for row in rows]


async def test_sent_then_delivered_ends_delivered_and_the_notice_done(service: Service) -> None:
    requests = await service.absence_sent()
    assert sorted(r.get("To") for r in requests) == [MOTHER_MOBILE, FATHER_MOBILE]
    first = requests[0]
    assert (first.get("StatusCallback") or "").startswith(service.public_url + "/hooks/twilio/")

    assert await service.twilio.report(first, "sent") == 200
    assert (await delivery_for(first)).status == DeliveryStatus.SENT  # already: no change
    assert await service.twilio.report(first, "delivered") == 200

    delivery = await delivery_for(first)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert await callbacks(delivery) == ["delivered"]
    assert (await Notice.get(id=delivery.notice_id)).status == NoticeStatus.DONE


async def test_reports_out_of_order_end_delivered(service: Service) -> None:
    [first, _] = await service.absence_sent()
    assert await service.twilio.report(first, "delivered") == 200
    assert await service.twilio.report(first, "sent") == 200
    delivery = await delivery_for(first)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.final_at is not None


async def test_a_report_posted_twice_is_recorded_once(service: Service) -> None:
    [first, _] = await service.absence_sent()
    for _ in range(2):
        assert await service.twilio.report(first, "delivered") == 200
    assert await callbacks(await delivery_for(first)) == ["delivered"]


async def test_a_forged_or_unsigned_report_is_refused_and_changes_nothing(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    [first, _] = await service.absence_sent()
    url = first.get("StatusCallback") or ""
    params = {"MessageSid": first.sid, "MessageStatus": "delivered"}
    with caplog.at_level(logging.WARNING, logger="absences.hooks"):
        assert await service.twilio.post_callback(url, params, token="forged") == 403
        response = await service.client.post(url.removeprefix(service.public_url), data=params)
        assert response.status == 403
    assert sum("signature" in r.getMessage() for r in caplog.records) == 2
    delivery = await delivery_for(first)
    assert delivery.status == DeliveryStatus.SENT
    assert await callbacks(delivery) == []


async def test_a_report_on_an_unknown_delivery_is_answered_200(service: Service) -> None:
    params = {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered"}
    for tail in (str(uuid.uuid4()), "not-a-uuid"):
        url = f"{service.public_url}/hooks/twilio/status/{tail}"
        assert await service.twilio.post_callback(url, params) == 200
    assert await DeliveryStatusChange.filter(source="callback").count() == 0


async def test_a_signed_report_naming_a_letter_leaves_it_as_it_is(service: Service) -> None:
    [_, second] = await service.absence_sent()
    letter = await delivery_for(second)
    await Delivery.filter(id=letter.id).update(
        channel="letter", provider="letter", provider_ref=str(letter.uuid)
    )
    url = f"{service.public_url}/hooks/twilio/status/{letter.uuid}"
    for ref in (str(letter.uuid), "SM" + "7" * 32):
        params = {"MessageSid": ref, "MessageStatus": "undelivered", "ErrorCode": "30005"}
        assert await service.twilio.post_callback(url, params) == 200
    assert (await Delivery.get(id=letter.id)).status == DeliveryStatus.SENT
    assert await callbacks(letter) == []


async def test_an_unknown_number_marks_the_contact_and_the_email_leaves_at_once(
    service: Service,
) -> None:
    requests = await service.absence_sent()
    [mother_sms] = [r for r in requests if r.get("To") == MOTHER_MOBILE]
    status = await service.twilio.report(mother_sms, "undelivered", ErrorCode="30005")
    assert status == 200
    await service.queue.drain(timeout=10)

    failed = await delivery_for(mother_sms)
    assert (failed.status, failed.error) == (DeliveryStatus.UNDELIVERED, "undelivered (30005)")
    point = await ContactPoint.get(id=failed.contact_id)
    assert point.usability == Usability.INVALID
    [email] = await Delivery.filter(notice_id=failed.notice_id, channel="email")
    assert (email.person_id, email.status) == (failed.person_id, DeliveryStatus.DELIVERED)
    assert len(list((service.settings.var_dir / "outbox").glob("*.json"))) == 1


async def test_a_key_1_during_the_call_confirms_it(service: Service) -> None:
    service.family.mother.preferred_channel = "call"
    await service.family.mother.save(update_fields=["preferred_channel"])
    requests = await service.absence_sent()
    [call] = [r for r in requests if r.resource == "Calls"]
    delivery = await delivery_for(call)
    url = f"{service.public_url}/hooks/twilio/gather/{delivery.uuid}"
    params = {"CallSid": call.sid, "CallStatus": "in-progress", "Digits": "1"}
    async with service.client.post(
        url.removeprefix(service.public_url), data=params, headers=_signed(service, url, params)
    ) as response:
        assert response.status == 200
        assert "Merci" in await response.text()
    delivery = await Delivery.get(id=delivery.id)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert (await Notice.get(id=delivery.notice_id)).status == NoticeStatus.DONE


def _signed(service: Service, url: str, params: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": signature(url, params, service.twilio.auth_token)}


async def _imported_mobiles() -> None:
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")


async def test_stop_opts_the_number_out_and_is_confirmed(service: Service) -> None:
    await _imported_mobiles()
    assert await service.sms(MOTHER_MOBILE, " Arrêt ", "SM" + "1" * 32) == 200

    [message] = await InboundMessage.all()
    assert (message.status, message.person_id) == (InboundStatus.OPT_OUT, service.family.mother.id)
    point = await ContactPoint.get(id=service.family.mother_mobile.id)
    assert point.usability == Usability.OPTED_OUT
    [entry] = await AuditEntry.filter(action="contact_point.opt_out")
    assert entry.after is not None and "confirmation" in entry.after


async def test_a_reply_from_a_guardian_names_the_student_and_the_open_absence(
    service: Service,
) -> None:
    await _imported_mobiles()
    now = datetime.now(UTC)
    event = await Event.create(
        school=service.school,
        student=service.pupil,
        kind=EventKind.ABSENCE,
        starts_at=now - timedelta(days=1, hours=2),
        ends_at=now - timedelta(days=1),
    )
    sid = "SM" + "2" * 32
    for _ in range(2):  # Twilio's repeat is stored once
        assert await service.sms(MOTHER_MOBILE, "Il est malade", sid) == 200

    [message] = await InboundMessage.all()
    assert message.status == InboundStatus.PENDING
    assert (message.person_id, message.student_id) == (service.family.mother.id, service.pupil.id)
    assert message.event_ids == [event.id]


async def _absent_yesterday(service: Service, student: Student) -> Event:
    now = datetime.now(UTC)
    return await Event.create(
        school=service.school,
        student=student,
        kind=EventKind.ABSENCE,
        starts_at=now - timedelta(days=1, hours=2),
        ends_at=now - timedelta(days=1),
    )


async def test_a_reply_is_read_and_proposes_the_schools_reason(service: Service) -> None:
    await _imported_mobiles()
    await _absent_yesterday(service, service.pupil)
    text = "Bonjour, Léa a de la fièvre depuis hier soir, je vous envoie un mot"
    assert await service.sms(MOTHER_MOBILE, text, "SM" + "5" * 32) == 200

    [message] = await InboundMessage.all()
    reason = await Reason.get(id=message.proposed_reason_id)  # type: ignore[attr-defined]
    assert message.proposed_generic == "MALADIE" and (await reason.generic).code == "MALADIE"
    assert reason.school_id == service.school.id and reason.for_absence
    assert message.confidence is not None and 0.6 <= message.confidence <= 1


async def test_a_reply_naming_one_of_two_children_is_about_that_child(service: Service) -> None:
    await _imported_mobiles()
    hugo = await Student.create(school=service.school, last_name="Martin", first_name="Hugo")
    await GuardianLink.create(student=hugo, person=service.family.mother, priority=1)
    await _absent_yesterday(service, service.pupil)
    hugos = await _absent_yesterday(service, hugo)
    assert (
        await service.sms(MOTHER_MOBILE, "hugo avait rdv chez le dentiste", "SM" + "6" * 32) == 200
    )

    [message] = await InboundMessage.all()
    assert (message.student_id, message.event_ids) == (hugo.id, [hugos.id])
    assert message.proposed_generic == "RDV_MEDICAL"


async def test_a_reply_saying_nothing_of_a_reason_proposes_none(service: Service) -> None:
    await _imported_mobiles()
    assert await service.sms(MOTHER_MOBILE, "Merci, bien reçu", "SM" + "7" * 32) == 200
    [message] = await InboundMessage.all()
    assert message.status == InboundStatus.PENDING
    assert (message.proposed_generic, message.confidence) == (None, None)
    assert message.proposed_reason_id is None  # type: ignore[attr-defined]


async def test_a_reply_from_an_unknown_number_is_unmatched(service: Service) -> None:
    await _imported_mobiles()
    assert await service.sms("+33655555555", "Bonjour", "SM" + "3" * 32) == 200
    assert await service.sms(MOTHER_MOBILE, "Bonjour", "SM" + "4" * 32, token="forged") == 403
    [message] = await InboundMessage.all()
    assert (message.status, message.person_id) == (InboundStatus.UNMATCHED, None)


async def test_a_reply_is_stored_at_once_read_by_the_worker_and_thanked_by_sms(
    service: Service,
) -> None:
    await _imported_mobiles()
    await _absent_yesterday(service, service.pupil)
    url = f"{service.public_url}/hooks/twilio/sms"
    params = {"MessageSid": "SM" + "8" * 32, "From": MOTHER_MOBILE, "To": "+33700000001"}
    params |= {"Body": "Léa était malade", "AccountSid": service.twilio.account_sid}
    assert await service.twilio.post_callback(url, params) == 200
    await service.queue.drain(timeout=10)

    [message] = await InboundMessage.all()
    assert message.status == InboundStatus.PENDING and message.acknowledged_at is not None
    [thanks] = [r for r in service.twilio.requests if r.get("To") == MOTHER_MOBILE]
    assert (
        thanks.get("Body")
        == "Merci, votre réponse est transmise à la vie scolaire (Collège Alpha)."
    )
