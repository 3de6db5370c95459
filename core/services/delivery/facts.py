"""What a batch of deliveries reads to decide and to compose: the claimed rows with their notice,
event, student, guardian and contact point in ONE joined query, as plain objects.

Building an ORM model per row and table cost a worker a quarter of its time (measured by
``make bench``: datetimes parsed field by field, one query per table with its list of ids); the
rows read here are only read. What changes a row (cancelling a notice, failing over) loads the
models of the few rows concerned (``core.services.delivery.send``). The objects have the attribute
names of the models, so that composing a message takes either
(``core.services.templates.messages``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from core.models import (
    ContactPoint,
    Delivery,
    Event,
    EventSource,
    Notice,
    NoticeKind,
    NoticeStatus,
    Person,
    School,
    Student,
)
from core.queries.common import moment
from core.rules.counting import EventKind
from core.rules.postal import display_name
from core.services.delivery.rows import placeholders


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What deciding whether a notice still stands and composing it read of its event."""

    id: int
    kind: EventKind
    starts_at: datetime
    ends_at: datetime | None
    accepted: bool | None
    counts: bool
    deleted: bool
    source: EventSource


@dataclass(frozen=True, slots=True)
class StudentFacts:
    id: int
    first_name: str
    last_name: str


@dataclass(frozen=True, slots=True)
class PersonFacts:
    id: int
    civility: str
    first_name: str
    last_name: str
    language: str

    @property
    def display_name(self) -> str:
        return display_name(self.civility, self.last_name, self.first_name)


@dataclass(frozen=True, slots=True)
class ContactFacts:
    id: int
    value: str
    address: dict[str, object] | None


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    id: int
    school_id: int
    student_id: int
    event_id: int | None
    kind: NoticeKind
    status: NoticeStatus
    urgent: bool
    payload: dict[str, object]
    school: School
    student: StudentFacts
    event: EventFacts | None


@dataclass(frozen=True, slots=True)
class DeliveryFacts:
    """A claimed delivery (its row as the claim left it: "sending", this try counted)."""

    id: int
    uuid: uuid.UUID
    notice_id: int
    person_id: int | None
    contact_id: int | None
    channel: str  # a name of core.rules.channels.CHANNELS
    to: str
    language: str
    attempts: int
    notice: NoticeFacts
    person: PersonFacts | None
    contact: ContactFacts | None


def _columns(alias: str, model: type[Any], names: tuple[str, ...]) -> list[str]:
    columns = model._meta.fields_db_projection
    return [f'{alias}."{columns[name]}"' for name in names]


DELIVERY = ("id", "uuid", "notice_id", "person_id", "contact_id", "channel", "to", "language")
NOTICE = ("school_id", "student_id", "event_id", "kind", "status", "urgent", "payload")
STUDENT = ("first_name", "last_name")
EVENT = ("id", "kind", "starts_at", "ends_at", "accepted", "counts", "deleted", "source")
PERSON = ("civility", "first_name", "last_name", "language")
CONTACT = ("value", "address")


def _select(mark: str) -> str:
    names = [
        *_columns("d", Delivery, (*DELIVERY, "attempts")),
        *_columns("n", Notice, NOTICE),
        *_columns("s", Student, STUDENT),
        *_columns("e", Event, EVENT),
        *_columns("p", Person, PERSON),
        *_columns("c", ContactPoint, CONTACT),
    ]
    table = {m: m._meta.db_table for m in (Delivery, Notice, Student, Event, Person, ContactPoint)}
    return (
        f"SELECT {', '.join(names)} "
        f'FROM "{table[Delivery]}" d '
        f'JOIN "{table[Notice]}" n ON n."id" = d."notice_id" '
        f'JOIN "{table[Student]}" s ON s."id" = n."student_id" '
        f'LEFT JOIN "{table[Event]}" e ON e."id" = n."event_id" '
        f'LEFT JOIN "{table[Person]}" p ON p."id" = d."person_id" '
        f'LEFT JOIN "{table[ContactPoint]}" c ON c."id" = d."contact_id" '
        f'WHERE d."claim" = {mark} ORDER BY d."id"'
    )


def _json(model: type[Any], name: str, value: Any) -> Any:
    return model._meta.fields_map[name].to_python_value(value)


async def claimed_facts(claim: str) -> list[DeliveryFacts]:
    """The deliveries tagged with ``claim``, by id, with what composing them reads."""
    db: BaseDBAsyncClient = Delivery._meta.db
    _, rows = await db.execute_query(_select(placeholders(db, 1)[0]), [claim])
    if not rows:
        return []
    tuples = [tuple(row) for row in rows]
    school_ids = sorted({row[9] for row in tuples})
    schools = {school.id: school for school in await School.filter(id__in=school_ids)}
    students: dict[int, StudentFacts] = {}
    return [_facts(row, schools, students) for row in tuples]


def _facts(
    row: tuple[Any, ...], schools: dict[int, School], students: dict[int, StudentFacts]
) -> DeliveryFacts:
    (d_id, d_uuid, notice_id, person_id, contact_id, channel, to, language, attempts) = row[:9]
    (school_id, student_id, event_id, kind, status, urgent, payload) = row[9:16]
    (s_first, s_last) = row[16:18]
    (e_id, e_kind, starts_at, ends_at, accepted, counts, deleted, source) = row[18:26]
    (civility, p_first, p_last, p_language) = row[26:30]
    (value, address) = row[30:32]
    student = students.get(student_id)
    if student is None:
        student = students[student_id] = StudentFacts(student_id, s_first, s_last)
    event = None
    if e_id is not None:
        event = EventFacts(
            e_id,
            EventKind(e_kind),
            moment(starts_at),
            moment(ends_at) if ends_at is not None else None,
            None if accepted is None else bool(accepted),
            bool(counts),
            bool(deleted),
            EventSource(source),
        )
    notice = NoticeFacts(
        notice_id,
        school_id,
        student_id,
        event_id,
        NoticeKind(kind),
        NoticeStatus(status),
        bool(urgent),
        _json(Notice, "payload", payload) or {},
        schools[school_id],
        student,
        event,
    )
    person = None
    if person_id is not None and p_last is not None:
        person = PersonFacts(person_id, civility, p_first, p_last, p_language)
    contact = None
    if contact_id is not None and value is not None:
        contact = ContactFacts(contact_id, value, _json(ContactPoint, "address", address))
    return DeliveryFacts(
        d_id,
        d_uuid if isinstance(d_uuid, uuid.UUID) else uuid.UUID(str(d_uuid)),
        notice_id,
        person_id,
        contact_id,
        str(channel),
        to,
        language,
        attempts,
        notice,
        person,
        contact,
    )
