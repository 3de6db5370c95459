"""The letters to families of a day, as staff print and post them, and the outbox's deliveries.

A letter belongs to the day (in the school's zone) its PDF was made: the delivery's ``sent_at``.
It is "to print" until staff mark it printed, "printed" until they mark it posted, then
"posted". The order is the one the merged PDF follows: by student, then by delivery, the
letters to one postal address together (they print as one letter, in one envelope).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.models import Channel, Delivery, DeliveryStatus, School
from core.queries.common import chunks, day_start, local, zone
from core.rules import postal

READY = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)  # the PDF exists
STATES = ("to_print", "printed", "posted")
RELATED = ("notice__student", "person", "contact")


@dataclass(frozen=True, slots=True)
class LetterRow:
    """One letter as the page and the API show it; times in the school's zone."""

    id: int
    uuid: str
    notice_id: int
    student_id: int
    student: str
    guardian: str
    kind: str
    address: tuple[str, ...]
    household: str  # the same for letters to one home (postal.household_key): one envelope
    status: str
    state: str  # to_print, printed, posted
    sent_at: datetime | None
    printed_at: datetime | None
    posted_at: datetime | None


def state_of(printed_at: datetime | None, posted_at: datetime | None) -> str:
    """Where a letter is between the printer and the post box."""
    if posted_at is not None:
        return "posted"
    return "printed" if printed_at is not None else "to_print"


def _row(delivery: Delivery, school: School) -> LetterRow:
    tz = zone(school)
    student = delivery.notice.student
    person = delivery.person
    return LetterRow(
        id=delivery.id,
        uuid=str(delivery.uuid),
        notice_id=delivery.notice_id,
        student_id=student.id,
        student=f"{student.last_name.upper()} {student.first_name}",
        guardian=person.display_name if person is not None else delivery.to,
        kind=str(delivery.notice.kind),
        address=postal.envelope(delivery.contact, person),
        household=postal.household_key(delivery.contact),
        status=str(delivery.status),
        state=state_of(delivery.printed_at, delivery.posted_at),
        sent_at=local(delivery.sent_at, tz),
        printed_at=local(delivery.printed_at, tz),
        posted_at=local(delivery.posted_at, tz),
    )


def _in_print_order(rows: list[LetterRow]) -> list[LetterRow]:
    """By student, then by delivery; the letters to one home together (one envelope), where
    the first of them stands."""
    ordered = sorted(rows, key=lambda row: (row.student.casefold(), row.id))
    return [row for home in postal.households(ordered, lambda r: r.household) for row in home]


async def letters_of_day(school: School, day: date) -> list[LetterRow]:
    """Every letter whose PDF was made on ``day`` (school's zone), in print order."""
    tz = zone(school)
    found = await Delivery.filter(
        notice__school_id=school.id,
        channel=Channel.LETTER,
        status__in=list(READY),
        sent_at__gte=day_start(day, tz),
        sent_at__lt=day_start(day + timedelta(days=1), tz),
    ).select_related(*RELATED)
    return _in_print_order([_row(delivery, school) for delivery in found])


async def letters_by_id(school: School, ids: Sequence[int]) -> list[LetterRow]:
    """The letters of this school among ``ids`` (other ids are simply not there), in print
    order; the service checks that every id was found."""
    found: list[Delivery] = []
    for part in chunks(sorted(set(ids))):
        found += await Delivery.filter(
            id__in=part, notice__school_id=school.id, channel=Channel.LETTER
        ).select_related(*RELATED)
    return _in_print_order([_row(delivery, school) for delivery in found])


async def oldest_day_to_print(school: School, before: date) -> tuple[int, date | None]:
    """How many letters made before ``before`` are still to print, and the oldest day of them
    (so that the page can point at what an earlier day left behind)."""
    tz = zone(school)
    waiting = Delivery.filter(
        notice__school_id=school.id,
        channel=Channel.LETTER,
        status__in=list(READY),
        printed_at__isnull=True,
        sent_at__lt=day_start(before, tz),
    )
    count = await waiting.count()
    if not count:
        return 0, None
    first = await waiting.order_by("sent_at", "id").limit(1).values_list("sent_at", flat=True)
    moment = first[0] if first and isinstance(first[0], datetime) else None
    return count, moment.astimezone(tz).date() if moment is not None else None


@dataclass(frozen=True, slots=True)
class OutboxDelivery:
    """A delivery the outbox took: what the database knows of it."""

    id: int
    uuid: str
    channel: str
    to: str
    student: str
    kind: str
    sent_at: datetime | None


async def outbox_deliveries(
    school: School, *, limit: int, offset: int = 0
) -> tuple[list[OutboxDelivery], int]:
    """This school's deliveries that went to the embedded outbox, newest first, and how many
    there are: the outbox's files are looked up by these uuids, never listed whole."""
    tz = zone(school)
    found = Delivery.filter(notice__school_id=school.id, provider="outbox")
    total = await found.count()
    batch = (
        await found.select_related("notice__student")
        .order_by("-sent_at", "-id")
        .offset(offset)
        .limit(limit)
    )
    rows = [
        OutboxDelivery(
            id=delivery.id,
            uuid=str(delivery.uuid),
            channel=str(delivery.channel),
            to=delivery.to,
            student=(
                f"{delivery.notice.student.last_name.upper()} {delivery.notice.student.first_name}"
            ),
            kind=str(delivery.notice.kind),
            sent_at=local(delivery.sent_at, tz),
        )
        for delivery in batch
    ]
    return rows, total
