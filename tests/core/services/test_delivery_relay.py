"""When every channel of one guardian fails, the notice goes to the other legal representative
(then a person in charge) not yet sent it — unless someone else is already being reached;
never to a contact, nor to a guardian staff switched off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatusChange,
    GuardianLink,
    Person,
    ResponsibilityLevel,
    School,
    Student,
)
from core.services.audit import Actor
from core.services.delivery.send import deliver
from gateway.outbox.transport import OutboxTransport
from tests.core.services.notice_support import MONDAY, absence, at
from workers.senders import Channels, render, wrap

RECORDED = at(MONDAY, 8, 30)
DUE = RECORDED + timedelta(minutes=30)
LEGAL, IN_CHARGE, CONTACT = (
    ResponsibilityLevel.LEGAL,
    ResponsibilityLevel.IN_CHARGE,
    ResponsibilityLevel.CONTACT,
)
MOBILE = "+33612345678"


@pytest.fixture
async def email_only(tmp_path: Path) -> AsyncIterator[Channels]:
    """A provider for email alone: an SMS fails for want of one (every guardian's SMS)."""
    made = wrap({"email": OutboxTransport(tmp_path, channel="email")})
    yield made
    await made.close()


async def guardian(
    school: School,
    student: Student,
    first: str,
    level: ResponsibilityLevel,
    priority: int,
    *,
    mobile: str | None = None,
    email: str | None = None,
    receives: bool = True,
) -> Person:
    person = await Person.create(school=school, civility="", last_name="Roux", first_name=first)
    await GuardianLink.create(
        student=student, person=person, level=level, priority=priority, receives_notices=receives
    )
    for kind, value in ((ContactKind.MOBILE, mobile), (ContactKind.EMAIL, email)):
        if value:
            await ContactPoint.create(person=person, kind=kind, value=value)
    return person


async def mothers_sms_fails(
    school: School, system: Actor, pupil: Student, box: Channels
) -> list[tuple[str, str, str]]:
    """Record an absence, send the mother's SMS (no SMS provider: it fails, she has nothing
    else); every delivery of the notice then as (first name, channel, how it was planned)."""
    await absence(school, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    [sms] = await Delivery.filter(channel="sms")
    outcome = await deliver(sms.id, box.senders, now=DUE, render=render)
    assert outcome.status == "failed"
    found = []
    for delivery in await Delivery.all().order_by("id").prefetch_related("person"):
        first = await DeliveryStatusChange.filter(delivery_id=delivery.id).order_by("id").first()
        assert first is not None
        found.append((delivery.person.first_name, str(delivery.channel), first.source))
    return found


async def test_the_only_legal_representative_unreachable_the_person_in_charge_is_told(
    school_a: School, system: Actor, pupil: Student, email_only: Channels
) -> None:
    await guardian(school_a, pupil, "Anne", LEGAL, 1, mobile=MOBILE)
    await guardian(school_a, pupil, "Tante", IN_CHARGE, 1, email="tante@example.org")
    await guardian(school_a, pupil, "Mamie", CONTACT, 1, email="mamie@example.org")

    assert await mothers_sms_fails(school_a, system, pupil, email_only) == [
        ("Anne", "sms", "plan"),
        ("Tante", "email", "relay"),
    ]


async def test_the_other_parent_given_an_address_since_is_told_in_turn(
    school_a: School, system: Actor, pupil: Student, email_only: Channels
) -> None:
    await guardian(school_a, pupil, "Anne", LEGAL, 1, mobile=MOBILE)
    father = await guardian(school_a, pupil, "Marc", LEGAL, 2)  # nothing to reach him by
    await guardian(school_a, pupil, "Tante", IN_CHARGE, 1, email="tante@example.org")
    await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 9), now=RECORDED)
    await ContactPoint.create(person=father, kind=ContactKind.EMAIL, value="marc@example.org")
    [sms] = await Delivery.filter(channel="sms")

    await deliver(sms.id, email_only.senders, now=DUE, render=render)

    relayed = await Delivery.filter(person_id=father.id)
    assert [(d.channel, d.to) for d in relayed] == [("email", "marc@example.org")]
    assert await Delivery.all().count() == 2  # the aunt is not told: the father is


async def test_no_relay_when_the_other_parent_is_reached_or_nobody_is_left(
    school_a: School, system: Actor, pupil: Student, email_only: Channels
) -> None:
    await guardian(school_a, pupil, "Anne", LEGAL, 1, mobile=MOBILE)
    await guardian(school_a, pupil, "Marc", LEGAL, 2, email="marc@example.org")
    await guardian(school_a, pupil, "Tante", IN_CHARGE, 1, email="tante@example.org")

    assert await mothers_sms_fails(school_a, system, pupil, email_only) == [
        ("Anne", "sms", "plan"),
        ("Marc", "email", "plan"),
    ]


async def test_a_guardian_staff_switched_off_is_never_relayed_to(
    school_a: School, system: Actor, pupil: Student, email_only: Channels
) -> None:
    await guardian(school_a, pupil, "Anne", LEGAL, 1, mobile=MOBILE)
    await guardian(school_a, pupil, "Tante", IN_CHARGE, 1, email="t@example.org", receives=False)

    assert await mothers_sms_fails(school_a, system, pupil, email_only) == [("Anne", "sms", "plan")]
