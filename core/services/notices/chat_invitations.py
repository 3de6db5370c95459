"""Sending a guardian their Telegram code by SMS, email or letter, from the student's file.

Staff are shown a guardian's one-time code (:func:`core.services.access.chat_links.issue_code`)
and may send that very code to the guardian, by SMS to their usable mobile or by email; or
send a letter with a new code valid :data:`LETTER_LIFETIME` (the post takes days). Each is a
notice (kind ``chat_code``, about the file's student) with one delivery on that channel, in the
guardian's language; its text is the school's ``chat_code`` template (the code, the deep link
``https://t.me/<bot>?start=<code>``, the code's expiry; a letter also prints the link's QR
code). It is sent like any notice: written here with its audit row in one transaction,
enqueued by the caller after the commit, sent by the worker (a letter joins the day's letters
to print); an SMS waits for the end of the quiet hours.

The code is in the notice's payload, which the worker renders (only its hash is kept
elsewhere): it works once and expires. The audit rows never hold it.

Refused: a person who is not a guardian of the student in this school (NotFound
``unknown_guardian``), a code that is not a live code of that guardian (Invalid
``unknown_code``: used, expired or mistyped), a channel other than SMS, email or letter
(``channel``), no bot configured (``no_bot``), no usable contact on that channel for that
guardian (``no_contact``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import segno
from tortoise.transactions import in_transaction

from core.errors import Invalid, NotFound
from core.i18n import LANGUAGES, N_, words
from core.models import GuardianLink, Notice, NoticeKind, School
from core.rules import notices as rules
from core.services import audit
from core.services.access.chat_links import (
    CODE_LIFETIME,
    IssuedCode,
    code_expiry,
    issue_code,
    unlink_guardian_chat,
)
from core.services.audit import Actor
from core.services.delivery.rows import Due, create_delivery, send_time
from core.services.notices.labels import date_label, day_label, time_label
from core.services.notices.recipients import guardian_options

KIND = NoticeKind.CHAT_CODE
CHANNELS = rules.KIND_CHANNEL_ORDER[str(KIND)]  # sms, email, letter
LETTER_LIFETIME = timedelta(days=15)  # a code sent by post: the letter is printed, posted, read
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
    code: str | None,
    *,
    bot_username: str | None,
    now: datetime,
) -> Invitation:
    """Send ``code`` to the guardian ``person_id`` of the student by ``channel``; ``code``
    None: a new code, valid :data:`LETTER_LIFETIME` by letter (the post takes days), else the
    usual 48 h (see the module's docstring for what is refused); one transaction with its
    audit row."""
    if channel not in CHANNELS:
        raise Invalid("a code is sent by SMS, email or letter", code="channel")
    guardian = await _guardian(school, student_id, person_id)
    if deep_link(bot_username, "") is None:
        raise Invalid("no Telegram bot is configured", code="no_bot")
    expires = None if code is None else await code_expiry(person_id, code, now=now)
    if code is not None and expires is None:
        raise Invalid("this code is used, expired or unknown: issue another", code="unknown_code")
    options, _ = await guardian_options(student_id, person_id)
    plan = rules.channel_plan(options[0], (channel,))
    if not plan:
        raise Invalid(f"this guardian has no usable contact for {channel}", code="no_contact")
    async with in_transaction():
        if code is None or expires is None:
            lifetime = _letter_lifetime(school, now) if channel == "letter" else CODE_LIFETIME
            issued = await issue_code(school, actor, person_id, now=now, lifetime=lifetime)
            code, expires = issued.code, issued.expires_at
        notice = await Notice.create(
            school_id=school.id,
            student_id=student_id,
            kind=KIND,
            dedupe_key=f"chat_code:{person_id}:{uuid.uuid4().hex}",
            payload=_payload(school, channel, code, bot_username, expires, now),
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


def _letter_lifetime(school: School, now: datetime) -> timedelta:
    """A letter's code lasts :data:`LETTER_LIFETIME`, to the end of that day (school's zone):
    the letter says "jusqu'au mardi 22 décembre à 23h59", not a time in the night."""
    tz = ZoneInfo(school.timezone)
    last = (now + LETTER_LIFETIME).astimezone(tz).replace(hour=23, minute=59, second=0)
    return last - now


def _payload(
    school: School,
    channel: str,
    code: str,
    bot_username: str | None,
    expires: datetime,
    now: datetime,
) -> dict[str, object]:
    """What the templates name: the code, the link, its expiry and the letter's date in
    every language, and for a letter the link's QR code (a PNG data URI: letters show no
    other images)."""
    link = deep_link(bot_username, code)
    assert link is not None  # the bot is configured: checked before
    tz = ZoneInfo(school.timezone)
    localized = expiry_words(expires, tz)
    for lang, values in localized.items():
        values["written_on"] = date_label(now.astimezone(tz).date(), lang)
    payload: dict[str, object] = {
        "code": code,
        "link": link,
        "expires_at": expires.isoformat(),
        "localized": localized,
    }
    if channel == "letter":
        payload["qr"] = segno.make(link, error="m").png_data_uri(scale=6, border=2)
    return payload
