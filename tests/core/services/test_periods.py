"""Setting a school's reporting periods: proposed trimesters or semesters, a list of its own,
the refusals (nothing changes then), ids kept in place, one audit row per change."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import Invalid
from core.models import AuditEntry, Period, School, SchoolYear
from core.queries.periods import school_period, year_periods
from core.rules.periods import Cut, PeriodSpan
from core.services.audit import Actor
from core.services.schools.periods import proposal, set_periods

TODAY = date(2026, 3, 2)  # school A's year: 1 September 2025 to 4 July 2026


async def audit_rows(school: School) -> list[AuditEntry]:
    return list(await AuditEntry.filter(school=school, action="period.set").order_by("id"))


async def test_trimesters_then_semesters_keep_the_ids_in_place_and_are_audited(
    school_a: School, system: Actor
) -> None:
    years = await year_periods(school_a, TODAY)
    assert (years.start_year, years.periods) == (2025, [])
    made = await set_periods(
        school_a, proposal(Cut.TRIMESTERS, years.starts_on, years.ends_on), system, today=TODAY
    )
    assert [(p.name, p.starts_on, p.ends_on) for p in made] == [
        ("1er trimestre", date(2025, 9, 1), date(2025, 12, 11)),
        ("2e trimestre", date(2025, 12, 12), date(2026, 3, 24)),
        ("3e trimestre", date(2026, 3, 25), date(2026, 7, 4)),
    ]
    again = await set_periods(
        school_a, proposal(Cut.TRIMESTERS, years.starts_on, years.ends_on), system, today=TODAY
    )
    assert [p.id for p in again] == [p.id for p in made]
    assert len(await audit_rows(school_a)) == 1  # the same list again changes nothing

    semesters = [
        PeriodSpan("  Semestre   1 ", date(2025, 9, 1), date(2026, 1, 31)),
        PeriodSpan("Semestre 2", date(2026, 2, 1), date(2026, 7, 4)),
    ]
    changed = await set_periods(school_a, semesters, system, today=TODAY)
    assert [p.id for p in changed] == [p.id for p in made[:2]]
    assert [p.name for p in (await year_periods(school_a, TODAY)).periods] == [
        "Semestre 1",
        "Semestre 2",
    ]
    assert not await Period.exists(id=made[2].id)
    rows = await audit_rows(school_a)
    assert len(rows) == 2 and rows[1].actor_label == "tests"
    assert rows[1].before == {"periods": rows[0].after["periods"]}  # type: ignore[index]
    assert rows[1].after == {
        "periods": [
            {"name": "Semestre 1", "starts_on": "2025-09-01", "ends_on": "2026-01-31"},
            {"name": "Semestre 2", "starts_on": "2026-02-01", "ends_on": "2026-07-04"},
        ]
    }
    assert await set_periods(school_a, [], system, today=TODAY) == []
    assert await Period.filter(year__school=school_a).count() == 0


@pytest.mark.parametrize(
    ("periods", "code"),
    [
        ([PeriodSpan("", date(2025, 9, 1), date(2025, 12, 1))], "period_name"),
        ([PeriodSpan("T1", date(2025, 12, 1), date(2025, 9, 1))], "period_dates"),
        ([PeriodSpan("T1", date(2025, 8, 25), date(2025, 12, 1))], "period_outside"),
        ([PeriodSpan("T3", date(2026, 4, 1), date(2026, 7, 31))], "period_outside"),
        (
            [
                PeriodSpan("T1", date(2025, 9, 1), date(2025, 12, 1)),
                PeriodSpan("T2", date(2025, 12, 1), date(2026, 3, 1)),
            ],
            "period_overlap",
        ),
        (
            [
                PeriodSpan("T2", date(2025, 12, 2), date(2026, 3, 1)),
                PeriodSpan("T1", date(2025, 9, 1), date(2025, 12, 1)),
            ],
            "period_order",
        ),
        (
            [
                PeriodSpan("T1", date(2025, 9, 1), date(2025, 12, 1)),
                PeriodSpan("t1", date(2025, 12, 2), date(2026, 3, 1)),
            ],
            "period_name_repeated",
        ),
    ],
)
async def test_a_refused_list_changes_nothing(
    school_a: School, system: Actor, periods: list[PeriodSpan], code: str
) -> None:
    kept = await set_periods(
        school_a, [PeriodSpan("Année", date(2025, 9, 1), date(2026, 7, 4))], system, today=TODAY
    )
    with pytest.raises(Invalid) as refused:
        await set_periods(school_a, periods, system, today=TODAY)
    assert refused.value.code == code
    now = (await year_periods(school_a, TODAY)).periods
    assert [(p.id, p.name) for p in now] == [(kept[0].id, "Année")]
    assert len(await audit_rows(school_a)) == 1


async def test_a_school_sees_only_its_own_periods(
    school_a: School, school_b: School, system: Actor
) -> None:
    span = [PeriodSpan("T1", date(2025, 9, 1), date(2025, 12, 1))]
    mine = (await set_periods(school_a, span, system, today=TODAY))[0]
    assert (await school_period(school_a, mine.id)) is not None
    assert await school_period(school_b, mine.id) is None
    assert (await year_periods(school_b, TODAY)).periods == []


async def test_a_school_without_a_year_row_gets_one_with_its_periods(
    school_a: School, system: Actor
) -> None:
    await SchoolYear.filter(school=school_a).delete()  # as a school made before years were kept
    span = [PeriodSpan("Semestre 1", date(2025, 9, 1), date(2026, 1, 31))]
    await set_periods(school_a, span, system, today=TODAY)
    year = await SchoolYear.get(school=school_a)
    assert (year.start_year, year.starts_on, year.ends_on, year.current) == (
        2025,
        date(2025, 9, 1),
        date(2026, 7, 4),
        True,
    )
    assert [p.name for p in (await year_periods(school_a, TODAY)).periods] == ["Semestre 1"]
