"""Replies from families as the school reads them: each with what it was matched to (the
guardian, the student, the open absences) and the reason it proposes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q, Subquery

from core.models import Attachment, Event, GuardianLink, InboundMessage, Person, Reason, School
from core.queries.common import Page, zone
from core.queries.scope import ALL, Scope
from core.rules.counting import EventKind
from core.rules.keypad import keypad_meaning


@dataclass(frozen=True)
class InboundView:
    """One message from a family; ``received_at`` in the school's zone."""

    id: int
    channel: str
    sender: str
    text: str
    received_at: datetime
    guardian_id: int | None
    guardian: str | None
    student_id: int | None
    student: str | None
    event_ids: list[int]
    proposed_reason: str | None  # the national generic code the reply was read as
    reason_code: str | None  # the school's own reason under it, proposed to the CPE
    reason_label: str | None
    confidence: float | None
    status: str
    handled_at: datetime | None
    # a key pressed during a call (core.rules.keypad): "acknowledged" (1, the family knows) or
    # "callback" (2, asks to be called back); None for a written reply
    keypad: str | None = None
    # documents the family sent with it (a photo, a PDF): (id, file name, content type)
    attachments: tuple[tuple[int, str, str], ...] = ()


def _view(message: InboundMessage, school: School, scope: Scope) -> InboundView:
    tz = zone(school)
    person, student, reason = message.person, message.student, message.proposed_reason
    return InboundView(
        id=message.id,
        channel=message.channel,
        sender=message.sender,
        text=scope.view.reply(message.text),
        received_at=message.received_at.astimezone(tz),
        guardian_id=message.person_id,
        guardian=person.display_name if person is not None else None,
        student_id=message.student_id,
        student=student.display_name if student is not None else None,
        event_ids=[int(i) for i in message.event_ids or []],
        proposed_reason=message.proposed_generic
        or (reason.generic.code if reason is not None else None),
        reason_code=reason.code if reason is not None else None,
        reason_label=reason.label if reason is not None else None,
        confidence=message.confidence,
        status=str(message.status),
        handled_at=message.handled_at.astimezone(tz) if message.handled_at else None,
        keypad=keypad_meaning(message.channel, message.text),
        attachments=tuple((a.id, a.file_name, a.content_type) for a in message.attachments),
    )


async def inbound_page(
    school: School,
    *,
    status: str | None = None,
    since: datetime | None = None,
    student: int | None = None,
    limit: int = 50,
    offset: int = 0,
    scope: Scope = ALL,
) -> Page[InboundView]:
    """The school's messages from families, newest first: ``status`` (pending, accepted,
    rejected, unmatched, opt_out), received at or after ``since`` (aware), about ``student``.

    Only messages matched to the school are its own: one from an unknown number belongs to
    no school and shows nowhere. A reader limited to some students (``scope``) sees only the
    messages about them, and their text only if the scope shows it.
    """
    found = scope.narrow(InboundMessage.filter(school_id=school.id))
    if status is not None:
        found = found.filter(status=status)
    if since is not None:
        found = found.filter(received_at__gte=since.astimezone(UTC))  # SQLite compares text
    if student is not None:
        found = found.filter(student_id=student)
    total = await found.count()
    rows = (
        await found.order_by("-received_at", "-id")
        .offset(offset)
        .limit(limit)
        .prefetch_related("person", "student", "proposed_reason__generic", "attachments")
    )
    return Page([_view(m, school, scope) for m in rows], total, offset, limit)


@dataclass(frozen=True)
class Span:
    """An absence a reply is about, in the school's zone."""

    id: int
    start: datetime
    end: datetime | None


async def reply_spans(school: School, views: list[InboundView]) -> dict[int, list[Span]]:
    """The absences each reply is about (by reply id), oldest first, deleted ones left out."""
    ids = {i for view in views for i in view.event_ids}
    tz = zone(school)
    rows = await Event.filter(id__in=ids, school_id=school.id, deleted=False).order_by(
        "starts_at", "id"
    )
    spans = {
        e.id: Span(
            e.id, e.starts_at.astimezone(tz), e.ends_at.astimezone(tz) if e.ends_at else None
        )
        for e in rows
    }
    return {v.id: [spans[i] for i in v.event_ids if i in spans] for v in views}


async def absence_reasons(school: School) -> list[tuple[str, str]]:
    """The school's active reasons for absences: (code, label), by label."""
    rows = await Reason.filter(school_id=school.id, active=True, for_absence=True).order_by("label")
    return [(r.code, r.label) for r in rows]


