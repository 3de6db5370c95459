"""Convoking a student's family to a meeting: a notice written by staff, sent at once.

The notice (kind ``convocation``, one per student and meeting time) goes to the guardians the
notice rules choose, on the first channel of each one's plan in the school's order, without
the send-after delay but never by SMS or call in the quiet hours (a meeting is not urgent).
Its payload holds the meeting (time, place, with whom, message) and its labels in every
language; see ``templates/messages/convocation/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid
from core.i18n import LANGUAGES, words
from core.models import Notice, School
from core.queries.records import school_student
from core.rules import dated_notices as dated
from core.services import audit
from core.services.audit import Actor
from core.services.delivery.rows import Due
from core.services.events.actions import default_action_type, record_action
from core.services.notices.absence import first_deliveries
from core.services.notices.labels import date_label, day_label, time_label

MAX_PLACE = 200
MAX_WITH = 200
MAX_MESSAGE = 2000
MAX_AHEAD = timedelta(days=366)
ALREADY = "this family is already convoked at that time"
ACTION_CODE = "CONVOCATION"


@dataclass(frozen=True, slots=True)
class Convocation:
    """The notice written and its deliveries, to enqueue once committed."""

    notice: Notice
    due: list[Due]


def _text(value: str, name: str, limit: int, *, required: bool) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise Invalid(f"{name} is required", code="required")
    if len(cleaned) > limit:
        raise Invalid(f"{name} has at most {limit} characters", code="too_long")
    return cleaned


def _check_time(meeting_at: datetime, now: datetime) -> None:
    if meeting_at.tzinfo is None or meeting_at.utcoffset() is None:
        raise Invalid("meeting_at must carry its time zone", code="meeting_time")
    if meeting_at <= now:
        raise Invalid("meeting_at must be in the future", code="meeting_past")
    if meeting_at > now + MAX_AHEAD:
        raise Invalid("meeting_at must be within a year", code="meeting_far")


def convocation_payload(
    meeting_at: datetime, tz: ZoneInfo, place: str, with_whom: str, message: str, now: datetime
) -> dict[str, object]:
    """The meeting as templates name it: ``place``, ``with_whom``, ``message``, and in the
    delivery's language ``meeting_day`` ("mardi 10 mars 2026"), ``meeting_time`` ("14h30")
    and ``written_on`` ("2 mars 2026")."""
    local = meeting_at.astimezone(tz)
    today = now.astimezone(tz).date()
    return {
        "meeting_at": local.isoformat(),
        "place": place,
        "with_whom": with_whom,
        "message": message,
        "localized": {
            lang: {
                "written_on": date_label(today, lang),
                "meeting_day": day_label(local.date(), lang),
                "meeting_time": time_label(local, tz, lang),
            }
            for lang in LANGUAGES
        },
    }


def _action_comment(payload: dict[str, object]) -> str:
    localized = payload["localized"]
    assert isinstance(localized, dict)
    labels = localized["fr"]  # the action's comment is in French, as the staff's records
    return (
        words("fr")
        .gettext("Convocation le {day} à {time}, {place}, avec {with_whom}")
        .format(
            day=labels["meeting_day"],
            time=labels["meeting_time"],
            place=payload["place"],
            with_whom=payload["with_whom"],
        )
    )


async def convoke_family(
    school: School,
    actor: Actor,
    student_id: int,
    *,
    meeting_at: datetime,
    place: str,
    with_whom: str,
    message: str = "",
    now: datetime,
) -> Convocation:
    """Convoke the family of one of the school's students, in one transaction with its audit
    row and the action it records (``CONVOCATION``). Raises NotFound for another school's
    student, Invalid for a meeting in the past or more than a year ahead, an empty place or
    person, or a family nobody can reach (nothing is written then), Conflict when the family is
    already convoked at that time."""
    _check_time(meeting_at, now)
    place = _text(place, "place", MAX_PLACE, required=True)
    with_whom = _text(with_whom, "with_whom", MAX_WITH, required=True)
    message = _text(message, "message", MAX_MESSAGE, required=False)
    student = await school_student(school, student_id)
    key = dated.convocation_key(student.id, meeting_at)
    tz = ZoneInfo(school.timezone)
    payload = convocation_payload(meeting_at, tz, place, with_whom, message, now)
    if await Notice.exists(dedupe_key=key):
        raise Conflict(ALREADY, code="convoked")
    kind = await default_action_type(school, ACTION_CODE, actor)
    try:
        async with in_transaction():
            notice = await Notice.create(
                school_id=school.id,
                student_id=student.id,
                kind=dated.CONVOCATION,
                dedupe_key=key,
                payload=payload,
            )
            due = await first_deliveries(notice, school, now=now, base=now, delay_minutes=0)
            if not due:
                raise Invalid("no guardian of this student can be reached", code="unreachable")
            await audit.record(
                actor, "notice.convoke", notice, school_id=school.id, after=audit.snapshot(notice)
            )
            if kind.active:  # a school may have deactivated the type
                comment = _action_comment(payload)
                await record_action(school, actor, student.id, ACTION_CODE, now, comment=comment)
    except IntegrityError:
        raise Conflict(ALREADY, code="convoked") from None
    return Convocation(notice, due)
