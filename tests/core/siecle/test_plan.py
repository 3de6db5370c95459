"""The pure steps of the import: diffing, ordering links, matching students, enrolments."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from core.siecle.diff import Change, diff_rows
from core.siecle.files import load_export
from core.siecle.plan import (
    OpenEnrolment,
    StoredContact,
    StoredStudent,
    match_students,
    plan_contacts,
    plan_enrolments,
    plan_links,
)
from core.siecle.records import LinkRecord
from core.siecle.rows import link_rows
from tests.core.siecle.support import SMALL

SEPT_1, EXPORT_DAY = date(2025, 9, 1), date(2025, 10, 20)


def test_diff_compares_only_the_fields_the_files_speak_of() -> None:
    current = {"a": {"label": "6A", "active": True}, "b": {"label": "6B"}}
    desired = {"a": {"label": "6EME A", "active": True}, "b": {"label": "6B"}, "c": {}}
    diff = diff_rows(current, desired)
    assert diff.created == ["c"]
    assert diff.updated == [Change("a", {"label": "6A"}, {"label": "6EME A"})]
    assert diff.unchanged == 1


def link(person: str, order: int, *, level: int = 1, fees: bool = False) -> LinkRecord:
    return LinkRecord("9001", person, level, "90", fees, order)


def test_the_fee_payer_comes_first_then_legal_representatives_in_file_order() -> None:
    links = [
        link("contact", 0, level=3),
        link("mother", 1),
        link("father", 2, fees=True),
        link("stepmother", 3),
    ]
    order = sorted(link_rows(links).items(), key=lambda item: item[1]["priority"])
    assert [person for (_, person), _ in order] == ["father", "mother", "stepmother", "contact"]


def test_more_than_two_legal_representatives_are_kept() -> None:
    export = load_export([SMALL])
    desired, ignored = plan_links(
        export, {"9001": 1, "9002": 2}, {f"800{n}": n for n in range(1, 6)}
    )
    assert ignored == 1  # the link to student 9999, absent from the students file
    legal = sorted(p for (s, p), row in desired.items() if s == 1 and row["level"] == 1)
    assert legal == [1, 2, 3]


def test_students_are_matched_on_eleve_id_then_ine_then_elenoet() -> None:
    export = load_export([SMALL])
    stored = [
        StoredStudent(10, "9001", None, None),
        StoredStudent(11, None, "222222222BB", None),  # entered by hand, INE known
        StoredStudent(12, None, None, "103"),  # ELENOET without its leading zero
    ]
    matched = match_students(stored, export)
    assert {key: found.id for key, found in matched.items()} == {"9001": 10, "9002": 11, "9003": 12}


def test_enrolments_follow_moves_arrivals_and_departures() -> None:
    opened = {
        1: OpenEnrolment(100, division_id=4, starts_on=SEPT_1),  # stays
        2: OpenEnrolment(101, division_id=4, starts_on=SEPT_1),  # moves to 5
        3: OpenEnrolment(102, division_id=4, starts_on=SEPT_1),  # leaves
        6: OpenEnrolment(103, division_id=4, starts_on=SEPT_1),  # loses their division
    }
    finals = {
        1: {"active": True, "division_id": 4},
        2: {"active": True, "division_id": 5},
        3: {"active": False, "division_id": 4, "left_on": date(2025, 10, 14)},
        4: {"active": True, "division_id": 5, "entered_on": date(2025, 10, 6)},  # new
        5: {"active": True, "division_id": 5, "entered_on": date(2019, 9, 2)},  # not new
        6: {"active": True, "division_id": None},
    }
    plan = plan_enrolments(finals, opened, {4}, SEPT_1, EXPORT_DAY)
    assert plan.closes == [(101, EXPORT_DAY), (102, date(2025, 10, 14)), (103, EXPORT_DAY)]
    assert plan.opens == [(2, 5, EXPORT_DAY), (4, 5, date(2025, 10, 6)), (5, 5, EXPORT_DAY)]


def test_a_new_student_who_entered_years_ago_starts_with_the_year() -> None:
    finals = {7: {"active": True, "division_id": 5, "entered_on": date(2022, 9, 1)}}
    plan = plan_enrolments(finals, {}, {7}, SEPT_1, EXPORT_DAY)
    assert plan.opens == [(7, 5, SEPT_1)]


def test_contacts_keep_staff_points_and_operational_states() -> None:
    export = load_export([SMALL])
    export = replace(export, persons=export.persons[:1])  # 8001: mobile, landline, email, home
    stored = [
        StoredContact(1, 1, "TEL_PORTABLE", "mobile", "+33612345678"),  # same number
        StoredContact(2, 1, "TEL_PROFESSIONNEL", "landline", "+33100000000"),  # now empty
        StoredContact(3, 1, None, "email", "anne.coeur@example.org"),  # entered by staff
        StoredContact(4, 2, "TEL_PORTABLE", "mobile", "+33700000000"),  # person not in files
    ]
    plan = plan_contacts(export, {"8001": 1}, stored)
    assert set(plan.desired) == {(1, "TEL_PORTABLE"), (1, "TEL_PERSONNEL"), (1, "ADRESSE")}
    assert "usability" not in plan.desired[(1, "TEL_PORTABLE")]  # kept as the gateway set it
    assert plan.desired[(1, "TEL_PERSONNEL")]["usability"] == "ok"
    assert [c.id for c in plan.gone] == [2]
