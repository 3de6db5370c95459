"""Words that dated notices carry in their payload, in every language templates exist in.

A notice about a month, a week or a meeting keeps its facts as labels ("lundi 2 mars 2026",
"matin", "14h30") under ``payload["localized"][language]``; the renderer gives a delivery the
labels of its language (see ``core/services/templates/messages.py``). The words are French
messages of the gettext catalogs (``core/locales``); day and month names are Babel's (CLDR).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.i18n import N_, words

KINDS = {
    "absence": N_("Absence"),
    "lateness": N_("Retard"),
    "early_departure": N_("Départ anticipé"),
    "left_class": N_("Sortie de cours"),
    "infirmary": N_("Infirmerie"),
    "exemption": N_("Dispense"),
    "exclusion": N_("Exclusion de cours"),
}
STATES = {
    "justified": N_("justifiée"),
    "unjustified": N_("non justifiée"),
    "reason_awaited": N_("motif attendu"),
    "under_review": N_("motif en cours d'examen"),
}
HALVES = {"am": N_("matin"), "pm": N_("après-midi")}

# Babel date patterns (CLDR): the same in every language Absences speaks
DAY = "EEEE d MMMM y"  # lundi 2 mars 2026
DAY_NO_YEAR = "EEEE d MMMM"  # lundi 2 mars
DATE = "d MMMM y"  # 2 mars 2026
MONTH = "LLLL y"  # mars 2026


def day_label(day: date, language: str, *, year: bool = True) -> str:
    """ "lundi 2 mars 2026" / "Monday 2 March 2026"."""
    return words(language).format_date(day, DAY if year else DAY_NO_YEAR)


def date_label(day: date, language: str) -> str:
    """ "2 mars 2026" / "2 March 2026": the date a letter is written on."""
    return words(language).format_date(day, DATE)


def month_year(day: date, language: str) -> str:
    """The month of ``day`` in words: "mars 2026" / "March 2026"."""
    return words(language).format_date(day, MONTH)


def half_label(half: str, language: str) -> str:
    return words(language).gettext(HALVES[half])


def time_label(moment: datetime, tz: ZoneInfo, language: str) -> str:
    """ "14h30" in French, "14:30" in English, in the school's time zone."""
    said = words(language)
    # Translators: a Babel time pattern (CLDR): "H'h'mm" says 8h05, "HH:mm" says 08:05
    return said.format_datetime(moment.astimezone(tz), said.pgettext("time", "H'h'mm"))


def kind_label(kind: str, language: str) -> str:
    return words(language).gettext(KINDS[kind]) if kind in KINDS else kind


def state_label(state: str, language: str) -> str:
    return words(language).gettext(STATES[state])
