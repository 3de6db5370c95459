"""Replies a provider keeps for us to fetch (OVHcloud posts none we could verify).

Each run reads the SMS waiting at the provider, stores each through
:func:`core.services.notices.inbound.store_sms` (once per provider reference: an SMS read
twice, because deleting it failed, is stored once; the worker reads it next, as it reads the
webhook's), sends back at once the confirmation a STOP or a START calls for (when the SMS is
fresh), and only then deletes it at the provider.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from core.services.notices.inbound import (
    ANSWER_WITHIN,
    Received,
    answered_at_once,
    receive_sms,
    store_sms,
)
from core.services.ports import InboxSource, IncomingSms, Message, Sender, SendFailed

logger = logging.getLogger("absences.inbound")


@dataclass(frozen=True, slots=True)
class Collected:
    """One run: SMS read, stored (new), answered, and deleted at the provider."""

    read: int = 0
    stored: int = 0
    answered: int = 0
    forgotten: int = 0


async def collect_replies(
    source: InboxSource, answer: Sender | None, *, now: datetime
) -> Collected:
    """Store the provider's waiting SMS, answer them through ``answer`` and delete them there.
    A provider that cannot list them is logged and asked again on the next run."""
    try:
        waiting = await source.incoming()
    except SendFailed as error:
        logger.warning("%s: incoming SMS not listed: %s", source.provider, error)
        return Collected()
    stored = answered = forgotten = 0
    for sms in waiting:
        keep = receive_sms if answered_at_once(sms.text) else store_sms  # STOP: confirmed at once
        received = await keep(
            source.provider,
            sms.provider_ref,
            sms.sender,
            sms.text,
            sms.at,
            dict(sms.raw),
            recipient=sms.recipient,
        )
        stored += received.created
        if answer is not None and now - sms.at <= ANSWER_WITHIN:
            answered += await _answer(answer, received, sms)
        try:
            await source.forget(sms.provider_ref)
        except SendFailed as error:  # stored: the next run reads it again, stores nothing more
            logger.warning(
                "%s: incoming SMS %s not deleted: %s", source.provider, sms.provider_ref, error
            )
        else:
            forgotten += 1
    return Collected(len(waiting), stored, answered, forgotten)


async def _answer(answer: Sender, received: Received, sms: IncomingSms) -> bool:
    """Send the reply the message calls for, if any; a failure is logged, never retried (an
    acknowledgement late or twice is worse than none)."""
    if received.reply is None:
        return False
    message = Message(
        delivery_uuid=f"inbound-{received.message.id}",
        channel="sms",
        to=received.message.sender,
        body=received.reply,
    )
    try:
        await answer.send(message)
    except SendFailed as error:
        logger.warning("reply to incoming SMS %s not sent: %s", sms.provider_ref, error)
        return False
    return True
