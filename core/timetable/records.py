"""What the two timetable files say, as plain records (see :mod:`core.timetable.parse`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time


@dataclass(frozen=True, slots=True)
class Subject:
    """NOMENCLATURES/MATIERES/MATIERE: its code (``020700``), management code and labels."""

    code: str
    management_code: str
    short_label: str
    long_label: str

    @property
    def label(self) -> str:
        """The label staff read: the long one, in the case a person writes it."""
        text = self.long_label or self.short_label or self.code
        return text[:1] + text[1:].lower() if text.isupper() else text


@dataclass(frozen=True, slots=True)
class Staff:
    """DONNEES/INDIVIDUS/INDIVIDU: a member of staff and their function (``ENS``: teacher)."""

    sts_id: str
    last_name: str
    first_name: str
    function: str

    @property
    def teaches(self) -> bool:
        return self.function == "ENS"

    @property
    def name(self) -> str:
        """As the panel and the API name a teacher: « Prénom NOM »."""
        return f"{self.first_name} {self.last_name.upper()}".strip()


@dataclass(frozen=True, slots=True)
class WeekPattern:
    """DONNEES/ALTERNANCES/ALTERNANCE: the Mondays of the weeks it runs (every week, week A…)."""

    code: str
    short_label: str
    long_label: str
    mondays: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """STRUCTURE/GROUPES/GROUPE: a teaching group and the divisions its pupils come from."""

    code: str
    divisions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Course:
    """One weekly lesson of the timetable: a division's (or a group's), a subject, a teacher,
    ``weekday`` 1 = Monday, its start and length, its room and its week pattern."""

    division: str | None
    group: str | None
    subject: str
    teacher: str
    weekday: int
    start: time
    minutes: int
    room: str
    pattern: str

    @property
    def end(self) -> time:
        total = self.start.hour * 60 + self.start.minute + self.minutes
        return time(min(total // 60, 23), total % 60 if total < 24 * 60 else 59)


@dataclass(slots=True)
class TimetableExport:
    """Both files of one school and year, or either alone (``files`` names what was read)."""

    uai: str
    school_year: int
    subjects: dict[str, Subject] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    services: set[tuple[str, str, str]] = field(default_factory=set)  # (structure, subject, id)
    patterns: dict[str, WeekPattern] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    courses: list[Course] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # root element → file name

    @property
    def teachers(self) -> dict[str, Staff]:
        return {key: person for key, person in self.staff.items() if person.teaches}
