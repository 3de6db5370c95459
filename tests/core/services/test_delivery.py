"""Delivering a notice: claimed once, sent outside any transaction, retried, failed over, and
followed by the provider's reports — with the real outbox and Twilio adapters, Twilio being a
local server that speaks its API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.models import (
    ContactPoint,
    Delivery,
    DeliveryStatus,
    DeliveryStatusChange,
    Event,
    MessageTemplate,
    Notice,
    NoticeStatus,
    School,
    StaffAlert,
    Student,
    Usability,
)
from core.services.audit import Actor
from core.services.delivery.send import Outcome, deliver, due_deliveries, record_status
from gateway.outbox.transport import OutboxTransport
from gateway.render import sms_segments
from gateway.twilio.callbacks import CHANNELS as TWILIO
from gateway.twilio.codes import usability_of
from gateway.twilio.sms import TwilioSmsTransport
from tests.core.services.notice_support import (
    MONDAY,
    MOTHER_EMAIL,
    MOTHER_MOBILE,
    Family,
    absence,
    at,
    deliveries_of,
    history,
    make_family,
    notices_of,
)
from tests.gateway.fakes.twilio import FakeTwilio
from workers.senders import Channels, render, wrap

RECORDED = at(MONDAY, 8, 30)
DUE = RECORDED + timedelta(minutes=20)
PUBLIC = "https://absences.example.fr"


@dataclass
class Setup:
    family: Family
    event: Event
    notice: Notice
    mother: Delivery  # her SMS
    father: Delivery
    channels: Channels
    twilio: FakeTwilio
    var: Path

    async def deliver(self, delivery: Delivery, now: datetime = DUE) -> Outcome:
        return await deliver(delivery.id, self.channels.senders, now=now, render=render)

    def outbox(self) -> list[dict[str, object]]:
        files = sorted((self.var / "outbox").glob("*.json"))
        return [json.loads(f.read_text()) for f in files]


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    server = FakeTwilio()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def setup(
    school_a: School, system: Actor, pupil: Student, twilio: FakeTwilio, tmp_path: Path
) -> AsyncIterator[Setup]:
    family = await make_family(school_a, pupil)
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    [notice] = await notices_of(pupil)
    mother, father = await deliveries_of(notice)
    sms = TwilioSmsTransport(
        twilio.account_sid,
        twilio.auth_token,
        "+33700000000",
        api_url=twilio.api_url,
        public_url=PUBLIC,
    )
    email = OutboxTransport(tmp_path, channel="email")
    channels = wrap({"sms": sms, "email": email})
    yield Setup(family, event, notice, mother, father, channels, twilio, tmp_path)
    await channels.close()


async def fresh(delivery: Delivery) -> Delivery:
    return await Delivery.get(id=delivery.id)


async def test_it_sends_once_and_a_second_call_is_skipped(setup: Setup) -> None:
    outcome = await setup.deliver(setup.mother)
    again = await setup.deliver(setup.mother)

    assert (outcome.status, again.status) == ("sent", "skipped")
    [request] = setup.twilio.requests
    assert request.get("To") == MOTHER_MOBILE
    body = request.get("Body") or ""
    assert body == (
        "Collège Alpha : Léa Martin est absent(e) depuis 8h00 ce lundi 2 mars. "
        "Merci de nous en indiquer le motif en répondant à ce SMS."
    )
    assert sms_segments(body).encoding == "GSM-7"
    delivery = await fresh(setup.mother)
    assert request.get("StatusCallback") == f"{PUBLIC}/hooks/twilio/status/{delivery.uuid}"
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert (delivery.provider, delivery.provider_ref) == ("twilio", request.sid)
    assert delivery.sent_at == DUE.astimezone(UTC)
    assert await history(delivery) == [
        ("", "scheduled", "plan"),
        ("scheduled", "sending", "worker"),
        ("sending", "sent", "worker"),
    ]


async def test_nothing_leaves_before_its_time(setup: Setup) -> None:
    early = await setup.deliver(setup.mother, DUE - timedelta(seconds=1))
    assert early.status == "skipped"
    assert setup.twilio.requests == []
    assert (await fresh(setup.mother)).attempts == 0


async def test_duplicate_deliver_calls_send_once(setup: Setup) -> None:
    outcomes = await asyncio.gather(*(setup.deliver(setup.mother) for _ in range(4)))
    assert sorted(o.status for o in outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(setup.twilio.requests) == 1
    assert (await fresh(setup.mother)).attempts == 1


async def test_a_provider_failing_twice_then_succeeding_sends_one_sms(setup: Setup) -> None:
    setup.twilio.fail(2, status=500)
    first = await setup.deliver(setup.mother)
    assert (first.status, first.retry_at) == ("retry", DUE + timedelta(seconds=30))
    assert (await setup.deliver(setup.mother, DUE + timedelta(seconds=29))).status == "skipped"
    second = await setup.deliver(setup.mother, DUE + timedelta(seconds=30))
    assert (second.status, second.retry_at) == ("retry", DUE + timedelta(seconds=150))
    third = await setup.deliver(setup.mother, DUE + timedelta(seconds=150))

    assert third.status == "sent"
    assert (setup.twilio.attempts, len(setup.twilio.requests)) == (3, 1)
    delivery = await fresh(setup.mother)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    moves = [(f, t) for f, t, _ in await history(delivery)]
    assert moves.count(("sending", "scheduled")) == 2


async def test_transient_errors_give_up_after_the_last_backoff_and_fall_back(
    setup: Setup,
) -> None:
    setup.twilio.fail(5, status=503)
    now = DUE
    outcomes = []
    for _ in range(5):
        outcome = await setup.deliver(setup.mother, now)
        outcomes.append(outcome.status)
        now = outcome.retry_at or now
    assert outcomes == ["retry", "retry", "retry", "retry", "failed"]
    assert now == DUE + timedelta(seconds=30 + 120 + 600 + 3600)
    delivery = await fresh(setup.mother)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 5)
    assert (await ContactPoint.get(id=setup.family.mother_mobile.id)).usability == Usability.OK
    [_, _, email] = await deliveries_of(setup.notice)
    assert (email.channel, email.to, email.status) == ("email", MOTHER_EMAIL, "scheduled")


async def test_an_invalid_number_is_marked_and_email_takes_over(setup: Setup) -> None:
    setup.twilio.reject(21211, "The 'To' number is not a valid phone number.")
    outcome = await setup.deliver(setup.mother)

    assert outcome.status == "failed"
    [follow_up] = outcome.follow_ups
    point = await ContactPoint.get(id=setup.family.mother_mobile.id)
    assert point.usability == Usability.INVALID
    assert "21211" in point.usability_note
    email = await Delivery.get(id=follow_up.delivery_id)
    assert (email.channel, email.to, email.person_id) == ("email", MOTHER_EMAIL, email.person_id)
    assert email.not_before == DUE.astimezone(UTC)  # email is not held by quiet hours
    assert await history(email) == [("", "scheduled", "fallback")]

    sent = await setup.deliver(email)
    assert sent.status == "delivered"  # the outbox is final
    [message] = setup.outbox()
    assert message["to"] == MOTHER_EMAIL
    assert message["subject"] == "Absence de Léa Martin ce lundi 2 mars"
    assert "Bonjour Mme MARTIN Anne," in str(message["body"])
    assert (await Notice.get(id=setup.notice.id)).status == NoticeStatus.DONE


async def test_a_guardian_with_nothing_left_gets_nothing_more(setup: Setup) -> None:
    await ContactPoint.filter(id=setup.family.father_email.id).delete()
    setup.twilio.reject(21610, "Attempt to send to unsubscribed recipient")
    outcome = await setup.deliver(setup.father)

    assert (outcome.status, outcome.follow_ups) == ("failed", ())
    point = await ContactPoint.get(id=setup.family.father_mobile.id)
    assert point.usability == Usability.OPTED_OUT
    assert (await Notice.get(id=setup.notice.id)).status == NoticeStatus.PENDING  # the mother's
    assert len(await deliveries_of(setup.notice)) == 2  # no fallback to the mother's channels


async def test_every_channel_failing_fails_the_notice(setup: Setup) -> None:
    await ContactPoint.filter(id__in=[setup.family.mother_email.id]).delete()
    await ContactPoint.filter(id__in=[setup.family.father_email.id]).delete()
    setup.twilio.reject(21211)
    setup.twilio.reject(21211)
    await setup.deliver(setup.mother)
    await setup.deliver(setup.father)
    notice = await Notice.get(id=setup.notice.id)
    assert (notice.status, notice.payload["reason"]) == ("failed", "every channel failed")


async def test_a_channel_without_provider_falls_back(setup: Setup) -> None:
    setup.channels.senders.pop("sms")  # the adapter stays in transports: closed at the end
    outcome = await setup.deliver(setup.mother)
    assert outcome.status == "failed"
    assert (await fresh(setup.mother)).error == "no provider for sms"
    [follow_up] = outcome.follow_ups
    assert (await Delivery.get(id=follow_up.delivery_id)).channel == "email"


async def test_justified_meanwhile_it_is_cancelled_not_sent(setup: Setup) -> None:
    # A write that bypassed correct_event: deliver re-checks on its own.
    await Event.filter(id=setup.event.id).update(accepted=True)
    outcome = await setup.deliver(setup.mother)

    assert outcome.status == "cancelled"
    assert setup.twilio.requests == []
    assert (await fresh(setup.mother)).status == DeliveryStatus.CANCELLED
    assert (await fresh(setup.father)).status == DeliveryStatus.CANCELLED
    assert (await Notice.get(id=setup.notice.id)).status == NoticeStatus.CANCELLED


async def test_the_schools_own_template_wins(setup: Setup, school_a: School) -> None:
    await MessageTemplate.create(
        school=school_a, kind="absence", channel="sms", body="{{ student.first_name }} absente."
    )
    await setup.deliver(setup.mother)
    assert setup.twilio.requests[0].get("Body") == "Léa absente."


async def test_a_broken_template_sends_the_default_text_and_says_so(
    setup: Setup, school_a: School
) -> None:
    await MessageTemplate.create(school=school_a, kind="absence", channel="sms", body="{{ nope }}")
    outcome = await setup.deliver(setup.mother)
    assert outcome.status == "sent"
    assert (setup.twilio.requests[0].get("Body") or "").startswith("Collège Alpha : Léa Martin")
    rows = await history(await fresh(setup.mother))
    assert ("sending", "sending", "template") in rows
    [alert] = await StaffAlert.filter(school_id=school_a.id, kind="template")
    assert "absence / sms / fr" in alert.message


# record_status: provider reports


async def sent(setup: Setup) -> Delivery:
    await setup.deliver(setup.mother)
    return await fresh(setup.mother)


async def report(delivery: Delivery, status: str, ref: str, **extra: object) -> bool | None:
    return await record_status(
        "twilio",
        str(delivery.provider_ref),
        status,
        channels=TWILIO,
        raw={"MessageStatus": status},
        event_ref=ref,
        at=DUE + timedelta(minutes=1),
        **extra,  # type: ignore[arg-type]
    )


async def test_reports_only_move_forward_and_duplicates_are_ignored(setup: Setup) -> None:
    delivery = await sent(setup)
    assert await report(delivery, "delivered", "SM1:delivered") is True
    assert await report(delivery, "delivered", "SM1:delivered") is False
    assert await report(delivery, "sent", "SM1:sent") is False  # late: ignored
    assert await report(delivery, "failed", "SM1:failed") is False  # final stays final

    delivery = await fresh(delivery)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.final_at == (DUE + timedelta(minutes=1)).astimezone(UTC)
    assert (await history(delivery))[-1] == ("sent", "delivered", "callback")
    assert (await Notice.get(id=setup.notice.id)).status == NoticeStatus.DONE


async def test_out_of_order_reports_end_delivered(setup: Setup) -> None:
    delivery = await sent(setup)
    await report(delivery, "delivered", "SM1:delivered")
    await report(delivery, "sent", "SM1:sent")
    assert (await fresh(delivery)).status == DeliveryStatus.DELIVERED


async def test_an_unknown_reference_is_none(setup: Setup) -> None:
    unknown = await record_status(
        "twilio",
        "SMnope",
        "delivered",
        channels=TWILIO,
        raw={},
        event_ref="x",
        at=DUE,
        delivery_uuid="bad",
    )
    assert unknown is None


async def test_a_twilio_report_never_moves_a_letter_or_an_email(setup: Setup) -> None:
    for channel, provider in (("letter", "letter"), ("email", "twilio")):
        await Delivery.filter(id=setup.father.id).update(
            channel=channel, provider=provider, provider_ref="SMsame", status=DeliveryStatus.SENT
        )
        recorded = await record_status(
            "twilio",
            "SMsame",
            "delivered",
            channels=TWILIO,
            raw={},
            event_ref=f"{channel}:delivered",
            at=DUE,
            delivery_uuid=str(setup.father.uuid),
        )
        assert recorded is None  # an unknown delivery, as far as Twilio's reports go
        assert (await fresh(setup.father)).status == DeliveryStatus.SENT
    assert (
        await DeliveryStatusChange.filter(delivery_id=setup.father.id, source="callback").count()
        == 0
    )


async def test_a_report_before_the_worker_recorded_the_send_is_kept(setup: Setup) -> None:
    await Delivery.filter(id=setup.mother.id).update(status=DeliveryStatus.SENDING)
    recorded = await record_status(
        "twilio",
        "SMearly",
        "delivered",
        channels=TWILIO,
        raw={},
        event_ref="SMearly:delivered",
        at=DUE,
        delivery_uuid=str(setup.mother.uuid),
    )
    assert recorded is True
    delivery = await fresh(setup.mother)
    assert (delivery.status, delivery.provider_ref) == (DeliveryStatus.DELIVERED, "SMearly")


async def test_undelivered_falls_back_and_marks_the_number(setup: Setup) -> None:
    delivery = await sent(setup)
    undelivered = {"error_code": "30005", "usability": usability_of("30005")}
    assert await report(delivery, "undelivered", "SM1:undelivered", **undelivered) is True

    point = await ContactPoint.get(id=setup.family.mother_mobile.id)
    assert point.usability == Usability.INVALID
    follow_up = (await deliveries_of(setup.notice))[-1]
    assert (follow_up.channel, follow_up.to, follow_up.status) == (
        "email",
        MOTHER_EMAIL,
        "scheduled",
    )


# the sweep


async def test_the_sweep_finds_what_is_due_and_puts_back_stuck_rows(setup: Setup) -> None:
    assert await due_deliveries(DUE - timedelta(seconds=1)) == []
    assert await due_deliveries(DUE) == [setup.mother.id, setup.father.id]
    # A worker claims the mother's delivery and dies before sending.
    await Delivery.filter(id=setup.mother.id).update(
        status=DeliveryStatus.SENDING, updated_at=DUE.astimezone(UTC)
    )
    assert await due_deliveries(DUE + timedelta(minutes=4)) == [setup.father.id]
    later = DUE + timedelta(minutes=6)
    assert await due_deliveries(later) == [setup.father.id, setup.mother.id]  # by not_before
    assert (await history(setup.mother))[-1] == ("sending", "scheduled", "sweep")
    assert (await setup.deliver(setup.mother, later)).status == "sent"
