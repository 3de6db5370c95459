"""A provider's refusal marks the contact point it names whichever the provider, as Twilio's
codes always did: OVHcloud's ``invalidReceiver`` and an SMTP server refusing the recipient —
each adapter speaking to a local server of its protocol — mark the point, and the notice falls
back to the guardian's next channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.models import ContactPoint, Delivery, School, Student, Usability
from core.services.audit import Actor
from core.services.delivery.send import Outcome, deliver
from core.services.ports import Transport
from gateway.outbox.transport import OutboxTransport
from gateway.ovh.sms import OvhSmsTransport
from gateway.smtp.transport import SmtpTransport
from tests.core.services.notice_support import (
    MONDAY,
    MOTHER_EMAIL,
    MOTHER_MOBILE,
    Family,
    absence,
    at,
    deliveries_of,
    make_family,
    notices_of,
)
from tests.gateway.fakes.ovh import FakeOvh
from tests.gateway.fakes.smtp import SmtpServer
from workers.senders import render, wrap

RECORDED = at(MONDAY, 8, 30)
DUE = RECORDED + timedelta(minutes=20)


@pytest.fixture
async def ovh() -> AsyncIterator[FakeOvh]:
    server = FakeOvh()
    await server.start()
    yield server
    await server.stop()


def ovh_sms(ovh: FakeOvh) -> OvhSmsTransport:
    key, secret, consumer = ovh.keys
    return OvhSmsTransport(
        application_key=key,
        application_secret=secret,
        consumer_key=consumer,
        service_name=ovh.service_name,
        endpoint=ovh.url,
    )


async def first_delivery(
    school: School, system: Actor, pupil: Student, order: list[str]
) -> tuple[Family, Delivery]:
    """The mother's first delivery of an absence's notice, the school's channels in ``order``."""
    school.channel_order = order
    await school.save()
    family = await make_family(school, pupil)
    await absence(school, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    [notice] = await notices_of(pupil)
    mother, _ = await deliveries_of(notice)
    return family, mother


async def send(delivery: Delivery, transports: dict[str, Transport]) -> Outcome:
    channels = wrap(transports)
    try:
        return await deliver(delivery.id, channels.senders, now=DUE, render=render)
    finally:
        await channels.close()


async def test_ovh_refusing_the_number_marks_it_and_email_takes_over(
    school_a: School, system: Actor, pupil: Student, ovh: FakeOvh, tmp_path: Path
) -> None:
    family, mother = await first_delivery(school_a, system, pupil, ["sms", "email"])
    assert (mother.channel, mother.to) == ("sms", MOTHER_MOBILE)
    ovh.invalid_receivers.add(MOTHER_MOBILE)

    email = OutboxTransport(tmp_path, channel="email")
    outcome = await send(mother, {"sms": ovh_sms(ovh), "email": email})

    assert outcome.status == "failed"
    point = await ContactPoint.get(id=family.mother_mobile.id)
    assert point.usability == Usability.INVALID
    assert "invalid receiver" in point.usability_note
    [follow_up] = outcome.follow_ups
    fallback = await Delivery.get(id=follow_up.delivery_id)
    assert (fallback.channel, fallback.to) == ("email", MOTHER_EMAIL)


async def test_an_smtp_server_refusing_the_address_marks_it_and_sms_takes_over(
    school_a: School, system: Actor, pupil: Student, smtp: SmtpServer, tmp_path: Path
) -> None:
    family, mother = await first_delivery(school_a, system, pupil, ["email", "sms"])
    assert (mother.channel, mother.to) == ("email", MOTHER_EMAIL)
    smtp.handler.refuse[MOTHER_EMAIL] = "550 5.1.1 No such user"

    server = SmtpTransport(smtp.host, smtp.port, sender="vs@college.example", starttls=False)
    outcome = await send(mother, {"email": server, "sms": OutboxTransport(tmp_path)})

    assert outcome.status == "failed"
    assert smtp.handler.received == []
    point = await ContactPoint.get(id=family.mother_email.id)
    assert point.usability == Usability.BOUNCED
    assert "550" in point.usability_note
    [follow_up] = outcome.follow_ups
    fallback = await Delivery.get(id=follow_up.delivery_id)
    assert (fallback.channel, fallback.to) == ("sms", MOTHER_MOBILE)


async def test_a_full_mailbox_marks_nothing_but_still_falls_back(
    school_a: School, system: Actor, pupil: Student, smtp: SmtpServer, tmp_path: Path
) -> None:
    family, mother = await first_delivery(school_a, system, pupil, ["email", "sms"])
    smtp.handler.refuse[MOTHER_EMAIL] = "552 5.2.2 Mailbox full"

    server = SmtpTransport(smtp.host, smtp.port, sender="vs@college.example", starttls=False)
    outcome = await send(mother, {"email": server, "sms": OutboxTransport(tmp_path)})

    assert outcome.status == "failed"
    assert (await ContactPoint.get(id=family.mother_email.id)).usability == Usability.OK
    assert len(outcome.follow_ups) == 1
