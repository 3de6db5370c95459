"""A family's conversation with the school: what they wrote (replies by SMS, chat, a key pressed
during a call) and what the school sent them (notices, staff's answers), in time order.

A conversation is a guardian's (their replies and the deliveries to them), or, for a reply
matched to nobody, a number's (the replies from it and the deliveries to it). The student's
file shows it; so may the replies page, for one reply (:func:`reply_conversation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from core.errors import NotFound
from core.models import Delivery, InboundMessage, School
from core.queries.common import zone
from core.queries.scope import ALL, Scope
from core.rules.keypad import keypad_meaning

INCOMING, OUTGOING = "in", "out"
LIMIT = 200  # the latest exchanges of each side


@dataclass(frozen=True)
class Exchange:
    """One message of the conversation; ``at`` in the school's zone.

    ``direction``: ``in`` (from the family: ``inbound_id``, ``status`` the reply's, ``keypad``
    for a key pressed) or ``out`` (to the family: ``delivery_id``, ``kind`` the notice's,
    ``status`` the delivery's; ``text`` and ``author`` for a staff member's answer only, a
    notice's words being its template's)."""

    at: datetime
    direction: str
    channel: str
    kind: str  # "reply" for a reply; a notice's kind (absence, answer…) for what was sent
    text: str
    status: str
    number: str  # the family's side: the sender of a reply, the address a delivery went to
    inbound_id: int | None = None
    delivery_id: int | None = None
    keypad: str | None = None
    author: str | None = None
    student_id: int | None = None


def _who(field: str, person_id: int | None, number: str | None) -> Q:
    """The guardian's rows, else the number's (``field``: where a row keeps the number)."""
    if person_id is not None:
        return Q(person_id=person_id)
    return Q(**{field: str(number)})


async def conversation(
    school: School,
    *,
    person_id: int | None = None,
    number: str | None = None,
    scope: Scope = ALL,
) -> list[Exchange]:
    """The conversation of the guardian ``person_id`` (else of the number ``number``) with the
    school, oldest first; a reader limited to some students sees what is about them."""
    if person_id is None and not number:
        return []
    tz = zone(school)
    replies = scope.narrow(
        InboundMessage.filter(_who("sender", person_id, number), school_id=school.id)
    )
    sent = scope.narrow(
        Delivery.filter(_who("to", person_id, number), notice__school_id=school.id),
        "notice__student_id",
    )
    exchanges = [
        Exchange(
            at=m.received_at.astimezone(tz),
            direction=INCOMING,
            channel=m.channel,
            kind="reply",
            text=scope.view.reply(m.text),
            status=str(m.status),
            number=m.sender,
            inbound_id=m.id,
            keypad=keypad_meaning(m.channel, m.text),
            student_id=m.student_id,
        )
        for m in await replies.order_by("-received_at", "-id").limit(LIMIT)
    ]
    for d in await sent.order_by("-created_at", "-id").limit(LIMIT).select_related("notice"):
        notice = d.notice
        answer = str(notice.kind) == "answer"
        exchanges.append(
            Exchange(
                at=(d.sent_at or d.created_at).astimezone(tz),
                direction=OUTGOING,
                channel=str(d.channel),
                kind=str(notice.kind),
                text=str(notice.payload.get("text", "")) if answer else "",
                status=str(d.status),
                number=d.to,
                delivery_id=d.id,
                author=(str(notice.payload.get("author") or "") or None) if answer else None,
                student_id=notice.student_id,
            )
        )
    exchanges.sort(key=lambda e: (e.at, e.direction == INCOMING, e.inbound_id or e.delivery_id))
    return exchanges


async def reply_conversation(school: School, inbound_id: int, scope: Scope = ALL) -> list[Exchange]:
    """The conversation a reply of the school belongs to: its guardian's, else its number's."""
    reply = await InboundMessage.get_or_none(id=inbound_id, school_id=school.id)
    if reply is None or not scope.allows(reply.student_id):
        raise NotFound("no such reply", code="not_found")
    return await conversation(school, person_id=reply.person_id, number=reply.sender, scope=scope)
