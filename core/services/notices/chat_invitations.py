"""Sending a guardian their Telegram code by SMS or email, from the student's file.

Staff are shown a guardian's one-time code (:func:`core.services.access.chat_links.issue_code`)
and may send that very code to the guardian: a notice (kind ``chat_code``, about the file's
student) with one delivery on the channel chosen — SMS to the guardian's usable mobile, or
email — in the guardian's language; its text is the school's ``chat_code`` template (the code,
the deep link ``https://t.me/<bot>?start=<code>``, the code's expiry). It is sent like any
notice: written here with its audit row in one transaction, enqueued by the caller after the
commit, sent by the worker; an SMS waits for the end of the quiet hours.

The code is in the notice's payload, which the worker renders (only its hash is kept
elsewhere): it works once and for 48 h at most. The audit row never holds it.

Refused: a person who is not a guardian of the student in this school (NotFound
``unknown_guardian``), a code that is not a live code of that guardian (Invalid
``unknown_code``: used, expired or mistyped), a channel other than SMS or email (``channel``),
no bot configured (``no_bot``), no usable mobile or email for that guardian (``no_contact``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from core.errors import Invalid, NotFound
from core.i18n import LANGUAGES, N_, words
from core.models import GuardianLink, Notice, NoticeKind, School
from core.rules import notices as rules
from core.services import audit
from core.services.access.chat_links import (
    IssuedCode,
    code_expiry,
    issue_code,
    unlink_guardian_chat,
)
from core.services.audit import Actor
from core.services.delivery.rows import Due, create_delivery, send_time
from core.services.notices.labels import day_label, time_label
from core.services.notices.recipients import guardian_options

KIND = NoticeKind.CHAT_CODE
CHANNELS = rules.KIND_CHANNEL_ORDER[str(KIND)]  # sms, email
EXPIRES = N_("{day} à {time}")  # the code's expiry: "mercredi 9 décembre à 14h30"


@dataclass(frozen=True, slots=True)
class Invitation:
    """The code's notice and its delivery, to enqueue once committed (``due``)."""

    notice: Notice
    delivery_id: int
    channel: str
    to: str
    not_before: datetime
    due: list[Due]


def deep_link(bot_username: str | None, code: str) -> str | None:
    """``https://t.me/<bot>?start=<code>``; None when no bot is configured."""
    name = (bot_username or "").strip().lstrip("@")
    return f"https://t.me/{name}?start={code}" if name else None


def expiry_words(expires_at: datetime, tz: ZoneInfo) -> dict[str, dict[str, str]]:
    """The code's expiry in every language ("mercredi 9 décembre à 14h30")."""
    local = expires_at.astimezone(tz)
    return {
        lang: {
            "expires": words(lang)
            .gettext(EXPIRES)
            .format(day=day_label(local.date(), lang, year=False), time=time_label(local, tz, lang))
        }
        for lang in LANGUAGES
    }


async def _guardian(school: School, student_id: int, person_id: int) -> GuardianLink:
    """The guardian ``person_id`` of the school's student (NotFound ``unknown_guardian``)."""
    guardian = await GuardianLink.get_or_none(
        student_id=student_id, person_id=person_id, student__school_id=school.id
    ).prefetch_related("person")
    if guardian is None:
        raise NotFound("no such guardian of this student", code="unknown_guardian")
    return guardian


async def issue_for_guardian(
    school: School, actor: Actor, student_id: int, person_id: int, *, now: datetime
) -> IssuedCode:
    """A new code for a guardian of the student, from the student's file (audited)."""
    await _guardian(school, student_id, person_id)
    return await issue_code(school, actor, person_id, now=now)


async def end_guardian_chat(
    school: School, actor: Actor, student_id: int, person_id: int, link_id: int, *, now: datetime
) -> None:
    """Staff end a chat link of a guardian of the student (NotFound, Conflict ``ended``)."""
    await _guardian(school, student_id, person_id)
    await unlink_guardian_chat(school, actor, person_id, link_id, now=now)


async def send_chat_code(
    school: School,
    actor: Actor,
    student_id: int,
    person_id: int,
    channel: str,
    code: str,
    *,
    bot_username: str | None,
    now: datetime,
) -> Invitation:
    """Send ``code`` to the guardian ``person_id`` of the student by ``channel`` (see the
    module's docstring for what is refused); one transaction with its audit row."""
    if channel not in CHANNELS:
        raise Invalid("a code is sent by SMS or email", code="channel")
    guardian = await _guardian(school, student_id, person_id)
    link = deep_link(bot_username, code)
    if link is None:
        raise Invalid("no Telegram bot is configured", code="no_bot")
    expires = await code_expiry(person_id, code, now=now)
    if expires is None:
        raise Invalid("this code is used, expired or unknown: issue another", code="unknown_code")
    options, _ = await guardian_options(student_id, person_id)
    plan = rules.channel_plan(options[0], (channel,))
    if not plan:
        raise Invalid(f"this guardian has no usable contact for {channel}", code="no_contact")
    tz = ZoneInfo(school.timezone)
    payload: dict[str, object] = {
        "code": code,
        "link": link,
        "expires_at": expires.isoformat(),
        "localized": expiry_words(expires, tz),
    }
    async with in_transaction():
        notice = await Notice.create(
            school_id=school.id,
            student_id=student_id,
            kind=KIND,
            dedupe_key=f"chat_code:{person_id}:{uuid.uuid4().hex}",
            payload=payload,
        )
        due = await create_delivery(
            notice,
            plan[0],
            language=guardian.person.language,
            not_before=send_time(school, channel, now, 0),
            source="staff",
            at=now,
        )
        after = {  # never the code
            "person_id": person_id,
            "student_id": student_id,
            "channel": channel,
            "to": plan[0].to,
            "delivery_id": due.delivery_id,
            "expires_at": expires.isoformat(),
        }
        await audit.record(actor, "chat_code.send", notice, school_id=school.id, after=after)
    return Invitation(notice, due.delivery_id, channel, plan[0].to, due.not_before, [due])
