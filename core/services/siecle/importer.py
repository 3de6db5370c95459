"""The SIECLE import: an export applied to its school as a diff, in one transaction.

Only rows that differ are written, each with its audit row; importing the same files twice
changes nothing but the one audit row that records every import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.models import (
    ContactPoint,
    Division,
    Enrolment,
    GuardianLink,
    Mef,
    Person,
    School,
    SchoolYear,
    Student,
    TeachingGroup,
)
from core.rules.calendar import school_year_of, year_bounds
from core.rules.holiday_zones import zone_of_uai
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.services.schools.years import not_started
from core.services.siecle.tables import (
    BATCH,
    IMPORT_LABEL,
    AuditLog,
    TableSync,
    columns,
    ids_of,
    memberships,
    remove_rows,
    write_pairs,
)
from core.siecle import plan, report, rows
from core.siecle.diff import Row
from core.siecle.errors import SiecleError
from core.siecle.records import SiecleExport
from core.siecle.summary import ImportSummary

__all__ = ["IMPORT_LABEL", "ImportSummary", "Progress", "import_siecle"]
_code = attrgetter("code")
Progress = Callable[[str, float], None]  # (step, fraction done in 0..1), called as it goes


def _silent(step: str, fraction: float) -> None:
    """No one watches the progress."""


async def import_siecle(
    export: SiecleExport,
    actor: Actor,
    *,
    school_uai: str | None = None,
    dry_run: bool = False,
    force_year: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Bring the school of ``export`` up to date with it, in one transaction.

    On an install without that school, the first import creates it (name and letterhead
    from Communs.xml). Raises SiecleError, with nothing changed, for another school's
    files (``school_uai`` given and different) or another school year than the current
    one unless ``force_year``. With ``dry_run`` the same summary is computed, then rolled
    back. ``progress`` is told each step (``students``, ``guardians``…) and the fraction done;
    the last call comes before the commit.
    """
    if school_uai is not None and school_uai.strip().upper() != export.uai:
        raise SiecleError(
            f"{export.file_name()}: UAJ {export.uai} is not the school's ({school_uai.upper()})",
            code="siecle_other_school",
            uai=export.uai,
            school=school_uai.upper(),
        )
    try:
        async with in_transaction():
            day = today or date.today()
            summary = await _import(export, actor, force_year, day, dry_run, progress or _silent)
            if dry_run:
                raise _RolledBack(summary)
    except _RolledBack as rolled_back:
        return rolled_back.summary
    return summary


class _RolledBack(Exception):
    def __init__(self, summary: ImportSummary) -> None:
        super().__init__("dry run")
        self.summary = summary


@dataclass(slots=True)
class _Run:
    school: School
    export: SiecleExport
    summary: ImportSummary
    audit: AuditLog


async def _import(
    export: SiecleExport,
    actor: Actor,
    force_year: bool,
    today: date,
    dry_run: bool,
    progress: Progress,
) -> ImportSummary:
    progress("school", 0.0)
    school, created = await _school(export, actor, force_year, today)
    summary = ImportSummary(export.uai, export.school_year, export.exported_on, dry_run, created)
    run = _Run(school, export, summary, AuditLog(school.id, actor))
    year_start = await _update_school(run)
    progress("structures", 0.05)
    mef_ids = await _sync_codes(run, Mef, "mefs", rows.mef_rows(export))
    division_rows = rows.division_rows(export, mef_ids)
    division_ids = await _sync_codes(run, Division, "divisions", division_rows)
    group_rows = rows.group_rows(export)
    members = ("divisions", division_ids)
    group_ids = await _sync_codes(run, TeachingGroup, "groups", group_rows, members)
    progress("students", 0.15)
    student_ids = await _sync_students(run, mef_ids, division_ids, group_ids, year_start)
    if export.has("BEE_RESPONSABLES"):
        progress("guardians", 0.4)
        person_ids = await _sync_persons(run)
        progress("links", 0.75)
        await _sync_links(run, student_ids, person_ids)
    progress("audit", 0.95)
    run.audit.add("siecle.import", "school", school.id, None, summary.counts_json())
    await run.audit.flush()
    return summary


async def _school(
    export: SiecleExport, actor: Actor, force_year: bool, today: date
) -> tuple[School, bool]:
    """The export's school (locked for the import), created by the first import."""
    school = await School.select_for_update().get_or_none(uai=export.uai)
    year = None
    if school is not None:
        year = await SchoolYear.filter(school=school, current=True).order_by("-start_year").first()
    current = year.start_year if year else school_year_of(today)
    early = not_started(export.file_name(), current, export.school_year)
    if school is not None and early is not None and not force_year:
        raise SiecleError(early[0], code="siecle_next_year", **early[1])
    if export.school_year != current and not force_year:
        raise SiecleError(
            f"{export.file_name()}: school year {export.school_year}-{export.school_year + 1} "
            f"is not the current one ({current}-{current + 1}); force it to import anyway",
            code="siecle_year",
            year=f"{export.school_year}-{export.school_year + 1}",
            current=f"{current}-{current + 1}",
        )
    if school is not None:
        return school, False
    if export.letterhead is None:
        raise SiecleError(
            f"{export.file_name()}: Communs.xml is needed to create the school {export.uai}",
            code="siecle_communs",
            uai=export.uai,
        )
    school = await create_school(
        export.uai,
        export.letterhead.name or export.uai,
        actor,
        today=year_bounds(export.school_year)[0],
        letterhead=export.letterhead.as_json(),
        holiday_zone=zone_of_uai(export.uai),  # its académie's; the settings change it
    )
    return school, True


