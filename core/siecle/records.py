"""What the SIECLE files say, as frozen plain values (no database, no normalisation yet)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class StudentRecord:
    """An ELEVE with their STRUCTURES_ELEVE: division (TYPE D) and groups (TYPE G)."""

    siecle_id: str
    elenoet: str | None
    ine: str | None
    last_name: str
    usual_name: str | None
    first_name: str
    birth_date: date | None
    sex: str | None  # M / F
    mef_code: str | None
    regime: str | None
    entered_on: date | None
    left_on: date | None  # DATE_SORTIE: set means the student has left
    email: str | None
    mobile: str | None  # as written in the file
    division: str | None = None
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A PERSONNE: a guardian or a contact; phones as written in the file."""

    siecle_id: str
    civility: str
    last_name: str
    first_name: str
    mobile: str | None  # TEL_PORTABLE
    home_phone: str | None  # TEL_PERSONNEL
    work_phone: str | None  # TEL_PROFESSIONNEL
    accepts_sms: bool  # ACCEPTE_SMS
    email: str | None
    address_id: str | None


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A RESPONSABLE_ELEVE: level 1 legal representative, 2 in charge, 3 contact."""

    student_id: str
    person_id: str
    level: int
    relationship: str  # CODE_PARENTE
    pays_fees: bool
    order: int  # position in the file, for the ordering of domain.md §5


@dataclass(frozen=True, slots=True)
class AddressRecord:
    """An ADRESSE (persons may share one)."""

    lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str

    def as_json(self) -> dict[str, object]:
        """The shape stored in ContactPoint.address and letterheads."""
        return {
            "lines": list(self.lines),
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country,
        }


@dataclass(frozen=True, slots=True)
class DivisionRecord:
    code: str
    label: str
    mef_code: str | None


@dataclass(frozen=True, slots=True)
class GroupRecord:
    code: str
    label: str
    divisions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MefRecord:
    code: str
    label: str
    short_label: str


@dataclass(frozen=True, slots=True)
class YearDates:
    """Communs' ANNEE_SCOLAIRE: the students' first and last day."""

    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class Letterhead:
    """Communs' UAJ block: the school's name, address and head, for letters."""

    name: str
    address: AddressRecord
    phone: str
    email: str
    head_name: str
    head_title: str

    def as_json(self) -> dict[str, object]:
        """The shape of School.letterhead (the demo writes the same keys)."""
        return {
            "name": self.name,
            **self.address.as_json(),
            "phone": self.phone,
            "email": self.email,
            "head_name": self.head_name,
            "head_title": self.head_title,
        }


@dataclass(frozen=True, slots=True)
class SiecleExport:
    """One school's export: every file given, merged, checked to be of one UAJ and one year."""

    uai: str
    school_year: int  # 2025 for 2025-26
    exported_on: date
    students: tuple[StudentRecord, ...] = ()
    persons: tuple[PersonRecord, ...] = ()
    links: tuple[LinkRecord, ...] = ()
    addresses: Mapping[str, AddressRecord] = field(default_factory=dict)
    divisions: tuple[DivisionRecord, ...] = ()
    groups: tuple[GroupRecord, ...] = ()
    mefs: tuple[MefRecord, ...] = ()
    letterhead: Letterhead | None = None
    year_dates: YearDates | None = None
    files: Mapping[str, str] = field(default_factory=dict)  # root element → file name

    def has(self, root: str) -> bool:
        """Whether a file of that kind (root element, e.g. BEE_RESPONSABLES) was given."""
        return root in self.files

    def file_name(self, root: str = "BEE_ELEVES") -> str:
        """The name of the file of that kind, else of any file, for error messages."""
        return self.files.get(root) or next(iter(self.files.values()), "SIECLE export")
