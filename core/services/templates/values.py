"""Values templates render with: the school as every notice names it (:func:`school_values`),
and the sample values of the template editor — the school's own name and letterhead, a
fictional pupil and guardian, plausible values for each kind's own facts.

The editor tries every template with these values in the sandbox before saving it, and its
previews show them. A value the editor knows nothing of (a name a newer shipped template uses)
gets a :class:`Sample`, which renders as its name in brackets, has any field and iterates as
two of itself, so that trying a template never fails for want of an example.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import segno

from core.i18n import supported, words
from core.models import School
from core.rules.merge_fields import Sample
from core.services.notices import labels
from core.services.notices.chat_invitations import expiry_words
from core.siecle.phones import printed_phone

SAMPLE_DAY = date(2026, 3, 2)  # a Monday: the samples' days are in its week and the next
HALF_DAYS = ((0, "am"), (0, "pm"), (3, "am"), (4, "pm"))  # (days after SAMPLE_DAY, half)


def _day(after: int) -> date:
    return SAMPLE_DAY + timedelta(days=after)


def _time(after: int, hour: int, minute: int, language: str) -> str:
    utc = ZoneInfo("UTC")
    return labels.time_label(datetime.combine(_day(after), time(hour, minute), utc), utc, language)


def _event(
    kind: str,
    after: int,
    start: tuple[int, int],
    end: tuple[int, int] | None,
    state: str,
    language: str,
) -> dict[str, str]:
    return {
        "kind": labels.kind_label(kind, language),
        "day": labels.day_label(_day(after), language, year=False),
        "start": _time(after, *start, language),
        "end": "" if end is None else _time(after, *end, language),
        "state": labels.state_label(state, language),
    }


SAMPLE_ZONE = ZoneInfo("Europe/Paris")
SAMPLE_BOT = "college_absences_bot"
SAMPLE_CODE = "K7QM2XHPRA"


def _chat_code(language: str) -> dict[str, object]:
    """A guardian's Telegram code, its link and QR code (a PNG data URI), its expiry."""
    link = f"https://t.me/{SAMPLE_BOT}?start={SAMPLE_CODE}"
    expires = datetime.combine(_day(2), time(23, 59), tzinfo=SAMPLE_ZONE)
    return {
        "code": SAMPLE_CODE,
        "link": link,
        "qr": segno.make(link, error="m").png_data_uri(scale=6, border=2),
        "expires": expiry_words(expires, SAMPLE_ZONE)[language]["expires"],
    }


def _samples(language: str) -> dict[str, object]:
    """The sample facts of every kind, in ``language``."""
    said = words(language)
    return {
        "day": labels.day_label(SAMPLE_DAY, language, year=False),
        "start": _time(0, 8, 5, language),
        "half": labels.half_label("am", language),
        "past": False,
        "dateline": labels.date_label(SAMPLE_DAY, language),
        "written_on": labels.date_label(SAMPLE_DAY, language),
        "month_label": labels.month_year(SAMPLE_DAY, language),
        "week_label": labels.date_label(SAMPLE_DAY, language),
        "meeting_day": labels.day_label(_day(8), language),
        "meeting_time": _time(8, 14, 30, language),
        "place": said.gettext("Bureau de la vie scolaire"),
        "with_whom": said.gettext("Mme Lefèvre, CPE"),
        "message": "",
        "events": [
            _event("absence", 0, (8, 0), (12, 0), "unjustified", language),
            _event("lateness", 1, (8, 10), None, "reason_awaited", language),
        ],
        "count": 4,
        **_chat_code(language),
        "half_days": [
            {
                "day": labels.day_label(_day(after), language),
                "half": labels.half_label(half, language),
            }
            for after, half in HALF_DAYS
        ],
    }


def school_values(school: School) -> dict[str, str]:
    """The school as templates name it (``school.*``), from its name and letterhead."""
    head = school.letterhead if isinstance(school.letterhead, dict) else {}
    raw = head.get("lines")
    lines = [str(line) for line in raw] if isinstance(raw, list) else []
    town = f"{head.get('postal_code', '')} {head.get('city', '')}".strip()
    phone = str(head.get("phone", "") or "")
    return {
        "name": school.name,
        "uai": school.uai,
        "address": ", ".join([*lines, town] if town else lines),
        "city": str(head.get("city", "")),
        "phone": printed_phone(phone) if phone else "",
        "email": str(head.get("email", "")),
        "head_name": str(head.get("head_name", "")),
        "head_title": str(head.get("head_title", "")),
        "signatory_name": str(head.get("signatory_name", "") or ""),
        "signatory_title": str(head.get("signatory_title", "") or ""),
    }


def dateline(school: School, written_on: str, language: str) -> str:
    """Where and when a letter is written, as it heads it: "À Lyon, le 2 mars 2026"."""
    city = school_values(school)["city"].strip()
    said = words(language)
    if not city:
        return said.gettext("Le {date}").format(date=written_on)
    city = city.title() if city.isupper() else city  # SIECLE writes towns in capitals
    return said.gettext("À {city}, le {date}").format(city=city, date=written_on)


def sample_guardian(language: str) -> dict[str, str]:
    """The fictional guardian of the samples: Mme Claire Martin ("Mme MARTIN Claire")."""
    # Translators: a civility before a name (Mme Martin)
    civility = words(language).gettext("Mme")
    name = f"{civility} MARTIN Claire"
    return {"civility": civility, "first_name": "Claire", "last_name": "Martin", "name": name}


def sample_context(
    school: School, kind: str, language: str, names: frozenset[str] = frozenset()
) -> dict[str, object]:
    """What a template of ``kind`` is tried and previewed with; ``names`` are the variables it
    reads (one unknown here gets a :class:`Sample`). A language Absences has no words in
    (Spanish…) gets the French labels, as its notices do."""
    values = _samples(supported(language))
    common: dict[str, object] = {
        "school": school_values(school),
        "student": {"first_name": "Camille", "last_name": "Martin"},
        "guardian": sample_guardian(language),
        "kind": kind,
    }
    unknown = {name: Sample(name) for name in names if name not in values and name not in common}
    return {**values, **unknown, **common}
