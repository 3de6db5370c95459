"""What a family does from its linked chat (the Telegram bot): justify an absence with one of
the reasons the school lets families give, optionally with a photo or a PDF of a note; set its
preferences. The bot checks the chat is linked; these check it again, and that the absence is
one of that guardian's children's.

A justification is a reply in the CPE's queue like any other (channel ``chat``, pending, the
reason chosen proposed with full confidence, the absence attached), so the CPE accepts it the
same way. A document is checked by its first bytes (JPEG, PNG or PDF, whatever its name says),
at most :data:`MAX_DOCUMENT` bytes, and stored under the install's var directory
(``attachments/<UAI>/<year>/<uuid>.<ext>``), written before the transaction and removed if it
fails, so that no row names a missing file.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tortoise.transactions import in_transaction

from core.errors import Invalid, NotFound
from core.models import (
    Attachment,
    ChatLink,
    Event,
    GuardianLink,
    InboundMessage,
    InboundStatus,
    Person,
    Reason,
    School,
)
from core.rules.counting import EventKind
from core.services import audit
from core.services.access.chat_links import BOT, PLATFORM
from core.services.notices.preferences import apply_preferences

MAX_DOCUMENT = 10 * 1024 * 1024
KINDS = (  # (first bytes, content type, extension)
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)


@dataclass(frozen=True, slots=True)
class Document:
    """A file the family sent: its bytes and the name it had."""

    content: bytes
    file_name: str = ""


def document_kind(document: Document) -> tuple[str, str]:
    """(content type, extension) of a JPEG, PNG or PDF; Invalid ``bad_document`` or
    ``too_large`` otherwise."""
    if len(document.content) > MAX_DOCUMENT:
        raise Invalid("the document is too large", code="too_large")
    for magic, content_type, extension in KINDS:
        if document.content.startswith(magic):
            return content_type, extension
    raise Invalid("only a photo (JPEG, PNG) or a PDF", code="bad_document")


async def _linked(person_id: int, chat_id: str) -> Person:
    link = await ChatLink.get_or_none(
        platform=PLATFORM, chat_id=str(chat_id), person_id=person_id, active=True
    ).prefetch_related("person__school")
    if link is None:
        raise NotFound("this chat does not follow this guardian", code="not_linked")
    return link.person


async def justify_from_chat(
    person_id: int,
    chat_id: str,
    event_id: int,
    reason_code: str,
    *,
    now: datetime,
    var_dir: Path,
    document: Document | None = None,
) -> InboundMessage:
    """The family's justification of ``event_id`` with ``reason_code``, in the CPE's queue.

    Refused: NotFound ``not_linked`` (the chat does not follow the guardian) or ``unknown_event``
    (not an absence of their children); Invalid ``unknown_reason`` (not a reason families may
    give), ``bad_document``, ``too_large``."""
    person = await _linked(person_id, chat_id)
    school: School = person.school
    children = await GuardianLink.filter(person_id=person.id).values_list("student_id", flat=True)
    event = await Event.get_or_none(
        id=event_id,
        school_id=school.id,
        student_id__in=list(children),
        kind=EventKind.ABSENCE,
        deleted=False,
    )
    if event is None:
        raise NotFound("no such absence of this family's", code="unknown_event")
    reason = await Reason.get_or_none(
        school_id=school.id,
        code=reason_code,
        active=True,
        parents_may_choose=True,
        for_absence=True,
    ).prefetch_related("generic")
    if reason is None:
        raise Invalid("not a reason families may give", code="unknown_reason")
    kind = document_kind(document) if document is not None else None
    stored = (
        await asyncio.to_thread(_write, document, kind, var_dir, school, now)
        if document and kind
        else None
    )
    try:
        async with in_transaction():
            message = await InboundMessage.create(
                school_id=school.id,
                channel="chat",
                provider=PLATFORM,
                provider_ref=f"justify:{uuid.uuid4().hex}",
                sender=str(chat_id),
                text=reason.label,
                received_at=now.astimezone(UTC),
                person=person,
                student_id=event.student_id,
                event_ids=[event.id],
                proposed_reason=reason,
                proposed_generic=reason.generic.code,
                confidence=1.0,
                status=InboundStatus.PENDING,
            )
            after: dict[str, object] = {"event_id": event.id, "reason": reason.code}
            if stored is not None and kind is not None and document is not None:
                attachment = await Attachment.create(
                    message=message,
                    file_name=(document.file_name or stored.name)[:200],
                    content_type=kind[0],
                    size=len(document.content),
                    sha256=hashlib.sha256(document.content).hexdigest(),
                    path=str(stored.relative_to(var_dir)),
                )
                after["attachment_id"] = attachment.id
            await audit.record(BOT, "inbound.justify", message, school_id=school.id, after=after)
    except BaseException:
        if stored is not None:
            stored.unlink(missing_ok=True)
        raise
    return message


def _write(
    document: Document, kind: tuple[str, str], var_dir: Path, school: School, now: datetime
) -> Path:
    folder = var_dir / "attachments" / school.uai / str(now.year)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.{kind[1]}"
    path.write_bytes(document.content)
    return path


async def set_preferences(
    person_id: int, chat_id: str, *, channel: str | None = None, language: str | None = None
) -> Person:
    """The guardian's own first channel (``""``: the school's order) and language (one of the
    school's), from their chat; Invalid ``unknown_channel`` / ``unknown_language``; audited
    (``by``: ``bot``)."""
    person = await _linked(person_id, chat_id)
    async with in_transaction():
        await apply_preferences(person, BOT, language=language, channel=channel, by="bot")
    return person
