"""The CPE's decision on a family's reply: accepted, its absences get the reason it gives;
rejected, they stay as they are. Each decision is one transaction with its audit row.

Accepting gives each open absence the reply is attached to the chosen reason (the one the
reading proposed unless the CPE corrects it), the justification type "Parole de la famille"
(``PAROLE_FAMILLE``, a default type a school may rename or deactivate; added to a school created
before it), and the states the reason's flags say (accepted when it is legitimate by default,
counted when it counts). A reminder planned for such an absence is cancelled when it would
leave (it checks the absence again). The deliveries the corrections plan come back for the
caller to enqueue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import Event, InboundMessage, InboundStatus, JustificationType, Reason, School
from core.services import audit
from core.services.audit import Actor
from core.services.delivery.rows import Due
from core.services.events.record import EventPatch, correct_event, resolve_reason
from core.services.schools.defaults import JUSTIFICATION_TYPES
from core.services.schools.lists import ensure_listed
from core.services.schools.school import now_utc

FAMILY_WORD = "PAROLE_FAMILLE"
AUDITED = ("status", "proposed_reason_id", "handled_by_id", "handled_at", "event_ids")


@dataclass(frozen=True, slots=True)
class Decided:
    message: InboundMessage
    due: list[Due]


async def _pending(school: School, inbound_id: int) -> InboundMessage:
    message = (
        await InboundMessage.filter(id=inbound_id, school_id=school.id).select_for_update().first()
    )
    if message is None:
        raise NotFound("no such reply", code="not_found")
    if message.status != InboundStatus.PENDING:
        raise Conflict("this reply was already decided", code="decided")
    return message


async def _reason(school: School, message: InboundMessage, code: str | None) -> Reason:
    if code is not None:
        try:
            found = await resolve_reason(school, code)
        except Invalid:
            raise Invalid(f"unknown reason {code!r}", code="unknown_reason") from None
    else:
        proposed = message.proposed_reason_id
        found = await Reason.get_or_none(id=proposed, school_id=school.id, active=True)
    if found is None:
        raise Invalid("choose the reason the family gives", code="reason_required")
    return found


async def _family_word(school: School, actor: Actor) -> JustificationType:
    label = next(label for code, label, _ in JUSTIFICATION_TYPES if code == FAMILY_WORD)
    values = {"label": label, "provisional": True}
    return await ensure_listed(JustificationType, school, FAMILY_WORD, values, actor)


def _patch(reason: Reason, justification: JustificationType) -> EventPatch:
    changes: dict[str, Any] = {"reason": reason.code, "counts": reason.counts}
    if justification.active:
        changes["justification"] = justification.code
    if reason.legitimate_by_default is not None:
        changes["accepted"] = reason.legitimate_by_default
    return EventPatch(**changes)


async def accept_reply(
    school: School,
    actor: Actor,
    inbound_id: int,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> Decided:
    """Accept a pending reply of the school (``reason``: a code that corrects the proposed one).

    Raises NotFound for another school's reply, Conflict for one already decided, Invalid when
    no reason is proposed nor given."""
    now = now or now_utc()
    justification = await _family_word(school, actor)
    due: list[Due] = []
    async with in_transaction():
        message = await _pending(school, inbound_id)
        chosen = await _reason(school, message, reason)
        before = audit.snapshot(message, AUDITED)
        open_ids = await Event.filter(
            id__in=[int(i) for i in message.event_ids or []], school_id=school.id, deleted=False
        ).values_list("id", flat=True)
        for event_id in cast("list[int]", open_ids):
            done = await correct_event(school, actor, event_id, _patch(chosen, justification))
            due.extend(done.due)
        message.status, message.proposed_reason_id = InboundStatus.ACCEPTED, chosen.id
        message.handled_by_id, message.handled_at = actor.user_id, now
        await message.save()
        after = {**audit.changed(before, audit.snapshot(message, AUDITED)), "reason": chosen.code}
        await audit.record(
            actor, "inbound.accept", message, school_id=school.id, before=before, after=after
        )
    return Decided(message, due)


async def reject_reply(
    school: School, actor: Actor, inbound_id: int, *, now: datetime | None = None
) -> InboundMessage:
    """Reject a pending reply of the school: its absences stay as they are."""
    async with in_transaction():
        message = await _pending(school, inbound_id)
        before = audit.snapshot(message, AUDITED)
        message.status = InboundStatus.REJECTED
        message.handled_by_id, message.handled_at = actor.user_id, now or now_utc()
        await message.save()
        after = audit.changed(before, audit.snapshot(message, AUDITED))
        await audit.record(
            actor, "inbound.reject", message, school_id=school.id, before=before, after=after
        )
    return message
