"""Reading the two XML files of a school's timetable, by element name (never by position):

* ``sts_emp_<UAI>_<YEAR>.xml`` from STS-Web, root ``STS_EDT``: the school and year as
  attributes (``PARAMETRES/UAJ[@CODE]``, ``ANNEE_SCOLAIRE[@ANNEE]``), the subjects, the staff
  with their function, the teachers' services per division and group;
* ``emp_sts_<UAI>_<YEAR>.xml`` from the timetable software (EDT, UDT), root ``EDT_STS``: the
  school and year as text, the week patterns with their Mondays, and under each teacher of each
  service the lessons (``COURS``: pattern, day 1 = Monday, start and length ``hhmm``, room); a
  group names the divisions its pupils come from.

Both are ISO-8859-1 or -15 and read in the encoding they declare, with DTDs and entities
refused (:func:`core.siecle.xmlsafe.read_root`). Either may come alone, in a folder or a zip;
two files must agree on the school and the year.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, time
from pathlib import Path
from xml.etree.ElementTree import Element

from core.errors import Invalid
from core.siecle.errors import SiecleError
from core.siecle.files import Limits, path_blobs, unzip
from core.siecle.xmlsafe import UAI, read_root, text
from core.timetable.records import Course, Group, Staff, Subject, TimetableExport, WeekPattern

STS_ROOT, EDT_ROOT = "STS_EDT", "EDT_STS"
ZIP_MAGIC = b"PK\x03\x04"
STRUCTURES = (("DIVISIONS/DIVISION", "division"), ("GROUPES/GROUPE", "group"))


class TimetableError(Invalid):
    """A timetable file refused, one line naming the file (English, for logs and scripts)."""

    code = "timetable"


def read_timetable(
    blobs: Iterable[tuple[str, bytes]], *, limits: Limits | None = None
) -> TimetableExport:
    """One timetable from (file name, content) pairs: the two files, either alone, or a zip
    holding them; raises :class:`TimetableError`, with nothing read, for a file that is not one
    of them or files of two schools or years."""
    limits = limits or Limits()
    parts: list[TimetableExport] = []
    try:
        for name, data in blobs:
            members = unzip(name, data, limits) if data.startswith(ZIP_MAGIC) else [(name, data)]
            for member, content in members:
                root = read_root(content, member, max_bytes=limits.max_bytes, roots=ROOTS)
                parts.append(_sts(root, member) if root.tag == STS_ROOT else _edt(root, member))
    except SiecleError as error:  # the safe reader's refusals (size, XML, DTD, root, zip)
        raise TimetableError(error.message, code="timetable") from None
    if not parts:
        raise TimetableError("no timetable file given (sts_emp, emp_sts)", code="timetable")
    return _merged(parts)


ROOTS = (STS_ROOT, EDT_ROOT)


def load_timetable(paths: Sequence[Path | str], *, limits: Limits | None = None) -> TimetableExport:
    """The same from paths: the two files, either alone, a folder holding them, or a zip."""
    limits = limits or Limits()
    try:
        blobs = list(path_blobs([Path(p) for p in paths], limits))
    except SiecleError as error:  # a missing path, an empty folder, a file too big
        raise TimetableError(error.message, code="timetable") from None
    return read_timetable(blobs, limits=limits)


def _merged(parts: list[TimetableExport]) -> TimetableExport:
    whole = parts[0]
    for part in parts[1:]:
        if (part.uai, part.school_year) != (whole.uai, whole.school_year):
            names = ", ".join([*whole.files.values(), *part.files.values()])
            raise TimetableError(
                f"{names}: files of two schools or years ({whole.uai} {whole.school_year}, "
                f"{part.uai} {part.school_year})",
                code="timetable",
            )
        twice = set(part.files) & set(whole.files)
        if twice:
            raise TimetableError(f"{part.files[twice.pop()]}: given twice", code="timetable")
        whole.files.update(part.files)
        whole.subjects.update(part.subjects)
        whole.staff.update(part.staff)
        whole.services |= part.services
        whole.patterns.update(part.patterns)
        whole.groups.update(part.groups)
        whole.courses.extend(part.courses)
    return whole


def _school(uai: str, year: str, name: str) -> tuple[str, int]:
    uai = uai.strip().upper()
    if not UAI.match(uai):
        raise TimetableError(f"{name}: UAJ {uai!r} is not a UAI", code="timetable")
    if not (year.strip().isdigit() and len(year.strip()) == 4):
        raise TimetableError(f"{name}: ANNEE_SCOLAIRE {year!r} is not a year", code="timetable")
    return uai, int(year)


def _attribute(root: Element, path: str, attribute: str) -> str:
    found = root.find(path)
    return (found.get(attribute) or "").strip() if found is not None else ""


def _sts(root: Element, name: str) -> TimetableExport:
    """STS-Web's file: subjects, staff, services."""
    uai, year = _school(
        _attribute(root, "PARAMETRES/UAJ", "CODE"),
        _attribute(root, "PARAMETRES/ANNEE_SCOLAIRE", "ANNEE"),
        name,
    )
    export = TimetableExport(uai, year, files={STS_ROOT: name})
    for subject in root.iterfind("NOMENCLATURES/MATIERES/MATIERE"):
        code = (subject.get("CODE") or "").strip()
        if code:
            export.subjects[code] = Subject(
                code,
                text(subject, "CODE_GESTION"),
                text(subject, "LIBELLE_COURT"),
                text(subject, "LIBELLE_LONG"),
            )
    for person in root.iterfind("DONNEES/INDIVIDUS/INDIVIDU"):
        sts_id = (person.get("ID") or "").strip()
        if sts_id:
            export.staff[sts_id] = Staff(
                sts_id,
                text(person, "NOM_USAGE") or text(person, "NOM_PATRONYMIQUE"),
                text(person, "PRENOM"),
                text(person, "FONCTION"),
            )
    for kind, code, service, teacher in _services(root):
        taught = (service.get("CODE_MATIERE") or "").strip()
        export.services.add((f"{kind}:{code}", taught, (teacher.get("ID") or "").strip()))
    return export


