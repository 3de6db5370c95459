"""What a batch reads of its claimed deliveries, in one joined query, is what the models hold
(SQLite gives text where PostgreSQL gives datetimes, uuids and JSON: both end up alike)."""

from __future__ import annotations

from datetime import timedelta

from core.models import (
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Event,
    Notice,
    Person,
    School,
    Student,
)
from core.services.audit import Actor
from core.services.delivery.facts import claimed_facts
from core.services.delivery.rows import move_many
from tests.core.services.notice_support import MONDAY, absence, at, make_family

ADDRESS = {"lines": ["12 rue des Lilas"], "postal_code": "75011", "city": "Paris"}


async def claim(ids: list[int], token: str) -> list[int]:
    return await move_many(
        ids, DeliveryStatus.SCHEDULED, DeliveryStatus.SENDING, at=at(MONDAY, 9), source="worker",
        claim=token,
    )  # fmt: skip


async def test_the_facts_of_a_claim_are_the_rows_models_hold(
    school_a: School, system: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    await ContactPoint.filter(id=family.mother_mobile.id).update(address=ADDRESS)
    event = await absence(
        school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 8, 30)
    )
    ids = [d.id for d in await Delivery.all().order_by("id")]
    assert len(ids) == 2
    assert await claim(ids, "batch-1") == ids
    facts = await claimed_facts("batch-1")
    assert [f.id for f in facts] == ids
    for fact in facts:
        delivery = await Delivery.get(id=fact.id)
        notice = await Notice.get(id=delivery.notice_id)
        person = await Person.get(id=delivery.person_id)
        contact = await ContactPoint.get(id=delivery.contact_id)
        assert (fact.uuid, fact.channel, fact.to, fact.language, fact.attempts) == (
            delivery.uuid, delivery.channel, delivery.to, delivery.language, delivery.attempts,
        )  # fmt: skip
        assert (fact.notice_id, fact.person_id, fact.contact_id) == (
            notice.id, person.id, contact.id,
        )  # fmt: skip
        n = fact.notice
        assert (n.kind, n.status, n.urgent, n.payload, n.event_id, n.student_id) == (
            notice.kind, notice.status, notice.urgent, notice.payload, event.id, pupil.id,
        )  # fmt: skip
        assert n.school.id == school_a.id and n.school.timezone == school_a.timezone
        assert (n.student.first_name, n.student.last_name) == (pupil.first_name, pupil.last_name)
        assert fact.person is not None and fact.contact is not None
        assert fact.person.display_name == person.display_name
        assert (fact.person.civility, fact.person.language) == (person.civility, person.language)
        assert (fact.contact.value, fact.contact.address) == (contact.value, contact.address)
        stored = await Event.get(id=event.id)
        assert n.event is not None
        assert (n.event.starts_at, n.event.ends_at) == (stored.starts_at, stored.ends_at)
        assert n.event.starts_at.utcoffset() == timedelta(0)
        assert (n.event.kind, n.event.accepted, n.event.counts, n.event.deleted) == (
            stored.kind, stored.accepted, stored.counts, stored.deleted,
        )  # fmt: skip
        assert n.event.source == stored.source
    assert facts[0].contact.address == ADDRESS  # type: ignore[union-attr]


async def test_a_delivery_whose_guardian_and_point_are_gone_reads_without_them(
    school_a: School, system: Actor, pupil: Student
) -> None:
    family = await make_family(school_a, pupil)
    await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 8, 30))
    first, second = [d.id for d in await Delivery.all().order_by("id")]
    await Person.filter(id=family.mother.id).delete()  # the row keeps its number, not its person
    await claim([first, second], "batch-2")
    await claim([first], "batch-3")  # already claimed: nothing
    facts = {f.id: f for f in await claimed_facts("batch-2")}
    gone = [f for f in facts.values() if f.person_id is None]
    assert len(facts) == 2 and len(gone) == 1
    assert gone[0].person is None and gone[0].contact is None
    assert await claimed_facts("batch-3") == []
    assert await claimed_facts("no such claim") == []
