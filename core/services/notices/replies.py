"""The CPE's decision on a family's reply: accepted, its absences get the reason it gives;
rejected, they stay as they are. Each decision is one transaction with its audit row.

Accepting gives each open absence the reply is attached to the chosen reason (the one the
reading proposed unless the CPE corrects it), the justification type "Parole de la famille"
(``PAROLE_FAMILLE``, a default type a school may rename or deactivate; added to a school created
before it), and the states the reason's flags say (accepted when it is legitimate by default,
counted when it counts). A reminder planned for such an absence is cancelled when it would
leave (it checks the absence again). The deliveries the corrections plan come back for the
caller to enqueue.

Before deciding, staff may attach a reply by hand (:func:`attach_reply`): to a guardian (a
reply from an unknown number — which verifies that number for the guardian), to another of
the guardian's children, or to other absences of that child. An install's operator gives a
reply no school could claim to the school it concerns (:func:`assign_reply`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    ContactKind,
    ContactPoint,
    Event,
    GuardianLink,
    InboundMessage,
    InboundStatus,
    JustificationType,
    Person,
    Reason,
    School,
)
from core.rules.counting import EventKind
from core.rules.replies import Intent, Reading
from core.services import audit
from core.services.audit import Actor
from core.services.delivery.rows import Due
from core.services.events.record import EventPatch, correct_event, resolve_reason
from core.services.notices.inbound import e164, open_absences_by_student, propose
from core.services.schools.defaults import JUSTIFICATION_TYPES
from core.services.schools.lists import ensure_listed
from core.services.schools.school import now_utc
from core.services.schools.years import refuse_closed

FAMILY_WORD = "PAROLE_FAMILLE"
AUDITED = ("status", "proposed_reason_id", "handled_by_id", "handled_at", "event_ids")
ATTACHED = ("school_id", "person_id", "student_id", "event_ids", "status", "proposed_reason_id")
OPEN = (InboundStatus.PENDING, InboundStatus.UNMATCHED)
MAX_EVENTS = 50


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
    await refuse_closed(school, message.received_at)
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
    """The reason (its flags come with it: see ``correct_event``) and the family's word."""
    changes: dict[str, Any] = {"reason": reason.code}
    if justification.active:
        changes["justification"] = justification.code
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
    return await _file(school, actor, inbound_id, InboundStatus.REJECTED, "inbound.reject", now)


async def close_reply(
    school: School, actor: Actor, inbound_id: int, *, now: datetime | None = None
) -> InboundMessage:
    """File a pending reply that asks for no decision on an absence (a call back done, thanks
    only): it leaves the queue as acknowledged, its absences as they are."""
    return await _file(school, actor, inbound_id, InboundStatus.ACKNOWLEDGED, "inbound.close", now)


async def _file(
    school: School,
    actor: Actor,
    inbound_id: int,
    status: InboundStatus,
    action: str,
    now: datetime | None,
) -> InboundMessage:
    """A pending reply set to ``status`` by ``actor``, audited as ``action``."""
    async with in_transaction():
        message = await _pending(school, inbound_id)
        before = audit.snapshot(message, AUDITED)
        message.status = status
        message.handled_by_id, message.handled_at = actor.user_id, now or now_utc()
        await message.save()
        after = audit.changed(before, audit.snapshot(message, AUDITED))
        await audit.record(actor, action, message, school_id=school.id, before=before, after=after)
    return message