async def reply_of(school: School, inbound_id: int, scope: Scope = ALL) -> InboundView | None:
    """One of the school's replies (None: not the school's, or out of the reader's scope)."""
    message = (
        await scope.narrow(InboundMessage.filter(id=inbound_id, school_id=school.id))
        .prefetch_related("person", "student", "proposed_reason__generic", "attachments")
        .first()
    )
    return _view(message, school, scope) if message is not None else None


ATTACHABLE = timedelta(days=31)  # the absences a reply may be attached to by hand


@dataclass(frozen=True)
class ChildAbsences:
    """One of a guardian's children with their absences of the last weeks (newest first)."""

    student_id: int
    name: str
    division: str | None
    absences: list[Span]


async def family_absences(school: School, person_id: int, at: datetime) -> list[ChildAbsences]:
    """The guardian's children in the school, each with their absences of the month before
    ``at`` (not deleted), for staff attaching a reply by hand."""
    links = (
        await GuardianLink.filter(person_id=person_id, student__school_id=school.id)
        .order_by("priority", "student__last_name", "student__first_name")
        .prefetch_related("student__division")
    )
    students = [link.student for link in links]
    tz = zone(school)
    events = await Event.filter(
        student_id__in=[s.id for s in students],
        school_id=school.id,
        kind=EventKind.ABSENCE,
        deleted=False,
        starts_at__gte=(at - ATTACHABLE).astimezone(UTC),
    ).order_by("-starts_at", "-id")
    spans: dict[int, list[Span]] = {}
    for e in events:
        end = e.ends_at.astimezone(tz) if e.ends_at else None
        spans.setdefault(e.student_id, []).append(Span(e.id, e.starts_at.astimezone(tz), end))
    return [
        ChildAbsences(
            s.id, s.display_name, s.division.code if s.division else None, spans.get(s.id, [])
        )
        for s in students
    ]


@dataclass(frozen=True)
class GuardianChoice:
    """A guardian found by name (theirs or a child's), with their children's names."""

    id: int
    name: str
    children: list[str]


SEARCH_LIMIT = 20


async def find_guardians(school: School, text: str) -> list[GuardianChoice]:
    """The school's guardians whose name, or a child's name, holds ``text`` (2 letters at least)."""
    text = " ".join(text.split())[:60]
    if len(text) < 2:
        return []
    by_child = GuardianLink.filter(
        Q(student__last_name__icontains=text) | Q(student__first_name__icontains=text),
        student__school_id=school.id,
    ).values_list("person_id", flat=True)
    persons = (
        await Person.filter(
            Q(last_name__icontains=text)
            | Q(first_name__icontains=text)
            | Q(id__in=Subquery(by_child)),
            school_id=school.id,
        )
        .order_by("last_name", "first_name", "id")
        .limit(SEARCH_LIMIT)
    )
    links = await GuardianLink.filter(person_id__in=[p.id for p in persons]).prefetch_related(
        "student"
    )
    children: dict[int, list[str]] = {}
    for link in links:
        children.setdefault(link.person_id, []).append(link.student.display_name)
    return [GuardianChoice(p.id, p.display_name, children.get(p.id, [])) for p in persons]


@dataclass(frozen=True)
class Unclaimed:
    """A reply no school could claim: from a number no guardian has, sent to the install's
    own sender (times in UTC)."""

    id: int
    received_at: datetime
    sender: str
    recipient: str | None
    text: str


async def unclaimed_replies(limit: int = 200) -> list[Unclaimed]:
    """The replies that belong to no school yet, newest first (for the install's operators)."""
    rows = (
        await InboundMessage.filter(school_id__isnull=True)
        .order_by("-received_at", "-id")
        .limit(limit)
    )
    return [
        Unclaimed(m.id, m.received_at.astimezone(UTC), m.sender, m.recipient, m.text) for m in rows
    ]


@dataclass(frozen=True)
class StoredDocument:
    """A document a family sent, to hand to staff: where it is under the var directory."""

    path: str
    file_name: str
    content_type: str


async def reply_document(
    school: School, inbound_id: int, attachment_id: int, scope: Scope = ALL
) -> StoredDocument | None:
    """One document of one of the school's replies (None: not the school's, or not for the
    reader's eyes: a reader who may not read replies' texts may not read their documents)."""
    if not scope.view.reply_texts:
        return None
    reply = await scope.narrow(InboundMessage.filter(id=inbound_id, school_id=school.id)).first()
    if reply is None:
        return None
    found = await Attachment.get_or_none(id=attachment_id, message_id=reply.id)
    if found is None:
        return None
    return StoredDocument(found.path, found.file_name, found.content_type)
