"""What providers report on a delivery (status callbacks): recorded once, only forward."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.models import Delivery, DeliveryStatus, DeliveryStatusChange, Notice, Usability
from core.rules import notices as rules
from core.services.delivery.rows import (
    Due,
    fall_back,
    mark_unusable,
    settle_notice,
    write_change,
)


async def _find(
    provider: str, provider_ref: str, delivery_uuid: str | None, channels: Collection[str]
) -> Delivery | None:
    """The delivery a report is about: by the provider's reference, else by the callback's uuid;
    only a delivery of one of ``channels``, those the provider sends (a report names one of
    them, never a letter or an email that happens to carry the same reference or uuid)."""
    found = await Delivery.get_or_none(provider=provider, provider_ref=provider_ref)
    if found is None and delivery_uuid:
        try:
            found = await Delivery.get_or_none(uuid=uuid.UUID(delivery_uuid))
        except ValueError:
            return None
    if found is None or str(found.channel) not in channels:
        return None
    return found


async def record_status(
    provider: str,
    provider_ref: str,
    status: str,
    *,
    channels: Collection[str],
    raw: dict[str, object],
    event_ref: str,
    at: datetime,
    error_code: str | None = None,
    usability: Usability | None = None,
    delivery_uuid: str | None = None,
    source: str = "callback",
) -> bool | None:
    """Record a provider's report on a delivery; status only moves forward.

    Returns None for an unknown delivery (the webhook answers 200 all the same), False for a
    report already recorded (same ``event_ref``) or one that would move the status back, True
    when recorded. ``channels``: those the provider carries (its declaration in ``gateway``);
    a report on a delivery of another channel is one on an unknown delivery.
    ``delivery_uuid`` (from the callback URL) finds a delivery whose provider
    reference is not stored yet. An undelivered or failed report falls back to the guardian's
    next channel (the sweep enqueues it) and marks the contact point ``usability`` (what the
    provider's adapter read in the report's ``error_code``; None: it says nothing of the point).
    ``source`` names the way the report came in the history: "callback" (the provider posted
    it) or "poll" (we asked for it).
    """
    delivery = await _find(provider, provider_ref, delivery_uuid, channels)
    if delivery is None:
        return None
    report = Report(
        provider,
        provider_ref,
        status,
        raw,
        event_ref,
        at.astimezone(UTC),
        error_code,
        usability,
        source,
    )
    try:
        async with in_transaction():
            return await _apply(delivery.id, report)
    except IntegrityError:
        return False  # the same report, recorded by a concurrent request


async def scheduled_after_report(
    provider: str, provider_ref: str, channels: Collection[str], delivery_uuid: str | None = None
) -> list[Due]:
    """The scheduled deliveries of the notice a report was about (the fallback it planned,
    say): what the webhook enqueues once the report is committed (enqueuing is idempotent)."""
    delivery = await _find(provider, provider_ref, delivery_uuid, channels)
    if delivery is None:
        return []
    rows = await Delivery.filter(
        notice_id=delivery.notice_id, status=DeliveryStatus.SCHEDULED
    ).values_list("id", "not_before")
    return [Due(int(delivery_id), when) for delivery_id, when in rows]


@dataclass(frozen=True, slots=True)
class Report:
    """One provider report, as :func:`record_status` received it."""

    provider: str
    provider_ref: str
    status: str
    raw: dict[str, object]
    event_ref: str
    at: datetime
    error_code: str | None
    usability: Usability | None = None
    source: str = "callback"


def _changes(delivery: Delivery, report: Report) -> dict[str, object]:
    changes: dict[str, object] = {"status": report.status, "updated_at": report.at}
    if report.status in rules.FINAL:
        changes["final_at"] = report.at
    if report.error_code:
        changes["error"] = f"{report.status} ({report.error_code})"
    if delivery.provider_ref is None:  # found by its uuid: the worker has not recorded it yet
        changes |= {"provider": report.provider, "provider_ref": report.provider_ref}
    return changes


async def _apply(delivery_id: int, report: Report) -> bool:
    delivery = await Delivery.filter(id=delivery_id).select_for_update().get()
    if await DeliveryStatusChange.exists(delivery_id=delivery_id, event_ref=report.event_ref):
        return False
    if not rules.moves_forward(str(delivery.status), report.status):
        return False
    changes = _changes(delivery, report)
    if not await Delivery.filter(id=delivery_id, status=delivery.status).update(**changes):
        return False
    await write_change(
        delivery_id,
        str(delivery.status),
        report.status,
        at=report.at,
        source=report.source,
        raw=report.raw,
        event_ref=report.event_ref[:120],
    )
    await _after_report(delivery, report)
    return True


async def _after_report(delivery: Delivery, report: Report) -> None:
    notice = await Notice.get(id=delivery.notice_id).prefetch_related("school")
    status, at = report.status, report.at
    if status in (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED):
        note = f"{status} ({report.error_code})"
        await mark_unusable(delivery, report.usability, note, at)
        if await fall_back(delivery, notice, notice.school, now=at, channels=()) is not None:
            return
    await settle_notice(notice)