def _letterhead(export: SiecleExport, school: School) -> dict[str, object] | None:
    """Communs' letterhead, keeping the logo the school uploaded (SIECLE has none)."""
    if export.letterhead is None:
        return None
    wanted = export.letterhead.as_json()
    if isinstance(school.letterhead, dict) and "logo" in school.letterhead:
        wanted["logo"] = school.letterhead["logo"]
    return wanted


async def _update_school(run: _Run) -> date:
    """The letterhead and the year's dates from Communs.xml; returns the year's first day."""
    export, school = run.export, run.school
    wanted = _letterhead(export, school)
    if wanted is not None and school.letterhead != wanted:
        before = {"letterhead": school.letterhead}
        school.letterhead = wanted
        await school.save(update_fields=["letterhead", "updated_at"])
        run.audit.add(
            "siecle.update", "school", school.id, before, {"letterhead": school.letterhead}
        )
        run.summary.school_updated = True
    year = await SchoolYear.get_or_none(school=school, start_year=export.school_year)
    dates = export.year_dates
    if year is None:
        return dates.starts_on if dates else year_bounds(export.school_year)[0]
    if dates is not None and (year.starts_on, year.ends_on) != (dates.starts_on, dates.ends_on):
        before_dates = {"starts_on": year.starts_on, "ends_on": year.ends_on}
        year.starts_on, year.ends_on = dates.starts_on, dates.ends_on
        await year.save(update_fields=["starts_on", "ends_on"])
        after_dates = {"starts_on": year.starts_on, "ends_on": year.ends_on}
        run.audit.add("siecle.update", "school_year", year.id, before_dates, after_dates)
        run.summary.school_updated = True
    return year.starts_on


async def _sync_codes(
    run: _Run,
    model: type[Model],
    kind: str,
    desired: dict[str, Row],
    members: tuple[str, Mapping[str, int]] | None = None,
) -> dict[str, int]:
    """MEFs, divisions or groups keyed on their code; those Structures.xml no longer has
    turn inactive. ``members``: a many-to-many pseudo-field and the ids of its codes."""
    school_id = run.school.id
    existing = {_code(obj): obj for obj in await model.filter(school_id=school_id)}
    if run.export.has("BEE_STRUCTURES") and "active" in model._meta.fields_db_projection:
        for code, obj in existing.items():
            if code not in desired and getattr(obj, "active", False):
                desired[code] = {"active": False}
    extras = await memberships(model, "code", members[0], school_id=school_id) if members else {}

    def make(code: str, row: Row) -> Model:
        return model(school_id=school_id, code=code, **columns(model, row))

    async def reload() -> dict[str, int]:
        return await ids_of(model, "code", school_id=school_id)

    table = TableSync(model, existing, make, reload, extras)
    diff, ids = await table.apply(desired, run.summary.counts[kind], run.audit)
    if members:
        name, other_ids = members
        await write_pairs(model, name, *plan.pair_changes(diff, desired, name, ids, other_ids))
    return ids


async def _sync_students(
    run: _Run,
    mef_ids: Mapping[str, int],
    division_ids: Mapping[str, int],
    group_ids: Mapping[str, int],
    year_start: date,
) -> dict[str, int]:
    """Students keyed on ELEVE_ID; those gone from the files leave (kept, inactive)."""
    school_id = run.school.id
    objects = {s.id: s for s in await Student.filter(school_id=school_id)}
    matched = plan.match_students([_stored_student(s) for s in objects.values()], run.export)
    existing = {key: objects[found.id] for key, found in matched.items()}
    desired, names = plan.student_targets(run.export, matched, mef_ids, division_ids)
    groups = await memberships(Student, "id", "groups", school_id=school_id)
    extras = {key: groups.get(obj.id, {"groups": ()}) for key, obj in existing.items()}

    def make(key: str, row: Row) -> Student:
        return Student(school_id=school_id, siecle_id=key, **columns(Student, row))

    async def reload() -> dict[str, int]:
        return await ids_of(Student, "siecle_id", school_id=school_id)

    table = TableSync(Student, existing, make, reload, extras)
    diff, ids = await table.apply(desired, run.summary.counts["students"], run.audit)
    await write_pairs(
        Student, "groups", *plan.pair_changes(diff, desired, "groups", ids, group_ids)
    )
    finals = {ids[key]: row for key, row in desired.items()}
    await _write_enrolments(run, finals, {ids[key] for key in diff.created}, year_start)
    codes = {i: code for code, i in division_ids.items()}
    report.report_students(run.summary, diff, desired, names, codes)
    run.summary.invalid_phones.extend(rows.student_phone_notes(run.export.students))
    return ids


