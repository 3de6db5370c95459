"""Linking a family's chat (Telegram) to a guardian with a one-time code.

Staff issue a code for a guardian (:func:`issue_code`): 10 characters of an alphabet without
look-alikes (32¹⁰ ≈ 10¹⁵ codes), valid :data:`CODE_LIFETIME` (48 h), single use; only its
SHA-256 is kept. The family sends it to the bot (``/start CODE`` or the deep link
``https://t.me/<bot>?start=CODE``); :func:`redeem_code` links the chat to that guardian
(another guardian links their own chat with their own code; one chat may follow a guardian in
several schools). A chat may try :data:`ATTEMPTS` codes per :data:`ATTEMPT_WINDOW`, then waits.
``/stop`` (:func:`unlink_chat`) or staff (:func:`unlink_guardian_chat`) end a link; a bot the
family blocked ends it too (:func:`chat_gone`). Every change is audited.

What a chat may see (:func:`chat_guardians`) is the guardians it is actively linked to: a chat
never linked, or whose code was refused, sees nothing of any student.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import ChatAttempt, ChatLink, GuardianLink, LinkCode, Person, School, Student
from core.services import audit
from core.services.audit import Actor

PLATFORM = "telegram"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud or copied by hand
CODE_LENGTH = 10
CODE_LIFETIME = timedelta(hours=48)
ATTEMPTS = 5  # codes a chat may try …
ATTEMPT_WINDOW = timedelta(minutes=15)  # … in this long
BOT = Actor.system("telegram bot")


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A code to hand to the family (shown once: only its hash is kept)."""

    code: str
    expires_at: datetime
    person_id: int


@dataclass(frozen=True, slots=True)
class Linked:
    """A chat linked to a guardian: whom to greet, which children it now follows."""

    person: Person
    school: School
    children: list[Student]


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_code(text: str) -> str:
    """A code as a family may type it: spaces, dashes and case do not matter."""
    return "".join(c for c in text.upper() if c.isalnum())[: CODE_LENGTH * 2]


async def issue_code(
    school: School,
    actor: Actor,
    person_id: int,
    *,
    now: datetime,
    lifetime: timedelta = CODE_LIFETIME,
) -> IssuedCode:
    """A new one-time code for a guardian of the school (NotFound ``unknown_guardian``), valid
    ``lifetime`` (longer for a code sent by post)."""
    person = await Person.get_or_none(id=person_id, school_id=school.id)
    if person is None:
        raise NotFound("no such guardian", code="unknown_guardian")
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    expires = (now + lifetime).astimezone(UTC)
    row = await LinkCode.create(person=person, code_hash=_hash(code), expires_at=expires)
    await audit.record(
        actor,
        "link_code.create",
        row,
        school_id=school.id,
        after={"person_id": person.id, "expires_at": expires.isoformat()},
    )
    return IssuedCode(code, expires, person.id)


async def redeem_code(chat_id: str, text: str, *, now: datetime) -> Linked:
    """Link ``chat_id`` to the guardian whose code ``text`` is, once.

    Refusals (Invalid): ``too_many`` (the chat tried too many codes lately), ``unknown_code``
    (no such code, or already used, or expired: the chat is told the same for all three, so a
    guess learns nothing)."""
    chat_id, now = str(chat_id)[:64], now.astimezone(UTC)  # SQLite compares times as text
    since = now - ATTEMPT_WINDOW
    tried = await ChatAttempt.filter(
        platform=PLATFORM, chat_id=chat_id, at__gte=since, success=False
    ).count()
    if tried >= ATTEMPTS:
        raise Invalid("too many codes tried from this chat", code="too_many")
    code = normalise_code(text)
    async with in_transaction():
        row = (
            await LinkCode.filter(code_hash=_hash(code), used_at__isnull=True, expires_at__gt=now)
            .select_for_update()
            .first()
            if len(code) == CODE_LENGTH
            else None
        )
        if row is not None:
            person = await _link(row, chat_id, now)
    await ChatAttempt.create(platform=PLATFORM, chat_id=chat_id, at=now, success=row is not None)
    if row is None:
        raise Invalid("no such code", code="unknown_code")
    return Linked(person, person.school, await _children(person.id))


