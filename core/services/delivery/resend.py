"""Resend a failed delivery from the panel: a new scheduled row, never the failed one reused."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from core.errors import Conflict, NotFound
from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeStatus,
    School,
)
from core.rules.notices import PlannedDelivery
from core.services.audit import Actor, record, snapshot
from core.services.delivery.rows import create_delivery
from core.services.notices.recipients import NO_CONTACT_ROW
from core.services.schools.years import refuse_closed

AUDITED = ("notice_id", "person_id", "contact_id", "channel", "to", "status", "not_before")
RESENDABLE = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)
IN_FLIGHT_OR_DONE = (
    DeliveryStatus.SCHEDULED,
    DeliveryStatus.SENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.DELIVERED,
)
ADDRESSED = (ContactKind.MOBILE, ContactKind.LANDLINE, ContactKind.EMAIL)


def may_resend(contact: ContactPoint | None) -> bool:
    """Whether a copy may go to the delivery's contact point as it is now: not to one marked
    unusable (a wrong number, a STOP reply) nor without consent — correct it first."""
    return contact is None or contact.usable


async def _current_address(failed: Delivery) -> str:
    """Where a copy goes: the contact point's value as it is now (corrected since, say)."""
    contact = None
    if failed.contact_id is not None:
        contact = await ContactPoint.get_or_none(id=failed.contact_id)
    if not may_resend(contact):
        raise Conflict(
            "this number or address is marked unusable or refused: correct it first",
            code="unusable",
        )
    if contact is not None and contact.kind in ADDRESSED and contact.value:
        return contact.value
    return failed.to


async def resend_delivery(
    school: School,
    actor: Actor,
    delivery_id: int,
    *,
    now: datetime,
    to: str | None = None,
    contact_id: int | None = None,
) -> Delivery:
    """A copy of the failed delivery, scheduled at ``now``; the notice is pending again.

    The copy goes to the delivery's contact point as it is now (its corrected value), or to
    ``to`` and ``contact_id`` when given (see :func:`core.services.delivery.contacts.fix_contact`).
    Refuses with :class:`NotFound` a delivery of another school, with :class:`Conflict` one that
    did not fail, one already sent again, or one whose contact point is marked unusable or
    refused by the family (a STOP). The caller enqueues the new row after the commit.
    """
    async with in_transaction():
        failed = await Delivery.filter(id=delivery_id).select_for_update().first()
        notice = None if failed is None else await Notice.get(id=failed.notice_id)
        if failed is None or notice is None or notice.school_id != school.id:
            raise NotFound("no such delivery")
        await refuse_closed(school, notice.created_at)
        if failed.status not in RESENDABLE:
            raise Conflict(
                "only a failed or undelivered delivery can be sent again", code="not_resendable"
            )
        to = await _current_address(failed) if to is None else to
        contact_id = failed.contact_id if contact_id is None else contact_id
        # A second click must not send twice: a copy already under way or through wins.
        if await Delivery.filter(
            notice_id=failed.notice_id,
            channel=failed.channel,
            to=to,
            id__gt=failed.id,
            status__in=IN_FLIGHT_OR_DONE,
        ).exists():
            raise Conflict("this delivery has already been sent again", code="already_resent")
        copy = PlannedDelivery(
            person_id=failed.person_id,
            contact_id=NO_CONTACT_ROW if contact_id is None else contact_id,
            channel=failed.channel,
            to=to,
        )
        due = await create_delivery(
            notice, copy, language=failed.language, not_before=now, source="resend", at=now
        )
        fresh = await Delivery.get(id=due.delivery_id)
        if notice.status == NoticeStatus.FAILED:
            notice.status = NoticeStatus.PENDING
            await notice.save(update_fields=["status", "updated_at"])
        await record(
            actor,
            "delivery.resend",
            fresh,
            school_id=school.id,
            before={"delivery_id": failed.id, "status": failed.status.value},
            after={**snapshot(fresh, AUDITED), "uuid": str(fresh.uuid)},
        )
    return fresh
