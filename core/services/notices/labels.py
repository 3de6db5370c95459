"""Words that dated notices carry in their payload, in every language templates exist in.

A notice about a month, a week or a meeting keeps its facts as labels ("lundi 2 mars 2026",
"matin", "14h30") under ``payload["localized"][language]``; the renderer gives a delivery the
labels of its language (see ``core/services/templates/messages.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.services.templates.messages import DAYS, DEFAULT_LANGUAGE, HALVES, MONTHS

LANGUAGES: tuple[str, ...] = tuple(DAYS)

KINDS = {
    "fr": {
        "absence": "Absence",
        "lateness": "Retard",
        "early_departure": "Départ anticipé",
        "left_class": "Sortie de cours",
        "infirmary": "Infirmerie",
        "exemption": "Dispense",
        "exclusion": "Exclusion de cours",
    },
    "en": {
        "absence": "Absence",
        "lateness": "Lateness",
        "early_departure": "Early departure",
        "left_class": "Left class",
        "infirmary": "Infirmary",
        "exemption": "Exemption",
        "exclusion": "Exclusion from class",
    },
}
STATES = {
    "fr": {
        "justified": "justifiée",
        "unjustified": "non justifiée",
        "reason_awaited": "motif attendu",
        "under_review": "motif en cours d'examen",
    },
    "en": {
        "justified": "justified",
        "unjustified": "not justified",
        "reason_awaited": "reason awaited",
        "under_review": "reason under review",
    },
}


def _lang(language: str) -> str:
    return language if language in DAYS else DEFAULT_LANGUAGE


def month_name(month: int, language: str) -> str:
    return MONTHS[_lang(language)].split()[month - 1]


def day_label(day: date, language: str, *, year: bool = True) -> str:
    """ "lundi 2 mars 2026" / "Monday 2 March 2026"."""
    lang = _lang(language)
    text = f"{DAYS[lang][day.weekday()]} {day.day} {month_name(day.month, lang)}"
    return f"{text} {day.year}" if year else text


def date_label(day: date, language: str) -> str:
    """ "2 mars 2026" / "2 March 2026": the date a letter is written on."""
    return f"{day.day} {month_name(day.month, language)} {day.year}"


def half_label(half: str, language: str) -> str:
    return HALVES[_lang(language)][half]


def month_label(year: int, month: int, language: str) -> str:
    """ "mars 2026" / "March 2026"."""
    return f"{month_name(month, language)} {year}"


def time_label(moment: datetime, tz: ZoneInfo, language: str) -> str:
    """ "14h30" in French, "14:30" in English, in the school's time zone."""
    local = moment.astimezone(tz)
    return f"{local.hour}h{local.minute:02d}" if _lang(language) == "fr" else f"{local:%H:%M}"


def kind_label(kind: str, language: str) -> str:
    return KINDS[_lang(language)].get(kind, kind)


def state_label(state: str, language: str) -> str:
    return STATES[_lang(language)][state]
