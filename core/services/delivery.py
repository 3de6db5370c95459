"""Sending one delivery, recording what providers report, and finding what is due.

The flow (architecture.md, "The flow of a notice"): :func:`deliver` claims the row with a
conditional UPDATE (scheduled and due → sending), cancels it when the event no longer calls for
the notice, renders the message, calls the sender OUTSIDE any transaction, then records the
outcome. A transient error puts the row back to scheduled with a backoff (rules.retry_delay);
a permanent one, or too many tries, fails it, marks the contact point when the error names it,
and falls back to the guardian's next channel. Every status change writes a history row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, cast

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.models import Delivery, DeliveryStatus, DeliveryStatusChange, Notice
from core.rules import notices as rules
from core.services.delivery_reports import record_status
from core.services.delivery_rows import Due, fall_back, mark_contact, move, settle_notice
from core.services.messages import compose
from core.services.notices import cancel_notice, still_wanted
from core.services.ports import Accepted, Renderer, RenderFailed, Sender, SendFailed

__all__ = ["Outcome", "deliver", "due_deliveries", "record_status", "requeue_stuck"]

STUCK_AFTER = timedelta(minutes=5)  # a "sending" row older than this lost its worker
Status = Literal["skipped", "cancelled", "sent", "delivered", "retry", "failed"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What :func:`deliver` did; ``follow_ups`` are fallback deliveries it scheduled."""

    status: Status
    retry_at: datetime | None = None
    follow_ups: tuple[Due, ...] = ()
    error: str = ""


