"""The keys a family presses during an automated call (Twilio's ``<Gather>``).

1 — "we know, thank you": stored as a reply, status ``acknowledged`` (nothing for the CPE to
decide, no reason), with ``acknowledged_at``; the call's delivery is confirmed by its report.
2 — "call us back": stored as a reply, status ``pending``, in the CPE's queue.
3 — the message again; any other key — the menu again: the call's words are those of its
template, rendered again from the notice (:func:`call_text`), since the script travelled with
the call and is kept nowhere.

A reply's text is its key (:func:`core.rules.keypad.keypad_meaning` reads it). It is stored
once per call and key (``provider_ref`` = the call's sid + ``:`` + the key): a
callback posted twice is one reply. It is about the delivery's notice: its school, student and
event, the guardian it was sent to, from the number called.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from core.models import Delivery, InboundMessage, InboundStatus
from core.rules.keypad import ACKNOWLEDGE, CALL_BACK
from core.services.ports import RenderFailed, TemplateTools
from core.services.templates.messages import compose

logger = logging.getLogger("absences.keypad")

STATUS_OF_KEY = {ACKNOWLEDGE: InboundStatus.ACKNOWLEDGED, CALL_BACK: InboundStatus.PENDING}


@dataclass(frozen=True, slots=True)
class Pressed:
    """What a key did: ``known``, the delivery exists; ``reply``, the reply it stored (or had
    stored, for a callback posted again); ``language``, the delivery's."""

    known: bool
    language: str = "fr"
    reply: InboundMessage | None = None
    created: bool = False


async def _delivery(delivery_uuid: str) -> Delivery | None:
    try:
        key = uuid.UUID(delivery_uuid)
    except ValueError:
        return None
    return (
        await Delivery.filter(uuid=key)
        .select_related("notice__school", "notice__student", "notice__event")
        .prefetch_related("person", "contact")
        .first()
    )


async def press_key(
    delivery_uuid: str,
    digits: str,
    call_sid: str,
    *,
    provider: str,
    at: datetime,
    raw: dict[str, object],
) -> Pressed:
    """Record the key ``digits`` pressed during the call ``call_sid`` of the delivery
    ``delivery_uuid``: a reply for a 1 or a 2 (once per call and key), nothing otherwise."""
    delivery = await _delivery(delivery_uuid)
    if delivery is None:
        return Pressed(known=False)
    language = delivery.language or "fr"
    status = STATUS_OF_KEY.get(digits)
    if status is None or not call_sid:
        return Pressed(known=True, language=language)
    ref = f"{call_sid}:{digits}"[:100]
    existing = await InboundMessage.get_or_none(provider=provider[:20], provider_ref=ref)
    if existing is not None:
        return Pressed(True, language, existing)
    notice, at = delivery.notice, at.astimezone(UTC)
    reply = InboundMessage(
        school_id=notice.school_id,
        channel="call",
        provider=provider[:20],
        provider_ref=ref,
        sender=delivery.to[:254],
        text=digits,  # the key: what the family said (core.rules.keypad)
        received_at=at,
        person_id=delivery.person_id,
        student_id=notice.student_id,
        event_ids=[notice.event_id] if notice.event_id is not None else [],
        status=status,
        acknowledged_at=at if status == InboundStatus.ACKNOWLEDGED else None,
        raw_data=raw,
        delivery_id=delivery.id,
    )
    try:
        await reply.save()
    except IntegrityError:  # the same key, stored by a concurrent callback
        found = await InboundMessage.get(provider=provider[:20], provider_ref=ref)
        return Pressed(True, language, found)
    return Pressed(True, language, reply, created=True)


class _Limited:
    """Core's ``SendRenderer`` over the template tools: a school's own template is tried apart
    and limited first (``contain``), as the worker renders it."""

    def __init__(self, tools: TemplateTools) -> None:
        self.tools = tools

    def __call__(self, source: str, context: Mapping[str, object], /) -> str:
        return self.tools.render(source, context)

    async def bounded(self, source: str, context: Mapping[str, object], /) -> str:
        renders: Sequence[tuple[str, Mapping[str, object]]] = [(source, context)]
        await self.tools.contain(renders)
        return self.tools.render(source, context)


async def call_text(delivery_uuid: str, tools: TemplateTools) -> str | None:
    """The call's words again (its rendered template: the message, ``---``, the menu), from
    the notice as the worker composed them; None when the delivery or its template is gone."""
    delivery = await _delivery(delivery_uuid)
    if delivery is None or delivery.channel != "call":
        return None
    try:
        message = await compose(delivery, delivery.notice, _Limited(tools))
    except (RenderFailed, LookupError) as error:
        logger.warning("call %s: its words cannot be said again: %s", delivery_uuid, error)
        return None
    return message.body
