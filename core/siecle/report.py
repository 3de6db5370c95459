"""The lists of an import's summary, from the diffs (pure: ids and codes in, notes out)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from core.siecle.diff import Change, Row, TableDiff
from core.siecle.summary import ImportSummary, Note


def report_students(
    summary: ImportSummary,
    diff: TableDiff[str],
    desired: Mapping[str, Row],
    names: Mapping[str, str],
    division_codes: Mapping[int, str],
) -> None:
    """Arrived (not on a school's first import), moved with the date, left, unassigned."""

    def code(value: object) -> str | None:
        return division_codes.get(value) if isinstance(value, int) else None

    if not summary.school_created:
        summary.arrived.extend(
            {
                "siecle_id": key,
                "name": names[key],
                "division": code(desired[key].get("division_id")),
            }
            for key in diff.created
        )
    for change in diff.updated:
        key, before, after = change.key, change.before, change.after
        if after.get("active") is False:
            on = after.get("left_on") or before.get("left_on") or summary.exported_on
            summary.left.append({"siecle_id": key, "name": names[key], "on": on})
        elif code(before.get("division_id")) and code(after.get("division_id")):
            summary.moved.append(_move(change, names[key], code, summary.exported_on))
    summary.unassigned.extend(
        {"siecle_id": key, "name": names[key]}
        for key, row in desired.items()
        if row.get("active") and "division_id" in row and row["division_id"] is None
    )


def _move(change: Change[str], name: str, code: Callable[[object], str | None], on: date) -> Note:
    return {
        "siecle_id": change.key,
        "name": name,
        "from": code(change.before.get("division_id")),
        "to": code(change.after.get("division_id")),
        "on": on,
    }


def report_contacts(
    summary: ImportSummary,
    diff: TableDiff[tuple[int, str]],
    desired: Mapping[tuple[int, str], Row],
    gone: Sequence[tuple[int, str, str]],
    persons: Mapping[int, tuple[str, str]],
    new_persons: set[int],
) -> None:
    """Contact changes of persons already known: a field filled, changed or emptied.

    ``gone``: (person id, SIECLE field, value) of the points removed; ``persons``: person
    id → (PERSONNE_ID, name).
    """

    def note(person_id: int, slot: str, old: object, new: object) -> None:
        siecle_id, name = persons[person_id]
        summary.contact_changes.append(
            {"person": siecle_id, "name": name, "field": slot, "from": old, "to": new}
        )

    for person_id, slot in diff.created:
        if person_id not in new_persons:
            note(person_id, slot, None, desired[(person_id, slot)]["value"])
    for change in diff.updated:
        if "value" in change.after:
            note(*change.key, change.before["value"], change.after["value"])
    for person_id, slot, value in gone:
        note(person_id, slot, value, None)


def report_links(
    summary: ImportSummary,
    gone: Sequence[tuple[int, int, int, str]],
    student_ids: Mapping[str, int],
    person_ids: Mapping[str, int],
) -> None:
    """Links removed: ``gone`` holds (student id, person id, level, relationship)."""
    students = {i: key for key, i in student_ids.items()}
    persons = {i: key for key, i in person_ids.items()}
    summary.links_removed.extend(
        {
            "student": students.get(student),
            "person": persons.get(person),
            "level": level,
            "relationship": relationship,
        }
        for student, person, level, relationship in gone
    )
