"""Resending a failed delivery: a new scheduled row with its audit row, never the old one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from core.errors import Conflict, NotFound
from core.models import (
    AuditEntry,
    Channel,
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeKind,
    NoticeStatus,
    School,
    Student,
)
from core.services.audit import Actor
from core.services.delivery.resend import resend_delivery
from core.services.schools.school import create_school

SYSTEM = Actor.system("tests")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


async def _delivery(school: School, status: DeliveryStatus) -> Delivery:
    student = await Student.create(school=school, last_name="Martin", first_name="Léa")
    notice = await Notice.create(
        school=school,
        student=student,
        kind=NoticeKind.ABSENCE,
        dedupe_key=f"{school.uai}:{uuid.uuid4()}",
        status=NoticeStatus.FAILED,
    )
    return await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        channel=Channel.SMS,
        to="+33612345678",
        language="fr",
        status=status,
        attempts=3,
        not_before=NOW,
        provider="twilio",
        provider_ref=str(uuid.uuid4()),
        error="invalid number",
    )


async def test_a_failed_delivery_is_sent_again_as_a_new_row(db: str) -> None:
    school = await create_school("0751234X", "Collège A", SYSTEM)
    failed = await _delivery(school, DeliveryStatus.FAILED)
    fresh = await resend_delivery(school, SYSTEM, failed.id, now=NOW)
    assert fresh.id != failed.id and fresh.uuid != failed.uuid
    stored = await Delivery.get(id=fresh.id)
    assert stored.status == DeliveryStatus.SCHEDULED and stored.attempts == 0
    assert (stored.notice_id, stored.channel, stored.to) == (
        failed.notice_id,
        Channel.SMS,
        failed.to,
    )
    assert stored.not_before == NOW and stored.provider_ref is None
    assert (await Delivery.get(id=failed.id)).status == DeliveryStatus.FAILED
    assert (await Notice.get(id=failed.notice_id)).status == NoticeStatus.PENDING
    audit = await AuditEntry.filter(action="delivery.resend").get()
    assert audit.entity_id == str(fresh.id) and audit.actor_label == "tests"
    with pytest.raises(Conflict):  # a second click while the copy is scheduled
        await resend_delivery(school, SYSTEM, failed.id, now=NOW)
    fresh.status = DeliveryStatus.FAILED  # the copy failed too: sending again is allowed
    await fresh.save(update_fields=["status"])
    assert (await resend_delivery(school, SYSTEM, failed.id, now=NOW)).id > fresh.id


async def test_a_delivered_one_and_another_schools_are_refused(db: str) -> None:
    school = await create_school("0751234X", "Collège A", SYSTEM)
    other = await create_school("0759999Z", "Collège B", SYSTEM)
    delivered = await _delivery(school, DeliveryStatus.DELIVERED)
    with pytest.raises(Conflict):
        await resend_delivery(school, SYSTEM, delivered.id, now=NOW)
    theirs = await _delivery(other, DeliveryStatus.UNDELIVERED)
    with pytest.raises(NotFound):
        await resend_delivery(school, SYSTEM, theirs.id, now=NOW)
    with pytest.raises(NotFound):
        await resend_delivery(school, SYSTEM, 999999, now=NOW)
    assert await Delivery.all().count() == 2
    assert await AuditEntry.filter(action="delivery.resend").count() == 0
