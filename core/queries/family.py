"""What a family sees of its own children (the Telegram bot): their absences still open, the
reasons the school lets families give, the notices the school sent them. Always by guardian:
a guardian sees only the children they are guardian of, in that guardian's school."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from core.models import (
    Delivery,
    Event,
    GuardianLink,
    InboundMessage,
    InboundStatus,
    Person,
    Reason,
)
from core.queries.common import zone
from core.rules.counting import EventKind

OPEN_FOR = timedelta(days=30)  # the absences a family may still justify
HISTORY = 20  # notices listed


@dataclass(frozen=True)
class FamilyAbsence:
    """An absence of one of the guardian's children; times in the school's zone.

    ``state``: ``to_justify`` (no reason yet), ``reply_sent`` (the family answered, the CPE has
    not decided yet), ``reason_given`` (a reason, not decided), ``not_accepted``."""

    event_id: int
    person_id: int  # the guardian through whom it is seen
    student_id: int
    first_name: str
    starts_at: datetime
    ends_at: datetime | None
    state: str


async def _children(person: Person) -> dict[int, str]:
    rows = await GuardianLink.filter(
        person_id=person.id, student__active=True, student__school_id=person.school_id
    ).values_list("student_id", "student__first_name")
    return {int(student): str(name) for student, name in rows}


async def open_absences(persons: list[Person], now: datetime) -> list[FamilyAbsence]:
    """The children's absences of the last 30 days not justified yet, oldest first."""
    found: list[FamilyAbsence] = []
    for person in persons:
        children = await _children(person)
        events = await Event.filter(
            Q(accepted__isnull=True) | Q(accepted=False),
            student_id__in=list(children),
            kind=EventKind.ABSENCE,
            deleted=False,
            settled=False,
            starts_at__gte=(now - OPEN_FOR).astimezone(UTC),
            starts_at__lte=now.astimezone(UTC),
        ).order_by("starts_at", "id")
        answered = await _answered(list(children), [e.id for e in events])
        tz = zone(await person.school)
        for event in events:
            if event.id in answered:
                state = "reply_sent"
            elif event.accepted is False:
                state = "not_accepted"
            elif event.reason_id is not None:
                state = "reason_given"
            else:
                state = "to_justify"
            found.append(
                FamilyAbsence(
                    event.id,
                    person.id,
                    event.student_id,
                    children[event.student_id],
                    event.starts_at.astimezone(tz),
                    event.ends_at.astimezone(tz) if event.ends_at else None,
                    state,
                )
            )
    return sorted(found, key=lambda a: (a.starts_at, a.event_id))


async def _answered(student_ids: list[int], event_ids: list[int]) -> set[int]:
    """The absences a reply still waiting for the CPE is about."""
    if not event_ids:
        return set()
    rows = await InboundMessage.filter(
        status=InboundStatus.PENDING, student_id__in=student_ids
    ).values_list("event_ids", flat=True)
    wanted = set(event_ids)
    return {int(i) for ids in rows for i in (ids or []) if int(i) in wanted}


@dataclass(frozen=True)
class FamilyReason:
    code: str
    label: str


async def family_reasons(school_id: int) -> list[FamilyReason]:
    """The reasons the school lets families give for an absence, by label."""
    rows = await Reason.filter(
        school_id=school_id, active=True, parents_may_choose=True, for_absence=True
    ).order_by("label")
    return [FamilyReason(r.code, r.label) for r in rows]


@dataclass(frozen=True)
class SentNotice:
    """A notice the school sent the guardian; ``at`` in the school's zone."""

    at: datetime
    first_name: str
    kind: str
    channel: str
    status: str


async def history_of(person: Person, now: datetime) -> list[SentNotice]:
    """The latest notices sent to the guardian (any channel), newest first."""
    rows = (
        await Delivery.filter(person_id=person.id, sent_at__isnull=False, sent_at__lte=now)
        .order_by("-sent_at", "-id")
        .limit(HISTORY)
        .values_list("sent_at", "notice__student__first_name", "notice__kind", "channel", "status")
    )
    tz = zone(await person.school)
    return [
        SentNotice(at.astimezone(tz), str(name), str(kind), str(channel), str(status))
        for at, name, kind, channel, status in rows
    ]
