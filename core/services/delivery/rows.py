"""The outbox rows: creating deliveries, moving their status with its history, settling notices,
falling back to a guardian's next channel. Callers hold the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from core.models import (
    ContactPoint,
    Delivery,
    DeliveryStatus,
    DeliveryStatusChange,
    Notice,
    NoticeStatus,
    School,
    Usability,
)
from core.rules import notices as rules
from core.services.access.chat_links import chat_gone
from core.services.notices.recipients import NO_CONTACT_ROW, guardian_options
from core.services.schools.school import quiet_hours

LIVE = (DeliveryStatus.SCHEDULED, DeliveryStatus.SENDING, DeliveryStatus.SENT)


@dataclass(frozen=True, slots=True)
class Due:
    """A delivery to enqueue: its id and when it may leave."""

    delivery_id: int
    not_before: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """One row of a delivery's status history, to write."""

    delivery_id: int
    from_status: str
    to_status: str
    at: datetime
    source: str
    raw: dict[str, object] | None = None
    event_ref: str | None = None


HISTORY_COLUMNS = ("delivery_id", "from_status", "to_status", "at", "source", "event_ref")


def placeholders(db: BaseDBAsyncClient, count: int) -> list[str]:
    """The driver's parameter marks for a statement of ``count`` values (SQLite or asyncpg)."""
    if db.capabilities.dialect == "sqlite":
        return ["?"] * count
    return [f"${n}" for n in range(1, count + 1)]


async def update_rows(model: type[Model], columns: Sequence[str], rows: list[list[Any]]) -> None:
    """Rows of ``model`` updated in one statement (``executemany``): each row gives the
    ``columns``' values (as the database stores them), then the row's id."""
    db = model._meta.db
    marks = placeholders(db, len(columns) + 1)
    sets = ", ".join(f'"{column}" = {mark}' for column, mark in zip(columns, marks, strict=False))
    await db.execute_many(
        f'UPDATE "{model._meta.db_table}" SET {sets} WHERE "id" = {marks[-1]}', rows
    )


@dataclass(frozen=True, slots=True)
class Taken:
    """A delivery a provider took: its new status ("sent", or "delivered" when final)."""

    delivery_id: int
    status: str
    provider: str
    provider_ref: str


async def write_accepted(rows: Sequence[Taken], at: datetime) -> None:
    """Rows that providers took, each with its own status, provider and reference, in one
    statement (``executemany``): the sent (or delivered) side of a batch."""
    if not rows:
        return
    columns = ("status", "provider", "provider_ref", "sent_at", "error", "updated_at", "final_at")
    when = at.astimezone(UTC)
    await update_rows(
        Delivery,
        columns,
        [
            [
                row.status,
                row.provider,
                row.provider_ref,
                when,
                "",
                when,
                when if row.status == DeliveryStatus.DELIVERED else None,
                row.delivery_id,
            ]
            for row in rows
        ],
    )


async def write_changes(changes: Sequence[Change]) -> None:
    """Rows of status history in one statement (``executemany``), without building a model
    per row: a batch writes two for each of its deliveries. Datetimes go as UTC; the JSON
    column is encoded by its own field."""
    if not changes:
        return
    db = DeliveryStatusChange._meta.db
    names = ", ".join(f'"{column}"' for column in (*HISTORY_COLUMNS, "raw_data"))
    marks = ", ".join(placeholders(db, len(HISTORY_COLUMNS) + 1))
    table = DeliveryStatusChange._meta.db_table
    raw_field = DeliveryStatusChange._meta.fields_map["raw_data"]
    await db.execute_many(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
        [
            [
                c.delivery_id,
                c.from_status,
                c.to_status,
                c.at.astimezone(UTC),
                c.source,
                c.event_ref,
                raw_field.to_db_value(c.raw, DeliveryStatusChange),
            ]
            for c in changes
        ],
    )


async def write_change(
    delivery_id: int,
    from_status: str,
    to_status: str,
    *,
    at: datetime,
    source: str,
    raw: dict[str, object] | None = None,
    event_ref: str | None = None,
) -> None:
    """One row of a delivery's status history."""
    await write_changes([Change(delivery_id, from_status, to_status, at, source, raw, event_ref)])