async def attach_reply(
    school: School,
    actor: Actor,
    inbound_id: int,
    *,
    guardian_id: int | None = None,
    student_id: int | None = None,
    event_ids: list[int] | None = None,
) -> InboundMessage:
    """Attach a reply not decided yet to a guardian of the school (``guardian_id``: a reply
    from an unknown number, or sent by another guardian than the one matched — the number is
    then verified for them), to one of the guardian's children and to some of that child's
    absences (by default the child's open ones). The reply waits for the decision (pending).

    Codes: not_found, decided, unknown_guardian, guardian_required, not_their_child,
    unknown_event, too_many."""
    if event_ids is not None and len(event_ids) > MAX_EVENTS:
        raise Invalid("too many absences", code="too_many")
    async with in_transaction():
        message = (
            await InboundMessage.filter(id=inbound_id, school_id=school.id)
            .select_for_update()
            .first()
        )
        if message is None:
            raise NotFound("no such reply", code="not_found")
        if message.status not in OPEN:
            raise Conflict("this reply was already decided", code="decided")
        await refuse_closed(school, message.received_at)
        before = audit.snapshot(message, ATTACHED)
        if guardian_id is not None:
            person = await Person.get_or_none(id=guardian_id, school_id=school.id)
            if person is None:
                raise NotFound("no such guardian", code="unknown_guardian")
            if person.id != message.person_id:
                await _verify_number(school, actor, person, message)
            message.person_id = person.id
        if message.person_id is None:
            raise Invalid("choose the guardian who wrote", code="guardian_required")
        children = cast(
            "list[int]",
            await GuardianLink.filter(person_id=message.person_id).values_list(
                "student_id", flat=True
            ),
        )
        if student_id is not None and student_id not in children:
            raise Invalid("not a child of this guardian", code="not_their_child")
        student = student_id or (message.student_id if message.student_id in children else None)
        if student is None and children:
            student = children[0]
        message.student_id = student
        message.event_ids = await _events(school, message, student, event_ids)
        message.status = InboundStatus.PENDING
        if message.proposed_reason_id is None:
            await _propose_again(message, school)
        await message.save()
        after = audit.changed(before, audit.snapshot(message, ATTACHED))
        await audit.record(
            actor, "inbound.attach", message, school_id=school.id, before=before, after=after
        )
    return message


async def _propose_again(message: InboundMessage, school: School) -> None:
    """The school's reason under what the reply was read as (read before it had a school)."""
    if message.proposed_generic:
        reading = Reading(Intent.REASON, message.proposed_generic, message.confidence or 0.0)
        await propose(message, reading, school.id)


async def _events(
    school: School, message: InboundMessage, student: int | None, chosen: list[int] | None
) -> list[int]:
    """The absences the reply is about: the chosen ones (the child's, not deleted), else the
    child's open ones when it was received."""
    if student is None:
        return []
    if chosen is None:
        found = await open_absences_by_student([student], message.received_at)
        return found.get(student, [])
    ids = sorted(set(chosen))
    known = await Event.filter(
        id__in=ids, school_id=school.id, student_id=student, deleted=False, kind=EventKind.ABSENCE
    ).count()
    if known != len(ids):
        raise Invalid("an absence is not this child's", code="unknown_event")
    return ids


async def _verify_number(
    school: School, actor: Actor, person: Person, message: InboundMessage
) -> None:
    """The number the reply came from is the guardian's, verified by staff (added if new)."""
    number = e164(message.sender)
    if message.channel != "sms" or not number.startswith("+"):
        return
    point = await ContactPoint.get_or_none(
        person_id=person.id, kind=ContactKind.MOBILE, value=number
    )
    if point is not None and point.verified:
        return
    if point is None:
        point = await ContactPoint.create(
            person_id=person.id,
            kind=ContactKind.MOBILE,
            value=number,
            raw_value=number,
            verified=True,
        )
        await audit.record(
            actor,
            "contact_point.create",
            point,
            school_id=school.id,
            before=None,
            after=audit.snapshot(point, ("person_id", "kind", "value", "verified")),
        )
        return
    point.verified = True
    await point.save(update_fields=["verified"])
    await audit.record(
        actor,
        "contact_point.verify",
        point,
        school_id=school.id,
        before={"verified": False},
        after={"verified": True},
    )


async def assign_reply(actor: Actor, inbound_id: int, school: School) -> InboundMessage:
    """Give a reply that no school could claim (an unknown number written to the install's
    own sender) to ``school``, where its staff attach it. Codes: not_found, assigned."""
    async with in_transaction():
        message = await InboundMessage.filter(id=inbound_id).select_for_update().first()
        if message is None:
            raise NotFound("no such reply", code="not_found")
        if message.school_id is not None:
            raise Conflict("this reply already belongs to a school", code="assigned")
        message.school_id = school.id
        await _propose_again(message, school)
        await message.save()
        await audit.record(
            actor,
            "inbound.assign",
            message,
            school_id=school.id,
            before={"school_id": None},
            after={"school_id": school.id},
        )
    return message
