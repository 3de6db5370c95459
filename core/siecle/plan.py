"""Pure steps of the import: matching, enrolment history, memberships, contacts, links."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from core.siecle.diff import Row, TableDiff
from core.siecle.records import SiecleExport
from core.siecle.rows import contact_rows, keep_operational_state, link_rows, student_row
from core.siecle.summary import KindCounts, Note

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class StoredStudent:
    id: int
    siecle_id: str | None
    ine: str | None
    elenoet: str | None
    active: bool = True
    left_on: date | None = None
    name: str = ""


def match_students(
    stored: Sequence[StoredStudent], export: SiecleExport
) -> dict[str, StoredStudent]:
    """ELEVE_ID → stored student: on ELEVE_ID, else (for a student stored without one) on
    the INE, else on ELENOET (which may have lost its leading zeros)."""
    matched = {s.siecle_id: s for s in stored if s.siecle_id}
    loose = [s for s in stored if not s.siecle_id]
    by_ine = {s.ine: s for s in loose if s.ine}
    by_elenoet = {s.elenoet.lstrip("0"): s for s in loose if s.elenoet}
    taken = {s.id for s in matched.values()}
    for record in export.students:
        if record.siecle_id in matched:
            continue
        found = by_ine.get(record.ine or "") or by_elenoet.get((record.elenoet or "").lstrip("0"))
        if found is not None and found.id not in taken:
            matched[record.siecle_id] = found
            taken.add(found.id)
    return matched


def student_targets(
    export: SiecleExport,
    matched: Mapping[str, StoredStudent],
    mef_ids: Mapping[str, int],
    division_ids: Mapping[str, int],
) -> tuple[dict[str, Row], dict[str, str]]:
    """The students' rows and names: those of the files (a student found on a secondary key
    gets its ELEVE_ID), and active students absent from the files, who leave that day."""
    desired = {r.siecle_id: student_row(r, mef_ids, division_ids) for r in export.students}
    names = {r.siecle_id: f"{r.last_name} {r.first_name}" for r in export.students}
    for key, stored in matched.items():
        if key in desired and stored.siecle_id != key:
            desired[key]["siecle_id"] = key
        elif key not in desired and stored.active:
            desired[key] = {"active": False, "left_on": stored.left_on or export.exported_on}
            names[key] = stored.name
    return desired, names


@dataclass(frozen=True, slots=True)
class OpenEnrolment:
    """A student's current stay in a division (no end yet)."""

    id: int
    division_id: int
    starts_on: date


@dataclass(frozen=True, slots=True)
class EnrolmentPlan:
    closes: list[tuple[int, date]]  # (enrolment id, ends_on)
    opens: list[tuple[int, int, date]]  # (student id, division id, starts_on)


def plan_enrolments(
    finals: Mapping[int, Row],
    opened: Mapping[int, OpenEnrolment],
    new_students: set[int],
    year_start: date,
    on: date,
) -> EnrolmentPlan:
    """Close and open stays so that each active student's open one is in their division.

    ``finals``: student id → its row (active, division_id, entered_on, left_on). A move
    closes the old stay and opens the new one on ``on`` (the export's date); leaving closes
    it on DATE_SORTIE; a new student's stay starts on entering, at the earliest on the
    year's first day.
    """
    plan = EnrolmentPlan([], [])
    for student_id, row in finals.items():
        current = opened.get(student_id)
        division = row.get("division_id")
        if not row.get("active") or not isinstance(division, int):
            if current is not None:
                end = _day(row.get("left_on"), on)
                plan.closes.append((current.id, max(end, current.starts_on)))
        elif current is None or current.division_id != division:
            start = on
            if current is not None:
                start = max(on, current.starts_on)
                plan.closes.append((current.id, start))
            elif student_id in new_students:
                start = max(_day(row.get("entered_on"), year_start), year_start)
            plan.opens.append((student_id, division, start))
    return plan


def _day(value: object, default: date) -> date:
    return value if isinstance(value, date) else default


def pair_changes(
    diff: TableDiff[K],
    desired: Mapping[K, Row],
    name: str,
    ids: Mapping[K, int],
    other_ids: Mapping[str, int],
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Many-to-many rows to add and to remove for the pseudo-field ``name`` (codes)."""
    adds: list[tuple[int, int]] = []
    removes: list[tuple[int, int]] = []
    for key in diff.created:
        after = _codes(desired[key].get(name))
        adds.extend((ids[key], other_ids[c]) for c in sorted(after) if c in other_ids)
    for change in diff.updated:
        if name in change.after:
            before, after = _codes(change.before.get(name)), _codes(change.after[name])
            owner = ids[change.key]
            adds.extend((owner, other_ids[c]) for c in sorted(after - before) if c in other_ids)
            removes.extend((owner, other_ids[c]) for c in sorted(before - after) if c in other_ids)
    return adds, removes


def _codes(value: object) -> set[str]:
    return {str(code) for code in value} if isinstance(value, tuple | list) else set()


def count(counts: KindCounts, diff: TableDiff[K]) -> None:
    """Add a table's diff to its counts; an update that deactivates counts as removed."""
    counts.created += len(diff.created)
    counts.unchanged += diff.unchanged
    for change in diff.updated:
        if change.after.get("active") is False:
            counts.removed += 1
        else:
            counts.updated += 1


@dataclass(frozen=True, slots=True)
class StoredContact:
    id: int
    person_id: int
    siecle_field: str | None
    kind: str
    value: str


@dataclass(slots=True)
class ContactPlan:
    desired: dict[tuple[int, str], Row]  # (person id, SIECLE field) → row
    gone: list[StoredContact]  # imported points whose field is now empty
    invalid: list[Note]


def plan_contacts(
    export: SiecleExport, person_ids: Mapping[str, int], stored: Sequence[StoredContact]
) -> ContactPlan:
    """The contact points the files call for, and the imported ones they no longer have.

    Points entered by staff (no SIECLE field) are never touched nor duplicated.
    """
    by_slot = {(c.person_id, c.siecle_field): c for c in stored if c.siecle_field}
    by_staff = {(c.person_id, c.kind, c.value) for c in stored if not c.siecle_field}
    result = ContactPlan({}, [], [])
    for person in export.persons:
        person_id = person_ids[person.siecle_id]
        address = export.addresses.get(person.address_id or "")
        wanted, notes = contact_rows(person, address)
        result.invalid.extend(notes)
        for slot, row in wanted.items():
            if (person_id, row["kind"], row["value"]) not in by_staff:
                current = by_slot.get((person_id, slot))
                stored_value = {"value": current.value} if current else {}
                result.desired[(person_id, slot)] = (
                    keep_operational_state(stored_value, row) if current else row
                )
    in_files = {person_ids[p.siecle_id] for p in export.persons}
    result.gone = [
        c for key, c in by_slot.items() if c.person_id in in_files and key not in result.desired
    ]
    return result


def plan_links(
    export: SiecleExport, student_ids: Mapping[str, int], person_ids: Mapping[str, int]
) -> tuple[dict[tuple[int, int], Row], int]:
    """Links keyed (student id, person id) with their order, and how many name a student
    or a person absent from the files (ignored)."""
    in_files = {s.siecle_id for s in export.students}
    known = [
        link
        for link in export.links
        if link.student_id in in_files and link.person_id in person_ids
    ]
    desired = {
        (student_ids[student], person_ids[person]): row
        for (student, person), row in link_rows(known).items()
    }
    return desired, len(export.links) - len(known)