async def _claim(delivery_id: int, now: datetime) -> bool:
    async with in_transaction():
        rows = await Delivery.filter(
            id=delivery_id, status=DeliveryStatus.SCHEDULED, not_before__lte=now
        ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
        if rows:
            await DeliveryStatusChange.create(
                delivery_id=delivery_id,
                from_status=DeliveryStatus.SCHEDULED,
                to_status=DeliveryStatus.SENDING,
                at=now,
                source="worker",
            )
    return bool(rows)


async def _load(delivery_id: int) -> tuple[Delivery, Notice]:
    delivery = await Delivery.get(id=delivery_id).prefetch_related("person", "contact")
    notice = await Notice.get(id=delivery.notice_id).prefetch_related("school", "student", "event")
    return delivery, notice


async def deliver(
    delivery_id: int, senders: Mapping[str, Sender], *, now: datetime, render: Renderer
) -> Outcome:
    """Send one delivery at most once per claim; see the module's docstring for the flow.

    ``senders`` maps channels to senders (a channel without one fails over to the next);
    ``render`` is the sandboxed template renderer. Returns "skipped" when the row is not
    scheduled and due (another worker has it, it was cancelled, or it is not time yet).
    """
    now = now.astimezone(UTC)
    if not await _claim(delivery_id, now):
        return Outcome("skipped")
    delivery, notice = await _load(delivery_id)
    if not await still_wanted(notice, notice.school):
        return await _cancel(delivery, notice, now)
    sender = senders.get(str(delivery.channel))
    if sender is None:
        return await _give_up(delivery, notice, now, f"no provider for {delivery.channel}", senders)
    try:
        message = await compose(delivery, notice, render)
    except (RenderFailed, LookupError) as error:
        return await _give_up(delivery, notice, now, f"template: {error}", senders)
    try:
        accepted = await sender.send(message)
    except SendFailed as error:
        return await _send_failed(delivery, notice, error, now, senders)
    return await _accepted(delivery, notice, accepted, now)


async def _cancel(delivery: Delivery, notice: Notice, now: datetime) -> Outcome:
    reason = "the event no longer calls for this notice"
    async with in_transaction():
        await move(
            delivery.id,
            DeliveryStatus.SENDING,
            DeliveryStatus.CANCELLED,
            at=now,
            source="worker",
            final_at=now,
            error=reason,
        )
        await cancel_notice(notice, now=now, reason=reason)
    return Outcome("cancelled")


async def _accepted(
    delivery: Delivery, notice: Notice, accepted: Accepted, now: datetime
) -> Outcome:
    final = accepted.delivered
    given = {"provider": accepted.provider[:20], "provider_ref": accepted.provider_ref[:100]}
    async with in_transaction():
        moved = await move(
            delivery.id,
            DeliveryStatus.SENDING,
            DeliveryStatus.SENT,
            at=now,
            source="worker",
            raw=accepted.raw or None,
            sent_at=now,
            error="",
            **given,
        )
        if not moved:  # a provider's report got here first: keep its status, add the reference
            await Delivery.filter(id=delivery.id).update(sent_at=now, **given)
        elif final:
            await move(
                delivery.id,
                DeliveryStatus.SENT,
                DeliveryStatus.DELIVERED,
                at=now,
                source="worker",
                final_at=now,
            )
            await settle_notice(notice)
    return Outcome("delivered" if final else "sent")


async def _send_failed(
    delivery: Delivery,
    notice: Notice,
    error: SendFailed,
    now: datetime,
    senders: Mapping[str, Sender],
) -> Outcome:
    attempts = delivery.attempts  # loaded after the claim: this try included
    delay = None if error.permanent else rules.retry_delay(attempts, error.retry_after)
    if delay is None:
        usability = None
        if error.permanent:
            usability = rules.usability_after_error(str(delivery.channel), error.code)
        return await _give_up(delivery, notice, now, error.message, senders, usability=usability)
    when = now + delay
    async with in_transaction():
        await move(
            delivery.id,
            DeliveryStatus.SENDING,
            DeliveryStatus.SCHEDULED,
            at=now,
            source="worker",
            raw={"code": error.code, "error": error.message},
            not_before=when,
            error=error.message,
        )
    return Outcome("retry", retry_at=when, error=error.message)


async def _give_up(
    delivery: Delivery,
    notice: Notice,
    now: datetime,
    error: str,
    senders: Mapping[str, Sender],
    *,
    usability: str | None = None,
) -> Outcome:
    async with in_transaction():
        await move(
            delivery.id,
            DeliveryStatus.SENDING,
            DeliveryStatus.FAILED,
            at=now,
            source="worker",
            final_at=now,
            error=error,
        )
        await mark_contact(delivery.contact_id, usability, error, now)
        follow_up = await fall_back(delivery, notice, notice.school, now=now, channels=set(senders))
        if follow_up is None:
            await settle_notice(notice)
    return Outcome("failed", follow_ups=(follow_up,) if follow_up else (), error=error)


async def requeue_stuck(now: datetime, stuck_after: timedelta = STUCK_AFTER) -> int:
    """Put back to scheduled the rows left "sending" by a worker that died (the provider may
    have taken the message: at most the jobs in flight are sent twice). Returns how many."""
    now = now.astimezone(UTC)
    stuck = await Delivery.filter(
        status=DeliveryStatus.SENDING, updated_at__lt=now - stuck_after
    ).values_list("id", flat=True)
    count = 0
    for delivery_id in cast("list[int]", stuck):
        async with in_transaction():
            count += await move(
                delivery_id,
                DeliveryStatus.SENDING,
                DeliveryStatus.SCHEDULED,
                at=now,
                source="sweep",
                not_before=now,
                error="its worker stopped while sending",
            )
    return count


async def due_deliveries(now: datetime, limit: int = 500) -> list[int]:
    """Ids of the deliveries scheduled and due, oldest first, after putting back the stuck ones
    (the sweep enqueues each as ``deliver:<id>``; a job already queued is not doubled)."""
    now = now.astimezone(UTC)
    await requeue_stuck(now)
    ids = (
        await Delivery.filter(status=DeliveryStatus.SCHEDULED, not_before__lte=now)
        .order_by("not_before", "id")
        .limit(limit)
        .values_list("id", flat=True)
    )
    return list(cast("list[int]", ids))
