"""The text of a delivery: the school's template for (kind, channel, language), else the default
one in ``templates/messages/<kind>/<channel>.<lang>.txt``, rendered with the notice's facts.

A default template may start with a ``Subject: …`` line (emails), then a blank line. Variables:
``school`` (name, uai), ``student`` (first_name, last_name), ``guardian`` (civility,
first_name, last_name, name), ``day`` ("lundi 2 mars"), ``start`` ("8h05"), ``half``
("matin"), ``kind``.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from core.models import ContactPoint, Delivery, MessageTemplate, Notice, Person, School, Student
from core.rules.calendar import Half
from core.services.notices import notice_half_day
from core.services.ports import Message, Renderer

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "messages"
DEFAULT_LANGUAGE = "fr"

DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}
HALVES = {"fr": {"am": "matin", "pm": "après-midi"}, "en": {"am": "morning", "pm": "afternoon"}}


@lru_cache(maxsize=128)
def default_template(kind: str, channel: str, language: str) -> tuple[str, str] | None:
    """(subject, body) of the shipped template, or None when there is none."""
    path = TEMPLATES / kind / f"{channel}.{language}.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    if first.startswith("Subject:"):
        return first.removeprefix("Subject:").strip(), rest.lstrip("\n")
    return "", text


async def find_template(
    school: School, kind: str, channel: str, language: str
) -> tuple[str, str] | None:
    """The school's own template, else the default one; in the guardian's language, else the
    school's, else French."""
    languages = list(dict.fromkeys((language, school.language, DEFAULT_LANGUAGE)))
    own = {
        t.language: t
        for t in await MessageTemplate.filter(
            school_id=school.id, kind=kind, channel=channel, language__in=languages
        )
    }
    for lang in languages:
        if lang in own:
            return own[lang].subject, own[lang].body
        shipped = default_template(kind, channel, lang)
        if shipped is not None:
            return shipped
    return None


def _when(notice: Notice, start: datetime | None, tz: ZoneInfo, language: str) -> dict[str, str]:
    lang = language if language in DAYS else DEFAULT_LANGUAGE
    if "day" not in notice.payload or "half" not in notice.payload:
        return {"day": "", "start": "", "half": ""}  # a notice about a month, a week, a meeting
    key = notice_half_day(notice)
    day = f"{DAYS[lang][key.day.weekday()]} {key.day.day} {MONTHS[lang].split()[key.day.month - 1]}"
    shown = ""
    if start is not None:
        local = start.astimezone(tz)
        shown = f"{local.hour}h{local.minute:02d}" if lang == "fr" else f"{local:%H:%M}"
    return {"day": day, "start": shown, "half": HALVES[lang][Half(key.half).value]}


RESERVED = frozenset({"school", "student", "guardian", "kind", "day", "start", "half"})


def _payload_values(notice: Notice) -> dict[str, object]:
    """The notice's own facts (a month's half-days, a convocation's date…) as template
    variables: plain JSON from its payload, never overriding the common ones."""
    return {k: v for k, v in notice.payload.items() if k not in RESERVED and k.isidentifier()}


def context(
    notice: Notice, school: School, student: Student, person: Person | None, language: str
) -> dict[str, object]:
    """What a template may name (plain values: the sandbox sees no model)."""
    start = notice.event.starts_at if notice.event is not None else None
    guardian = {"civility": "", "first_name": "", "last_name": "", "name": ""}
    if person is not None:
        guardian = {
            "civility": person.civility,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "name": person.display_name,
        }
    return {
        **_payload_values(notice),
        "school": {"name": school.name, "uai": school.uai},
        "student": {"first_name": student.first_name, "last_name": student.last_name},
        "guardian": guardian,
        "kind": str(notice.kind),
        **_when(notice, start, ZoneInfo(school.timezone), language),
    }


def _address(contact: ContactPoint | None, person: Person | None) -> str:
    """The letter's address block: the name, the lines, then postcode and town in capitals."""
    lines = [person.display_name] if person is not None else []
    address = contact.address if contact is not None and contact.address else {}
    raw_lines = address.get("lines")
    lines += [str(line) for line in raw_lines] if isinstance(raw_lines, list) else []
    town = f"{address.get('postal_code', '')} {str(address.get('city', '')).upper()}".strip()
    if town:
        lines.append(town)
    elif contact is not None and not raw_lines:
        lines.append(contact.value)
    return "\n".join(lines)


async def compose(delivery: Delivery, notice: Notice, render: Renderer) -> Message:
    """The delivery's message; raises ``RenderFailed`` (from ``render``) or LookupError when
    no template exists for its kind and channel."""
    school, student, person = notice.school, notice.student, delivery.person
    found = await find_template(school, str(notice.kind), str(delivery.channel), delivery.language)
    if found is None:
        raise LookupError(f"no template for {notice.kind} by {delivery.channel}")
    subject, body = found
    values = context(notice, school, student, person, delivery.language)
    extra: dict[str, str] = {}
    if delivery.channel == "letter":
        extra = {"address": _address(delivery.contact, person), "letterhead": school.name}
    return Message(
        delivery_uuid=str(delivery.uuid),
        channel=str(delivery.channel),
        to=delivery.to,
        body=render(body, values).strip(),
        subject=render(subject, values).strip() if subject else "",
        language=delivery.language,
        extra=extra,
    )
