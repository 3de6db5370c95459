"""Replies from families as the school reads them: each with what it was matched to (the
guardian, the student, the open absences) and the reason it proposes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.models import Event, InboundMessage, Reason, School
from core.queries.common import Page, zone
from core.queries.scope import ALL, Scope
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
        .prefetch_related("person", "student", "proposed_reason__generic")
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
