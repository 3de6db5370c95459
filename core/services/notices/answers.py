"""A staff member answers a family's reply by SMS, from the replies page or the API.

The answer is a notice (kind ``answer``, about the reply's student) with one SMS delivery to
the number the reply came from, for the guardian it was matched to, in their language; its text
is the school's ``answer`` SMS template (``templates/messages/answer/sms.<lang>.txt``: the text
and the school's name as signature). It is sent like any notice: written here with its audit row
in one transaction, enqueued by the caller after the commit, sent by the worker through the SMS
provider. Like the other SMS a school sends without urgency it waits for the end of the quiet
hours (``core.rules.notices.not_before``). A reply may be answered whatever its status, more
than once.

Refused: another school's reply or an unknown one (NotFound), a reply matched to no guardian or
no student (Invalid ``no_family``), one that did not come from a phone number (``not_a_number``,
a chat) or came from a landline (``landline``), an empty or too long text (``empty``,
``too_long``), a number that opted out of SMS or is unusable (Conflict ``opted_out``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import (
    ContactKind,
    ContactPoint,
    InboundMessage,
    Notice,
    NoticeKind,
    Person,
    School,
    Usability,
)
from core.rules import notices as rules
from core.services import audit
from core.services.audit import Actor
from core.services.delivery.rows import Due, create_delivery, send_time
from core.services.notices.recipients import NO_CONTACT_ROW
from core.services.schools.school import now_utc
from core.services.schools.years import refuse_closed

MAX_TEXT = 480  # three SMS segments of GSM-7, with the signature
NUMBER = re.compile(r"\+[1-9]\d{5,14}")  # E.164, as replies' senders are stored
CHANNEL = "sms"


@dataclass(frozen=True, slots=True)
class Answered:
    """The answer written: its notice and its delivery, to enqueue once committed (``due``)."""

    notice: Notice
    delivery_id: int
    to: str
    not_before: datetime  # when it may leave: now, or the end of the quiet hours
    due: list[Due]


def answer_text(text: str) -> str:
    """The text, stripped; Invalid when empty or longer than :data:`MAX_TEXT`."""
    cleaned = text.strip()
    if not cleaned:
        raise Invalid("write the answer", code="empty")
    if len(cleaned) > MAX_TEXT:
        raise Invalid(f"an answer has at most {MAX_TEXT} characters", code="too_long")
    return cleaned


async def _reply(school: School, inbound_id: int) -> InboundMessage:
    reply = await InboundMessage.get_or_none(id=inbound_id, school_id=school.id)
    if reply is None:
        raise NotFound("no such reply", code="not_found")
    await refuse_closed(school, reply.received_at)
    if reply.person_id is None or reply.student_id is None:
        raise Invalid("this reply is matched to no guardian nor student", code="no_family")
    if not NUMBER.fullmatch(reply.sender):
        raise Invalid("this reply did not come from a phone number", code="not_a_number")
    return reply


async def _contact(reply: InboundMessage) -> int:
    """The guardian's contact point at the reply's number (none: :data:`NO_CONTACT_ROW`);
    Conflict when that number opted out or is unusable, Invalid when it is a landline."""
    points = await ContactPoint.filter(
        value=reply.sender, kind__in=(ContactKind.MOBILE, ContactKind.LANDLINE)
    )
    if any(p.usability != Usability.OK or not p.consent for p in points):
        raise Conflict("this number receives no SMS (STOP or unusable)", code="opted_out")
    own = [p for p in points if p.person_id == reply.person_id]
    mobile = next((p for p in own if p.kind == ContactKind.MOBILE), None)
    if mobile is None and own:
        raise Invalid("this number is a landline", code="landline")
    return mobile.id if mobile is not None else NO_CONTACT_ROW


async def answer_reply(
    actor: Actor, school: School, inbound_id: int, text: str, *, now: datetime | None = None
) -> Answered:
    """Answer the school's reply ``inbound_id`` by SMS with ``text`` (see the module's
    docstring for what is refused); one transaction with its audit row."""
    now = now or now_utc()
    cleaned = answer_text(text)
    reply = await _reply(school, inbound_id)
    person = await Person.get(id=reply.person_id)
    planned = rules.PlannedDelivery(
        person_id=person.id, contact_id=await _contact(reply), channel=CHANNEL, to=reply.sender
    )
    payload: dict[str, object] = {"text": cleaned, "inbound_id": reply.id, "author": actor.label}
    async with in_transaction():
        notice = await Notice.create(
            school_id=school.id,
            student_id=reply.student_id,
            kind=NoticeKind.ANSWER,
            dedupe_key=f"answer:{reply.id}:{uuid.uuid4().hex}",
            payload=payload,
        )
        when = send_time(school, CHANNEL, now, 0)
        due = await create_delivery(
            notice, planned, language=person.language, not_before=when, source="staff", at=now
        )
        after = {**audit.snapshot(notice), "to": reply.sender, "delivery_id": due.delivery_id}
        await audit.record(actor, "inbound.answer", notice, school_id=school.id, after=after)
    return Answered(notice, due.delivery_id, reply.sender, due.not_before, [due])
