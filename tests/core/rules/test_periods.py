"""Reporting periods as values: the trimesters and semesters proposed from a year's bounds,
what makes a list of periods wrong, and the absences file SIECLE reads."""

from __future__ import annotations

from datetime import date

import pytest
from defusedxml import ElementTree

from core.rules.periods import MAX_PERIODS, Cut, PeriodSpan, period_problem, propose
from core.rules.siecle_absences import AbsenceLine, absences_xml, whole_half_days

FIRST, LAST = date(2026, 9, 1), date(2027, 7, 4)


def test_trimesters_and_semesters_cut_the_year_in_equal_parts_without_gap() -> None:
    assert propose(Cut.TRIMESTERS, FIRST, LAST) == [
        (date(2026, 9, 1), date(2026, 12, 11)),
        (date(2026, 12, 12), date(2027, 3, 24)),
        (date(2027, 3, 25), date(2027, 7, 4)),
    ]
    assert propose(Cut.SEMESTERS, FIRST, LAST) == [
        (date(2026, 9, 1), date(2027, 2, 1)),
        (date(2027, 2, 2), date(2027, 7, 4)),
    ]


def span(name: str, first: tuple[int, int, int], last: tuple[int, int, int]) -> PeriodSpan:
    return PeriodSpan(name, date(*first), date(*last))


T1 = span("T1", (2026, 9, 1), (2026, 11, 30))
T2 = span("T2", (2026, 12, 1), (2027, 3, 15))


@pytest.mark.parametrize(
    ("periods", "code"),
    [
        ([T1, T2], None),
        ([], None),
        ([T1, span("T2", (2026, 12, 7), (2027, 3, 15))], None),  # a gap is allowed
        ([span("  ", (2026, 9, 1), (2026, 9, 30))], "period_name"),
        ([span("x" * 61, (2026, 9, 1), (2026, 9, 30))], "period_name"),
        ([span("T1", (2026, 9, 30), (2026, 9, 1))], "period_dates"),
        ([span("T1", (2026, 8, 31), (2026, 9, 30))], "period_outside"),
        ([span("T3", (2027, 3, 16), (2027, 7, 5))], "period_outside"),
        ([T1, span("T2", (2026, 11, 30), (2027, 3, 15))], "period_overlap"),
        ([T2, T1], "period_order"),
        ([T1, span(" t1 ", (2026, 12, 1), (2027, 3, 15))], "period_name_repeated"),
        ([span(f"P{i}", (2026, 9, i + 1), (2026, 9, i + 1)) for i in range(13)], "period_count"),
    ],
)
def test_a_list_of_periods_is_refused_for_its_first_problem(
    periods: list[PeriodSpan], code: str | None
) -> None:
    found = period_problem(periods, FIRST, LAST)
    assert (found[0] if found else None) == code
    assert MAX_PERIODS == 12


def test_proportional_figures_round_to_the_nearest_whole_half_day() -> None:
    assert [whole_half_days(x) for x in (0.0, 0.49, 0.5, 1.5, 2.25, 2.5, 7.0)] == [
        0,
        0,
        1,
        2,
        2,
        3,
        7,
    ]


def test_the_file_is_latin_1_with_its_declaration_and_one_line_per_student() -> None:
    data = absences_xml([AbsenceLine("1001", 3.0, 2.0, 1), AbsenceLine("1002", 1.5, 0.5, 0)])
    assert data.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<exportAbsence>')
    root = ElementTree.fromstring(data)
    assert root.tag == "exportAbsence"
    assert [dict(e.attrib) for e in root] == [
        {"elenoet": "1001", "nbAbs": "3", "nbNonJustif": "2", "nbRet": "1"},
        {"elenoet": "1002", "nbAbs": "2", "nbNonJustif": "1", "nbRet": "0"},
    ]
    assert ElementTree.fromstring(absences_xml([])).tag == "exportAbsence"
