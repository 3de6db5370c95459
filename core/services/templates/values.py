"""Values templates render with: the school as every notice names it (:func:`school_values`),
and the sample values of the template editor — the school's own name and letterhead, a
fictional pupil and guardian, plausible values for each kind's own facts.

The editor tries every template with these values in the sandbox before saving it, and its
previews show them. A value the editor knows nothing of (a name a newer shipped template uses)
gets a :class:`Sample`, which renders as its name in brackets, has any field and iterates as
two of itself, so that trying a template never fails for want of an example.
"""

from __future__ import annotations

from core.models import School
from core.rules.merge_fields import Sample

HALF_DAYS = {
    "fr": [
        ("lundi 2 mars 2026", "matin"),
        ("lundi 2 mars 2026", "après-midi"),
        ("jeudi 5 mars 2026", "matin"),
        ("vendredi 6 mars 2026", "après-midi"),
    ],
    "en": [
        ("Monday 2 March 2026", "morning"),
        ("Monday 2 March 2026", "afternoon"),
        ("Thursday 5 March 2026", "morning"),
        ("Friday 6 March 2026", "afternoon"),
    ],
}
WORDS: dict[str, dict[str, object]] = {
    "fr": {
        "day": "lundi 2 mars",
        "start": "8h05",
        "half": "matin",
        "written_on": "2 mars 2026",
        "month_label": "mars 2026",
        "week_label": "2 mars 2026",
        "meeting_day": "mardi 10 mars 2026",
        "meeting_time": "14h30",
        "place": "Bureau de la vie scolaire",
        "with_whom": "Mme Lefèvre, CPE",
        "message": "",
        "events": [
            {"kind": "Absence", "day": "lundi 2 mars", "start": "8h00", "end": "12h00"}
            | {"state": "non justifiée"},
            {"kind": "Retard", "day": "mardi 3 mars", "start": "8h10", "end": ""}
            | {"state": "motif attendu"},
        ],
    },
    "en": {
        "day": "Monday 2 March",
        "start": "08:05",
        "half": "morning",
        "written_on": "2 March 2026",
        "month_label": "March 2026",
        "week_label": "2 March 2026",
        "meeting_day": "Tuesday 10 March 2026",
        "meeting_time": "14:30",
        "place": "School office",
        "with_whom": "Mrs Lefèvre, senior education adviser",
        "message": "",
        "events": [
            {"kind": "Absence", "day": "Monday 2 March", "start": "08:00", "end": "12:00"}
            | {"state": "not justified"},
            {"kind": "Lateness", "day": "Tuesday 3 March", "start": "08:10", "end": ""}
            | {"state": "reason awaited"},
        ],
    },
}
PEOPLE = {
    "fr": {"civility": "Mme", "first_name": "Claire", "last_name": "Martin"},
    "en": {"civility": "Mrs", "first_name": "Claire", "last_name": "Martin"},
}


def school_values(school: School) -> dict[str, str]:
    """The school as templates name it (``school.*``), from its name and letterhead."""
    head = school.letterhead if isinstance(school.letterhead, dict) else {}
    raw = head.get("lines")
    lines = [str(line) for line in raw] if isinstance(raw, list) else []
    town = f"{head.get('postal_code', '')} {head.get('city', '')}".strip()
    return {
        "name": school.name,
        "uai": school.uai,
        "address": ", ".join([*lines, town] if town else lines),
        "city": str(head.get("city", "")),
        "phone": str(head.get("phone", "")),
        "email": str(head.get("email", "")),
        "head_name": str(head.get("head_name", "")),
        "head_title": str(head.get("head_title", "")),
    }


def sample_context(
    school: School, kind: str, language: str, names: frozenset[str] = frozenset()
) -> dict[str, object]:
    """What a template of ``kind`` is tried and previewed with; ``names`` are the variables it
    reads (one unknown here gets a :class:`Sample`)."""
    lang = language if language in WORDS else "fr"
    person = PEOPLE[lang]
    values: dict[str, object] = {
        **WORDS[lang],
        "count": 4,
        "half_days": [{"day": day, "half": half} for day, half in HALF_DAYS[lang]],
    }
    common: dict[str, object] = {
        "school": school_values(school),
        "student": {"first_name": "Camille", "last_name": "Martin"},
        "guardian": {**person, "name": f"{person['civility']} MARTIN {person['first_name']}"},
        "kind": kind,
    }
    unknown = {name: Sample(name) for name in names if name not in values and name not in common}
    return {**values, **unknown, **common}