async def _link(row: LinkCode, chat_id: str, now: datetime) -> Person:
    """The code used, the chat linked to its guardian (again, if it was before)."""
    row.used_at = now
    await row.save(update_fields=["used_at"])
    person = await Person.get(id=row.person_id).prefetch_related("school")
    link = await ChatLink.get_or_none(platform=PLATFORM, chat_id=chat_id, person_id=person.id)
    if link is None:
        link = await ChatLink.create(person=person, platform=PLATFORM, chat_id=chat_id)
    else:
        link.active, link.ended_reason, link.ended_at = True, None, None
        await link.save(update_fields=["active", "ended_reason", "ended_at"])
    await audit.record(
        BOT,
        "chat_link.create",
        link,
        school_id=person.school_id,
        after={"person_id": person.id, "chat_id": chat_id, "code_id": row.id},
    )
    return person


async def _children(person_id: int) -> list[Student]:
    links = (
        await GuardianLink.filter(person_id=person_id, student__active=True)
        .order_by("student__last_name", "student__first_name")
        .prefetch_related("student")
    )
    return [link.student for link in links]


async def chat_guardians(chat_id: str) -> list[Person]:
    """The guardians a chat is actively linked to (none: it sees nothing), with their school."""
    links = await ChatLink.filter(
        platform=PLATFORM, chat_id=str(chat_id), active=True
    ).prefetch_related("person__school")
    return [link.person for link in links]


async def _end(link: ChatLink, actor: Actor, reason: str, now: datetime) -> None:
    before: dict[str, object] = {"active": link.active}
    link.active, link.ended_reason, link.ended_at = False, reason, now
    await link.save(update_fields=["active", "ended_reason", "ended_at"])
    person = await Person.get(id=link.person_id)
    await audit.record(
        actor,
        "chat_link.end",
        link,
        school_id=person.school_id,
        before=before,
        after={"active": False, "reason": reason},
    )


async def unlink_chat(chat_id: str, *, now: datetime) -> int:
    """``/stop``: the chat follows nobody any more; returns how many links ended."""
    links = await ChatLink.filter(platform=PLATFORM, chat_id=str(chat_id), active=True)
    for link in links:
        await _end(link, BOT, "stop", now)
    return len(links)


async def unlink_guardian_chat(
    school: School, actor: Actor, person_id: int, link_id: int, *, now: datetime
) -> None:
    """Staff end a guardian's chat link from the student's file (NotFound for another
    school's; Conflict ``ended`` for one already ended)."""
    link = await ChatLink.get_or_none(id=link_id, person_id=person_id, person__school_id=school.id)
    if link is None:
        raise NotFound("no such chat link", code="not_found")
    if not link.active:
        raise Conflict("this chat link already ended", code="ended")
    await _end(link, actor, "staff", now)


async def chat_gone(chat_id: str, *, now: datetime) -> int:
    """The bot may no longer write to this chat (blocked, left): its links end, so that
    notices go by the guardians' next channel."""
    links = await ChatLink.filter(platform=PLATFORM, chat_id=str(chat_id), active=True)
    for link in links:
        await _end(link, BOT, "blocked", now)
    return len(links)


async def code_expiry(person_id: int, text: str, *, now: datetime) -> datetime | None:
    """When ``text``, a code of this guardian not used yet, expires (None: no such live code);
    staff send the code they were shown, and only such a code."""
    row = await LinkCode.filter(
        person_id=person_id,
        code_hash=_hash(normalise_code(text)),
        used_at__isnull=True,
        expires_at__gt=now.astimezone(UTC),
    ).first()
    return None if row is None else row.expires_at