def _structure(root: Element) -> Element | None:
    found = root.find("DONNEES/STRUCTURE")
    return found if found is not None else root.find("STRUCTURE")


def _services(root: Element) -> Iterator[tuple[str, str, Element, Element]]:
    """(division or group, its code, the SERVICE, each ENSEIGNANT of it)."""
    structure = _structure(root)
    if structure is None:
        return
    for path, kind in STRUCTURES:
        for unit in structure.iterfind(path):
            code = (unit.get("CODE") or "").strip()
            for service in unit.iterfind("SERVICES/SERVICE"):
                for teacher in service.iterfind("ENSEIGNANTS/ENSEIGNANT"):
                    yield kind, code, service, teacher


def _edt(root: Element, name: str) -> TimetableExport:
    """The timetable software's file: week patterns, groups' divisions, lessons."""
    uai, year = _school(text(root, "PARAMETRES/UAJ"), text(root, "PARAMETRES/ANNEE_SCOLAIRE"), name)
    export = TimetableExport(uai, year, files={EDT_ROOT: name})
    for pattern in root.iterfind("DONNEES/ALTERNANCES/ALTERNANCE"):
        code = (pattern.get("CODE") or "").strip()
        mondays = tuple(
            _monday(week.text or "", f"{name}: ALTERNANCE {code}")
            for week in pattern.iterfind("SEMAINES/DATE_DEBUT_SEMAINE")
        )
        export.patterns[code] = WeekPattern(
            code, text(pattern, "LIBELLE_COURT"), text(pattern, "LIBELLE_LONG"), mondays
        )
    structure = _structure(root)
    for group in structure.iterfind("GROUPES/GROUPE") if structure is not None else ():
        code = (group.get("CODE") or "").strip()
        divisions = tuple(
            (d.get("CODE") or "").strip()
            for d in group.iterfind("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE")
        )
        export.groups[code] = Group(code, divisions)
    for kind, code, service, teacher in _services(root):
        subject = (service.get("CODE_MATIERE") or "").strip()
        teacher_id = (teacher.get("ID") or "").strip()
        export.services.add((f"{kind}:{code}", subject, teacher_id))
        for lesson in teacher.iterfind("COURS_RATTACHES/COURS"):
            where = f"{name}: {kind} {code}, {subject}, {teacher_id}"
            export.courses.append(
                Course(
                    division=code if kind == "division" else None,
                    group=code if kind == "group" else None,
                    subject=subject,
                    teacher=teacher_id,
                    weekday=_day(text(lesson, "JOUR"), where),
                    start=_clock(text(lesson, "HEURE_DEBUT"), where),
                    minutes=_length(text(lesson, "DUREE"), where),
                    room=text(lesson, "CODE_SALLE"),
                    pattern=text(lesson, "CODE_ALTERNANCE"),
                )
            )
    return export


def _monday(value: str, where: str) -> date:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise TimetableError(f"{where}: {value!r} is not a date", code="timetable") from None
    if day.weekday() != 0:
        raise TimetableError(f"{where}: {value} is not a Monday", code="timetable")
    return day


def _day(value: str, where: str) -> int:
    if not (value.isdigit() and 1 <= int(value) <= 7):
        raise TimetableError(f"{where}: JOUR {value!r} is not 1 to 7", code="timetable")
    return int(value)


def _hhmm(value: str, where: str, what: str) -> tuple[int, int]:
    if not (len(value) == 4 and value.isdigit()):
        raise TimetableError(f"{where}: {what} {value!r} is not hhmm", code="timetable")
    hours, minutes = int(value[:2]), int(value[2:])
    if minutes > 59:
        raise TimetableError(f"{where}: {what} {value!r} is not hhmm", code="timetable")
    return hours, minutes


def _clock(value: str, where: str) -> time:
    hours, minutes = _hhmm(value, where, "HEURE_DEBUT")
    if hours > 23:
        raise TimetableError(f"{where}: HEURE_DEBUT {value!r} is not a time", code="timetable")
    return time(hours, minutes)


def _length(value: str, where: str) -> int:
    hours, minutes = _hhmm(value, where, "DUREE")
    total = hours * 60 + minutes
    if not 0 < total <= 12 * 60:
        raise TimetableError(f"{where}: DUREE {value!r} is not a lesson's length", code="timetable")
    return total
