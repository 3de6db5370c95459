"""The deliveries as the board and the provider callbacks read them."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.models import AuditEntry, Delivery, DeliveryStatus, Notice, School


async def daily_counts(
    school: School, since: datetime, tz: ZoneInfo
) -> list[tuple[date, str, str, int]]:
    """(day, channel, status, count) for the deliveries created since ``since``, newest first."""
    recent = await Delivery.filter(notice__school_id=school.id, created_at__gte=since).values_list(
        "created_at", "channel", "status"
    )
    counts: Counter[tuple[date, str, str]] = Counter()
    for created_at, channel, status in recent:
        counts[(created_at.astimezone(tz).date(), str(channel), str(status))] += 1
    ordered = sorted(counts.items(), key=lambda item: (-item[0][0].toordinal(), item[0][1:]))
    return [(day, channel, status, n) for (day, channel, status), n in ordered]


async def delivery_rows(
    school: School, statuses: Sequence[DeliveryStatus], channel: str, offset: int, limit: int
) -> list[Delivery]:
    """The school's deliveries, newest first, with their notice's student and contact point;
    ``statuses`` and ``channel`` narrow them when given."""
    found = Delivery.filter(notice__school_id=school.id)
    if statuses:
        found = found.filter(status__in=list(statuses))
    if channel:
        found = found.filter(channel=channel)
    return list(
        await found.select_related("notice__student")
        .prefetch_related("contact")
        .order_by("-created_at", "-id")
        .offset(offset)
        .limit(limit)
    )


async def school_delivery(school: School, delivery_id: int) -> Delivery | None:
    """One delivery of the school with its notice's student and contact point (else None)."""
    return (
        await Delivery.filter(id=delivery_id, notice__school_id=school.id)
        .select_related("notice__student")
        .prefetch_related("contact")
        .first()
    )


async def delivery_language(delivery_uuid: str) -> str | None:
    """The language of the delivery ``delivery_uuid`` (None: not a uuid, or no such delivery)."""
    try:
        key = uuid.UUID(delivery_uuid)
    except ValueError:
        return None
    rows = await Delivery.filter(uuid=key).values_list("language", flat=True)
    return str(rows[0]) if rows else None


async def deliveries_by_notice(notice_ids: list[int]) -> dict[int, list[Delivery]]:
    """The deliveries of each notice, in the order they were written."""
    deliveries: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in await Delivery.filter(notice_id__in=notice_ids).order_by("id"):
        deliveries[delivery.notice_id].append(delivery)
    return deliveries


async def notice_deliveries(notice_id: int) -> list[Delivery]:
    """The deliveries of one notice, in the order they were written."""
    return (await deliveries_by_notice([notice_id]))[notice_id]


async def event_notices(event_id: int, *, deliveries: bool) -> list[tuple[Notice, list[Delivery]]]:
    """The notices of an event (oldest first), each with its deliveries (none without
    ``deliveries``)."""
    notices = await Notice.filter(event_id=event_id).order_by("created_at", "id")
    sent = await deliveries_by_notice([n.id for n in notices] if deliveries else [])
    return [(notice, sent[notice.id]) for notice in notices]


async def event_history(school: School, event_id: int) -> list[AuditEntry]:
    """The audit records of an event, oldest first."""
    return list(
        await AuditEntry.filter(
            school_id=school.id, entity="event", entity_id=str(event_id)
        ).order_by("at", "id")
    )