def _stored_student(s: Student) -> plan.StoredStudent:
    name = f"{s.last_name} {s.first_name}"
    return plan.StoredStudent(s.id, s.siecle_id, s.ine, s.elenoet, s.active, s.left_on, name)


async def _write_enrolments(
    run: _Run, finals: Mapping[int, Row], new: set[int], year_start: date
) -> None:
    """Each student's stays in divisions: closed when they move or leave, never deleted."""
    stays = {
        e.student_id: e
        for e in await Enrolment.filter(student__school_id=run.school.id, ends_on=None)
    }
    opened = {s: plan.OpenEnrolment(e.id, e.division_id, e.starts_on) for s, e in stays.items()}
    todo = plan.plan_enrolments(finals, opened, new, year_start, run.export.exported_on)
    by_id = {e.id: e for e in stays.values()}
    for enrolment_id, ends_on in todo.closes:
        by_id[enrolment_id].ends_on = ends_on
    closed = [by_id[enrolment_id] for enrolment_id, _ in todo.closes]
    if closed:
        await Enrolment.bulk_update(closed, fields=["ends_on"], batch_size=BATCH)
    opens = [Enrolment(student_id=s, division_id=d, starts_on=on) for s, d, on in todo.opens]
    if opens:
        await Enrolment.bulk_create(opens, batch_size=BATCH)


async def _sync_persons(run: _Run) -> dict[str, int]:
    """Persons keyed on PERSONNE_ID (kept when gone from the files), then their contacts."""
    school_id = run.school.id
    existing = {p.siecle_id: p for p in await Person.filter(school_id=school_id) if p.siecle_id}
    desired = {p.siecle_id: rows.person_row(p) for p in run.export.persons}

    def make(key: str, row: Row) -> Person:
        return Person(school_id=school_id, siecle_id=key, **row)

    async def reload() -> dict[str, int]:
        return await ids_of(Person, "siecle_id", school_id=school_id)

    table = TableSync(Person, existing, make, reload)
    diff, ids = await table.apply(desired, run.summary.counts["persons"], run.audit)
    await _sync_contacts(run, ids, {ids[key] for key in diff.created})
    return ids


async def _sync_contacts(run: _Run, person_ids: Mapping[str, int], new: set[int]) -> None:
    """Contact points by SIECLE field; staff's own points are left alone."""
    school_id = run.school.id
    objects = await ContactPoint.filter(person__school_id=school_id)
    todo = plan.plan_contacts(
        run.export,
        person_ids,
        [plan.StoredContact(c.id, c.person_id, c.siecle_field, c.kind, c.value) for c in objects],
    )
    gone = {c.id for c in todo.gone}
    counts = run.summary.counts["contacts"]
    await remove_rows(ContactPoint, [c for c in objects if c.id in gone], counts, run.audit)
    existing = {
        (c.person_id, c.siecle_field): c for c in objects if c.siecle_field and c.id not in gone
    }

    def make(key: tuple[int, str], row: Row) -> ContactPoint:
        return ContactPoint(person_id=key[0], siecle_field=key[1], **row)

    async def reload() -> dict[tuple[int, str], int]:
        filters = {"person__school_id": school_id, "siecle_field__isnull": False}
        return await ids_of(ContactPoint, "person_id", "siecle_field", **filters)

    table = TableSync(ContactPoint, existing, make, reload)
    diff, _ = await table.apply(todo.desired, counts, run.audit)
    persons = {person_ids[p.siecle_id]: p for p in run.export.persons}
    names = {i: (p.siecle_id, f"{p.last_name} {p.first_name}") for i, p in persons.items()}
    removed = [(c.person_id, str(c.siecle_field), c.value) for c in todo.gone]
    report.report_contacts(run.summary, diff, todo.desired, removed, names, new)
    run.summary.invalid_phones.extend(todo.invalid)


async def _sync_links(
    run: _Run, student_ids: Mapping[str, int], person_ids: Mapping[str, int]
) -> None:
    """Guardian links with their order; links gone from the files are removed and listed."""
    school_id = run.school.id
    desired, run.summary.links_ignored = plan.plan_links(run.export, student_ids, person_ids)
    objects = await GuardianLink.filter(student__school_id=school_id)
    in_files = {student_ids[s.siecle_id] for s in run.export.students}
    keyed = {(o.student_id, o.person_id): o for o in objects}
    gone = [o for key, o in keyed.items() if key not in desired and key[0] in in_files]
    await remove_rows(GuardianLink, gone, run.summary.counts["links"], run.audit)
    removed = [(o.student_id, o.person_id, int(o.level), o.relationship) for o in gone]
    report.report_links(run.summary, removed, student_ids, person_ids)
    existing = {key: o for key, o in keyed.items() if key in desired}

    def make(key: tuple[int, int], row: Row) -> GuardianLink:
        return GuardianLink(student_id=key[0], person_id=key[1], **row)

    async def reload() -> dict[tuple[int, int], int]:
        return await ids_of(GuardianLink, "student_id", "person_id", student__school_id=school_id)

    await TableSync(GuardianLink, existing, make, reload).apply(
        desired, run.summary.counts["links"], run.audit
    )
