"""The SIECLE import as a diff: the samples' counts and changes, re-imports, every refusal."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from core.models import (
    AuditEntry,
    ClosedDay,
    ContactKind,
    ContactPoint,
    Division,
    Enrolment,
    GuardianLink,
    Person,
    School,
    SchoolYear,
    Student,
    TeachingGroup,
    Usability,
)
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.services.siecle.importer import import_siecle
from core.siecle.errors import SiecleError
from core.siecle.files import load_export
from core.siecle.records import SiecleExport
from core.siecle.summary import ImportSummary
from tests.core.siecle.support import PRE2016, SAMPLE, SMALL, expected, needs_sample

IMPORTER = Actor.system("import siecle")
SEPTEMBER, OCTOBER = date(2025, 9, 22), date(2025, 10, 22)
SAMPLE_UAI, SMALL_UAI = "0751234X", "0759999Z"


async def state(uai: str) -> dict[str, Any]:
    """The stored school in the terms of expected.json."""
    school = await School.get(uai=uai)
    students = await Student.filter(school=school).prefetch_related("division")
    active = [s for s in students if s.active]
    legal = await GuardianLink.filter(student__school=school, level=1).count()
    return {
        "students_assigned": sum(1 for s in active if s.division),
        "students_in_file": len(students),
        "students_left": len(students) - len(active),
        "divisions": await Division.filter(school=school, active=True).count(),
        "groups": await TeachingGroup.filter(school=school, active=True).count(),
        "per_division": dict(Counter(s.division.code for s in active if s.division)),
        "persons": await Person.filter(school=school).count(),
        "legal_links": legal,
    }


def counts(summary: ImportSummary, kind: str) -> tuple[int, int, int, int]:
    c = summary.counts[kind]
    return c.created, c.updated, c.unchanged, c.removed


async def run(export: SiecleExport, **options: Any) -> ImportSummary:
    options.setdefault("today", SEPTEMBER)
    return await import_siecle(export, IMPORTER, **options)


@needs_sample
async def test_the_sample_imports_with_its_expected_counts_and_twice_changes_nothing(
    db: str,
) -> None:
    export = load_export([SAMPLE])
    summary = await run(export)
    assert summary.school_created
    assert counts(summary, "students") == (418, 0, 0, 0)
    assert [s["siecle_id"] for s in summary.unassigned] == ["1202436", "1203528", "1204057"]
    assert await state(SAMPLE_UAI) == expected()["initial"]
    school = await School.get(uai=SAMPLE_UAI)
    assert school.name == "COLLEGE JEAN MOULIN"
    # its zone from its UAI (Paris: zone C), the zone's holidays of 2025-2026 closed
    assert school.holiday_zone == "C"
    toussaint = await ClosedDay.get(school=school, day=date(2025, 10, 20))
    assert (toussaint.label, toussaint.national) == ("Vacances de la Toussaint", True)
    assert school.letterhead["head_name"] == "DUVAL"
    assert await Enrolment.filter(student__school=school, ends_on=None).count() == 415
    created = await AuditEntry.filter(school=school, action="siecle.create", entity="student")
    assert len(created) == 418
    assert {e.actor_label for e in created} == {"import siecle"}
    audit_rows = await AuditEntry.filter(school=school).count()

    again = await run(load_export([SAMPLE]))
    assert again.changes == 0
    assert not again.school_created and not again.school_updated
    for kind, kind_counts in again.counts.items():
        assert kind_counts.created == kind_counts.updated == kind_counts.removed == 0, kind
    assert counts(again, "students") == (0, 0, 418, 0)
    assert not (again.moved or again.left or again.arrived or again.contact_changes)
    new_rows = await AuditEntry.filter(school=school).order_by("id").offset(audit_rows)
    assert [row.action for row in new_rows] == ["siecle.import"]


@needs_sample
async def test_the_update_applies_exactly_the_listed_changes(db: str) -> None:
    await run(load_export([SAMPLE]))
    school = await School.get(uai=SAMPLE_UAI)
    before = await state(SAMPLE_UAI)
    audit_rows = await AuditEntry.filter(school=school).count()
    update = load_export([SAMPLE / "update"])

    preview = await run(update, today=OCTOBER, dry_run=True)
    assert preview.dry_run
    assert await state(SAMPLE_UAI) == before  # nothing written
    assert await AuditEntry.filter(school=school).count() == audit_rows

    summary = await run(update, today=OCTOBER)
    assert summary.to_json() == {**preview.to_json(), "dry_run": False}
    changes = expected()["changes"]
    assert await state(SAMPLE_UAI) == expected()["update"]
    assert counts(summary, "students") == (2, 1, 416, 1)
    assert counts(summary, "links") == (0, 0, 830, 1)
    assert counts(summary, "contacts")[:2] == (0, 1)
    assert counts(summary, "persons") == (0, 0, 831, 0)
    assert summary.moved == [
        {"siecle_id": "1203297", "name": "BERNARD Arthur", "from": "4A", "to": "4B",
         "on": date(2025, 10, 20)}
    ]  # fmt: skip
    assert [m["siecle_id"] for m in summary.left] == [changes["left"]]
    assert [a["siecle_id"] for a in summary.arrived] == changes["arrived"]
    assert [(c["person"], c["to"]) for c in summary.contact_changes] == [("310095", "+33699887766")]
    assert summary.links_removed == [
        {"student": "1203037", "person": "310339", "level": 1, "relationship": "20"}
    ]
    json.dumps(summary.to_json())  # ready for the API and --json
    await _check_update_rows(school)
    await _check_update_audit(school)

    again = await run(update, today=OCTOBER)
    assert again.changes == 0


async def _check_update_rows(school: School) -> None:
    moved = await Student.get(school=school, siecle_id="1203297").prefetch_related("division")
    assert moved.division is not None and moved.division.code == "4B"
    stays = await Enrolment.filter(student=moved).order_by("id").prefetch_related("division")
    assert [(e.division.code, e.starts_on, e.ends_on) for e in stays] == [
        ("4A", date(2025, 9, 1), date(2025, 10, 20)),
        ("4B", date(2025, 10, 20), None),
    ]
    left = await Student.get(school=school, siecle_id="1203018").prefetch_related("division")
    assert (left.active, left.left_on) == (False, date(2025, 10, 14))
    assert left.division is not None  # history kept: their division, stays and guardians
    assert await Enrolment.get(student=left).values_list("ends_on", flat=True) == date(2025, 10, 14)
    assert await GuardianLink.filter(student=left).count() > 0
    arrived = await Student.get(school=school, siecle_id="1900001").prefetch_related("groups")
    assert (arrived.last_name, arrived.active) == ("ŠIMEK", True)
    assert sorted(g.code for g in arrived.groups) == ["5_ALL", "5_LAT"]
    mobile = await ContactPoint.get(person__siecle_id="310095", siecle_field="TEL_PORTABLE")
    assert (mobile.value, mobile.usability, mobile.raw_value) == (
        "+33699887766",
        Usability.OK,
        "06 99 88 77 66",
    )
    assert await Person.exists(school=school, siecle_id="310339")
    assert not await GuardianLink.exists(student__siecle_id="1203037", person__siecle_id="310339")


async def _check_update_audit(school: School) -> None:
    moved = await Student.get(school=school, siecle_id="1203297")
    rows = await AuditEntry.filter(entity="student", entity_id=str(moved.id)).order_by("id")
    assert [row.action for row in rows] == ["siecle.create", "siecle.update"]
    division_ids = dict(await Division.filter(school=school).values_list("code", "id"))
    assert rows[1].actor_label == "import siecle"
    assert (rows[1].before, rows[1].after) == (
        {"division_id": division_ids["4A"]},
        {"division_id": division_ids["4B"]},
    )
    removals = await AuditEntry.filter(school=school, action="siecle.remove")
    assert sorted(row.entity for row in removals) == ["guardian_link", "student"]


async def test_a_dry_run_on_an_empty_install_writes_nothing(db: str) -> None:
    export = load_export([SMALL])
    preview = await run(export, dry_run=True)
    assert preview.school_created and preview.dry_run
    assert counts(preview, "students") == (3, 0, 0, 0)
    assert await School.all().count() == 0
    assert await AuditEntry.all().count() == 0
    summary = await run(export)
    assert summary.to_json() == {**preview.to_json(), "dry_run": False}


async def test_contacts_phones_and_iso_characters(db: str) -> None:
    summary = await run(load_export([SMALL]))
    school = await School.get(uai=SMALL_UAI)
    assert school.name == "COLLEGE SŒUR ŠIMONE"
    assert school.letterhead["city"] == "L'HAŸ-LES-ROSES"
    student = await Student.get(siecle_id="9001")
    assert (student.last_name, student.first_name) == ("CŒUR", "Šarlota")
    points = {
        (p.person.siecle_id, p.siecle_field): p
        for p in await ContactPoint.filter(person__school=school).prefetch_related("person")
    }
    seen = {key: (p.kind, p.value, p.consent, p.usability) for key, p in points.items()}
    assert seen == {
        ("8001", "TEL_PORTABLE"): (ContactKind.MOBILE, "+33612345678", True, Usability.OK),
        ("8001", "TEL_PERSONNEL"): (ContactKind.LANDLINE, "+33142345678", True, Usability.OK),
        ("8001", "MEL"): (ContactKind.EMAIL, "anne.coeur@example.org", True, Usability.OK),
        ("8001", "ADRESSE"): (ContactKind.POSTAL, "5 RUE DE L'ŒUVRE", True, Usability.OK),
        ("8002", "TEL_PORTABLE"): (ContactKind.MOBILE, "+262692123456", False, Usability.OK),
        ("8002", "ADRESSE"): (ContactKind.POSTAL, "5 RUE DE L'ŒUVRE", True, Usability.OK),
        ("8003", "TEL_PORTABLE"): (ContactKind.MOBILE, "12345", True, Usability.INVALID),
        ("8003", "TEL_PROFESSIONNEL"): (ContactKind.LANDLINE, "+33142345679", True, Usability.OK),
        ("8004", "TEL_PORTABLE"): (ContactKind.LANDLINE, "+33420278683", True, Usability.OK),
        ("8005", "TEL_PORTABLE"): (ContactKind.MOBILE, "+33612345670", True, Usability.OK),
        ("8005", "MEL"): (ContactKind.EMAIL, "marc.lyon@example.org", True, Usability.OK),
        ("8005", "ADRESSE"): (ContactKind.POSTAL, "12 AVENUE ŠTEFÁNIK", True, Usability.OK),
    }
    assert points[("8001", "ADRESSE")].address == {
        "lines": ["5 RUE DE L'ŒUVRE", "LOYER 500 €"],
        "postal_code": "94240",
        "city": "L'HAŸ-LES-ROSES",
        "country": "FRANCE",
    }
    assert summary.invalid_phones == [
        {"person": "8003", "name": "DUPRÈS Inès", "field": "TEL_PORTABLE", "raw": "12345",
         "reason": "too short"}
    ]  # fmt: skip


async def test_links_more_than_two_legal_representatives_fee_payer_first(db: str) -> None:
    summary = await run(load_export([SMALL]))
    assert summary.links_ignored == 1  # names student 9999, absent from the students file
    links = await GuardianLink.filter(student__siecle_id="9001").order_by("priority")
    await GuardianLink.fetch_for_list(links, "person")
    assert [(link.person.siecle_id, int(link.level), link.pays_fees) for link in links] == [
        ("8002", 1, True),
        ("8001", 1, False),
        ("8003", 1, False),
        ("8004", 3, False),
    ]
    assert [link.priority for link in links] == [1, 2, 3, 4]
    assert [s["siecle_id"] for s in summary.unassigned] == ["9003"]


async def test_later_changes_keep_staff_points_and_the_states_the_gateway_set(db: str) -> None:
    export = load_export([SMALL])
    await run(export)
    anne = await Person.get(siecle_id="8001")
    await ContactPoint.create(person=anne, kind=ContactKind.CHAT, value="tg:42")
    await ContactPoint.filter(person=anne, siecle_field="TEL_PORTABLE").update(
        usability=Usability.WRONG_NUMBER
    )
    assert (await run(export)).changes == 0
    wrong = await ContactPoint.get(person=anne, siecle_field="TEL_PORTABLE")
    assert wrong.usability == Usability.WRONG_NUMBER  # not reset by the re-import

    persons = list(export.persons)
    persons[0] = replace(persons[0], mobile="07 81 22 33 44", home_phone=None)
    summary = await run(replace(export, persons=tuple(persons)))
    assert counts(summary, "contacts")[:2] == (0, 1)
    assert counts(summary, "contacts")[3] == 1
    assert [(c["field"], c["from"], c["to"]) for c in summary.contact_changes] == [
        ("TEL_PORTABLE", "+33612345678", "+33781223344"),
        ("TEL_PERSONNEL", "+33142345678", None),
    ]
    changed = await ContactPoint.get(person=anne, siecle_field="TEL_PORTABLE")
    assert (changed.value, changed.usability) == ("+33781223344", Usability.OK)
    assert await ContactPoint.exists(person=anne, kind=ContactKind.CHAT, value="tg:42")


async def test_students_leave_move_and_are_found_on_their_ine(db: str) -> None:
    school = await create_school(SMALL_UAI, "Collège", IMPORTER, today=SEPTEMBER)
    by_hand = await Student.create(
        school=school, last_name="Lÿon", first_name="N", ine="222222222BB"
    )
    export = load_export([SMALL])
    summary = await run(export)
    assert not summary.school_created
    assert counts(summary, "students") == (2, 1, 0, 0)
    assert (await Student.get(id=by_hand.id)).siecle_id == "9002"

    students = list(export.students)
    students[1] = replace(students[1], division="6A", groups=("6_LAT",))  # 9002: 6B → 6A
    shrunk = replace(
        export,
        students=tuple(students[1:]),  # 9001 is no longer in the files
        divisions=tuple(d for d in export.divisions if d.code != "6B"),
        groups=tuple(replace(g, divisions=("6A",)) for g in export.groups),
    )
    summary = await run(shrunk)
    assert counts(summary, "students") == (0, 1, 1, 1)
    assert summary.left == [{"siecle_id": "9001", "name": "CŒUR Šarlota", "on": date(2025, 9, 15)}]
    left = await Student.get(siecle_id="9001")
    assert (left.active, left.left_on) == (False, date(2025, 9, 15))
    assert await GuardianLink.filter(student=left).count() == 4  # kept with the student
    latin = await TeachingGroup.get(code="6_LAT").prefetch_related("students")
    assert sorted(s.siecle_id or "" for s in latin.students) == ["9001", "9002"]
    assert [(m["siecle_id"], m["from"], m["to"]) for m in summary.moved] == [("9002", "6B", "6A")]
    assert not (await Division.get(code="6B")).active  # not in Structures.xml any more
    assert counts(summary, "divisions") == (0, 0, 1, 1)
    assert counts(summary, "groups") == (0, 1, 0, 0)


async def test_the_pre_2016_shape_imports(db: str) -> None:
    await create_school(SAMPLE_UAI, "Collège", IMPORTER, today=SEPTEMBER)
    summary = await run(load_export([PRE2016]))
    assert counts(summary, "students") == (1, 0, 0, 0)
    student = await Student.get(siecle_id="5001")
    assert (student.last_name, student.first_name) == ("BŒUF", "Ÿvette")
    links = await GuardianLink.filter(student=student).order_by("priority")
    assert [int(link.level) for link in links] == [1, 1, 3]


async def refused(export: SiecleExport, **options: Any) -> str:
    with pytest.raises(SiecleError) as caught:
        await run(export, **options)
    assert "\n" not in caught.value.message
    return caught.value.message


async def test_another_schools_files_are_refused(db: str) -> None:
    await create_school("0750001A", "Collège Alpha", IMPORTER, today=SEPTEMBER)
    message = await refused(load_export([SMALL]), school_uai="0750001A")
    assert message == "ElevesSansAdresses.xml: UAJ 0759999Z is not the school's (0750001A)"
    assert not await School.exists(uai=SMALL_UAI)
    assert await Student.all().count() == 0


async def test_another_school_year_is_refused_unless_forced(db: str) -> None:
    export = load_export([SMALL])
    message = await refused(export, today=date(2026, 11, 29))
    assert message == (
        "ElevesSansAdresses.xml: school year 2025-2026 is not the current one (2026-2027); "
        "force it to import anyway"
    )
    assert await School.all().count() == 0
    summary = await run(export, today=date(2026, 11, 29), force_year=True)
    assert summary.school_created
    year = await SchoolYear.get(school__uai=SMALL_UAI)
    assert (year.start_year, year.starts_on, year.ends_on) == (
        2025,
        date(2025, 9, 1),
        date(2026, 7, 4),
    )
    last_year = replace(export, school_year=2024)
    assert "school year 2024-2025 is not the current one (2025-2026)" in await refused(last_year)
    assert (await run(last_year, force_year=True)).changes == 0


async def test_a_first_import_without_communs_is_refused(db: str) -> None:
    export = load_export([SMALL / "ElevesSansAdresses.xml"])
    message = await refused(export)
    assert message == "ElevesSansAdresses.xml: Communs.xml is needed to create the school 0759999Z"


async def test_files_not_given_leave_their_rows_alone(db: str) -> None:
    await run(load_export([SMALL]))
    students_only = load_export([SMALL / "ElevesSansAdresses.xml", SMALL / "Structures.xml"])
    summary = await run(students_only)
    assert summary.changes == 0
    assert counts(summary, "persons") == counts(summary, "links") == (0, 0, 0, 0)
    assert await GuardianLink.all().count() == 5