async def move(
    delivery_id: int,
    from_status: str,
    to_status: str,
    *,
    at: datetime,
    source: str,
    raw: dict[str, object] | None = None,
    **changes: Any,
) -> bool:
    """Move a delivery only if it is still in ``from_status`` (a conditional UPDATE), with its
    history row; False when someone else moved it first."""
    rows = await Delivery.filter(id=delivery_id, status=from_status).update(
        status=to_status, updated_at=at.astimezone(UTC), **changes
    )
    if rows:
        await write_change(delivery_id, from_status, to_status, at=at, source=source, raw=raw)
    return bool(rows)


async def move_many(
    ids: Collection[int],
    from_status: str,
    to_status: str,
    *,
    at: datetime,
    source: str,
    due_by: datetime | None = None,
    raw: dict[str, object] | None = None,
    claim: str | None = None,
    **changes: Any,
) -> list[int]:
    """Move every delivery of ``ids`` still in ``from_status`` (and due by ``due_by`` when
    given) in one conditional UPDATE, with their history rows; returns the ids this call moved
    (rows someone else moved first are left out). The rows are tagged with ``claim`` (a fresh
    one when not given) so that the moved ones can be told apart without a second race."""
    if not ids:
        return []
    token = claim or uuid.uuid4().hex
    when = at.astimezone(UTC)
    query = Delivery.filter(id__in=list(ids), status=from_status)
    if due_by is not None:
        query = query.filter(not_before__lte=due_by.astimezone(UTC))
    if not await query.update(status=to_status, updated_at=when, claim=token, **changes):
        return []
    moved = sorted(
        cast("list[int]", await Delivery.filter(claim=token).values_list("id", flat=True))
    )
    await write_changes([Change(i, from_status, to_status, when, source, raw) for i in moved])
    return moved


