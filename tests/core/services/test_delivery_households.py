"""Emails due together to one address go as one email: two parents sharing a mailbox get one
message naming both, each child's notice once; each delivery is recorded sent with its own
reference, and none goes out twice."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    DeliveryStatusChange,
    GuardianLink,
    Person,
    School,
    Student,
)
from core.services.audit import Actor
from core.services.delivery.send import deliver, deliver_many
from tests.core.services.letter_support import channels
from tests.core.services.notice_support import MONDAY, absence, at
from workers.senders import Channels, render

SHARED = "famille.roux@example.org"
RECORDED = at(MONDAY, 8, 30)
DUE = RECORDED + timedelta(minutes=30)


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Channels]:
    made = channels(tmp_path)
    yield made
    await made.close()


async def roux_by_email(school: School, *, own: str | None = None) -> list[Student]:
    """Léa and Hugo ROUX; both parents read ``famille.roux@…`` (the father ``own`` if given)."""
    children = [
        await Student.create(school=school, siecle_id=f"E{n}", last_name="Roux", first_name=name)
        for n, name in enumerate(("Léa", "Hugo"))
    ]
    for civility, first, email in (("Mme", "Claire", SHARED), ("M.", "Marc", own or SHARED)):
        parent = await Person.create(
            school=school, civility=civility, last_name="Roux", first_name=first
        )
        await ContactPoint.create(person=parent, kind=ContactKind.EMAIL, value=email)
        for child in children:
            await GuardianLink.create(student=child, person=parent, priority=1)
    return children


def emails(var: Path) -> list[dict[str, object]]:
    return [json.loads(f.read_text()) for f in sorted((var / "outbox").glob("*.json"))]


async def test_two_parents_sharing_a_mailbox_get_one_email_for_both_children(
    school_a: School, system: Actor, box: Channels, tmp_path: Path
) -> None:
    children = await roux_by_email(school_a)
    for child in children:
        await absence(school_a, system, child, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    made = await Delivery.filter(channel="email").order_by("id")
    assert len(made) == 4 and {d.to for d in made} == {SHARED}

    outcome = await deliver(made[0].id, box.senders, now=DUE, render=render)
    assert outcome.status == "delivered"

    [email] = emails(tmp_path)
    assert email["to"] == SHARED
    body = str(email["body"])
    assert body.count("Bonjour Mme ROUX Claire et M. ROUX Marc,") == 2  # each child's notice
    assert "Léa Roux" in body and "Hugo Roux" in body
    assert "Léa Roux" in str(email["subject"]) and "Hugo Roux" in str(email["subject"])
    after = await Delivery.filter(channel="email").order_by("id")
    assert {d.status for d in after} == {DeliveryStatus.DELIVERED}
    assert len({d.provider_ref for d in after}) == 4  # each its own reference
    together = await DeliveryStatusChange.filter(
        delivery_id=made[1].id, to_status=DeliveryStatus.SENT
    ).first()
    assert together is not None and (together.raw_data or {}).get("together_with") == made[0].id

    again = await deliver_many([d.id for d in made], box.senders, now=DUE, render=render)
    assert {o.status for o in again.values()} == {"skipped"}  # nothing twice
    assert len(emails(tmp_path)) == 1


async def test_different_addresses_and_emails_not_yet_due_stay_apart(
    school_a: School, system: Actor, box: Channels, tmp_path: Path
) -> None:
    [lea, _] = await roux_by_email(school_a, own="marc.roux@example.org")
    await absence(school_a, system, lea, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
    later = RECORDED + timedelta(hours=3)
    await absence(school_a, system, lea, at(MONDAY, 14), at(MONDAY, 16), now=later)
    made = await Delivery.filter(channel="email").order_by("id")
    assert len(made) == 4

    await deliver_many([made[0].id, made[1].id], box.senders, now=DUE, render=render)

    sent = emails(tmp_path)
    assert sorted(str(e["to"]) for e in sent) == [SHARED, "marc.roux@example.org"]
    assert all(str(e["body"]).count("Bonjour") == 1 for e in sent)
    waiting = await Delivery.filter(id__in=[made[2].id, made[3].id])
    assert {d.status for d in waiting} == {DeliveryStatus.SCHEDULED}  # the afternoon's: later