async def create_delivery(
    notice: Notice,
    planned: rules.PlannedDelivery,
    *,
    language: str,
    not_before: datetime,
    source: str,
    at: datetime,
) -> Due:
    """A scheduled delivery of ``notice`` as the rules planned it at ``at`` (its history
    starts with "" → scheduled)."""
    contact = None if planned.contact_id == NO_CONTACT_ROW else planned.contact_id
    when = not_before.astimezone(UTC)
    delivery = await Delivery.create(
        uuid=uuid.uuid4(),
        notice_id=notice.id,
        person_id=planned.person_id,
        contact_id=contact,
        channel=planned.channel,
        to=planned.to,
        language=language,
        not_before=when,
    )
    await write_change(delivery.id, "", DeliveryStatus.SCHEDULED, at=at, source=source)
    return Due(delivery.id, when)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A notice not saved yet (its ``dedupe_key`` set) and its one delivery, written together
    with others by :func:`write_outgoing`."""

    notice: Notice
    planned: rules.PlannedDelivery
    language: str
    not_before: datetime


async def write_outgoing(items: Sequence[Outgoing], *, source: str, at: datetime) -> list[Due]:
    """Many one-delivery notices in a few statements (the notices, then their deliveries, then
    the deliveries' first history rows): what a batch of families' replies answers."""
    if not items:
        return []
    await Notice.bulk_create([item.notice for item in items])
    keys = [item.notice.dedupe_key for item in items]
    notices = dict(await Notice.filter(dedupe_key__in=keys).values_list("dedupe_key", "id"))
    rows = [
        Delivery(
            uuid=uuid.uuid4(),
            notice_id=notices[item.notice.dedupe_key],
            person_id=item.planned.person_id,
            contact_id=None
            if item.planned.contact_id == NO_CONTACT_ROW
            else item.planned.contact_id,
            channel=item.planned.channel,
            to=item.planned.to,
            language=item.language,
            not_before=item.not_before.astimezone(UTC),
        )
        for item in items
    ]
    await Delivery.bulk_create(rows)
    ids = {
        str(key): int(value)
        for key, value in await Delivery.filter(uuid__in=[r.uuid for r in rows]).values_list(
            "uuid", "id"
        )
    }
    due = [Due(ids[str(row.uuid)], row.not_before) for row in rows]
    await write_changes(
        [Change(d.delivery_id, "", DeliveryStatus.SCHEDULED, at, source) for d in due]
    )
    return due


def send_time(school: School, channel: str, base: datetime, delay_minutes: int) -> datetime:
    """When a delivery on ``channel`` may leave: the delay, then the quiet hours (not urgent)."""
    return rules.not_before(
        base,
        delay_minutes=delay_minutes,
        channel=channel,
        tz=ZoneInfo(school.timezone),
        quiet=quiet_hours(school),
    )


async def settle_notice(notice: Notice, *, reason: str = "every channel failed") -> None:
    """Bring the notice's status in line with its deliveries: done once one reached the family,
    failed when none is left under way (a cancelled notice stays cancelled)."""
    rows = await Delivery.filter(notice_id=notice.id).values_list("status", flat=True)
    statuses = {str(status) for status in rows}
    if DeliveryStatus.DELIVERED in statuses:
        status = NoticeStatus.DONE
    elif statuses & set(LIVE) or notice.status == NoticeStatus.CANCELLED:
        return
    else:
        status = NoticeStatus.FAILED
    if notice.status != status:
        notice.status = status
        if status == NoticeStatus.FAILED:
            notice.payload = {**notice.payload, "reason": reason}
        await notice.save(update_fields=["status", "payload", "updated_at"])


async def mark_unusable(delivery: Delivery, usability: str | None, note: str, at: datetime) -> None:
    """What a permanent failure says of where the delivery went: its contact point unusable, or
    for a chat (the family blocked the bot) the chat's links ended, so that the guardian's next
    channel is tried."""
    if usability is not None and delivery.channel == "chat" and delivery.to:
        await chat_gone(delivery.to, now=at)
    await mark_contact(delivery.contact_id, usability, note, at)


async def mark_contact(
    contact_id: int | None, usability: str | None, note: str, at: datetime
) -> None:
    """Keep a contact point out of sending after a permanent error that names it."""
    if contact_id is None or usability is None:
        return
    await ContactPoint.filter(id=contact_id).update(
        usability=Usability(usability), usability_note=note[:200], usability_changed_at=at
    )


async def fall_back(
    delivery: Delivery, notice: Notice, school: School, *, now: datetime, channels: Collection[str]
) -> Due | None:
    """The guardian's next channel after ``delivery`` failed, planned anew from their contact
    points as they are now (a point just marked unusable drops out), skipping every
    (channel, address) this notice already tried for them and channels without a provider
    (``channels`` empty: all). None when nothing is left for this guardian."""
    if delivery.person_id is None:
        return None
    options, persons = await guardian_options(notice.student_id, delivery.person_id)
    if not options:
        return None
    tried = set(
        await Delivery.filter(notice_id=notice.id, person_id=delivery.person_id).values_list(
            "channel", "to"
        )
    )
    order = rules.channel_order_for(str(notice.kind), school.channel_order)
    for planned in rules.channel_plan(options[0], order):
        if (planned.channel, planned.to) in tried or (channels and planned.channel not in channels):
            continue
        when = send_time(school, planned.channel, now, 0)
        language = persons[delivery.person_id].language
        return await create_delivery(
            notice, planned, language=language, not_before=when, source="fallback", at=now
        )
    return None


REACHED = (*LIVE, DeliveryStatus.DELIVERED)  # someone is being or was told


async def relay(
    delivery: Delivery, notice: Notice, school: School, *, now: datetime, channels: Collection[str]
) -> Due | None:
    """After every channel of the guardian of ``delivery`` failed: the notice goes to the
    other legal representative (then a person in charge) not yet sent it, on the first channel
    of their plan, when nobody else is being or was reached for it; its history starts with the
    source "relay". None when someone else has it, or nobody is left."""
    if str(notice.kind) in rules.OWN_CHANNELS_ONLY:
        return None  # addressed to one guardian (an answer, their Telegram code)
    sent_to = await Delivery.filter(notice_id=notice.id).values_list("person_id", "status")
    if any(person != delivery.person_id and status in REACHED for person, status in sent_to):
        return None
    tried = {person for person, _ in sent_to}
    options, persons = await guardian_options(notice.student_id)
    order = rules.channel_order_for(str(notice.kind), school.channel_order)
    for guardian in rules.relay_recipients(options):
        if guardian.person_id in tried:
            continue
        plan = [
            p for p in rules.channel_plan(guardian, order) if not channels or p.channel in channels
        ]
        if plan:
            when = send_time(school, plan[0].channel, now, 0)
            language = persons[guardian.person_id].language
            return await create_delivery(
                notice, plan[0], language=language, not_before=when, source="relay", at=now
            )
    return None
