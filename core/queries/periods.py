"""A school's reporting periods (trimestres, semestres) as the settings, the exports and the
API read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.models import Period, School
from core.queries.years import current_row, current_year


@dataclass(frozen=True, slots=True)
class YearPeriods:
    """The current school year (its first year, first and last day of lessons) and its
    periods in order."""

    start_year: int
    starts_on: date
    ends_on: date
    periods: list[Period]


async def year_periods(school: School, today: date) -> YearPeriods:
    """The current year's periods (none when the year has no row yet)."""
    start_year, starts_on, ends_on = await current_year(school.id, today)
    row = await current_row(school.id)
    periods: list[Period] = []
    if row is not None:
        periods = list(await Period.filter(year_id=row.id).order_by("starts_on", "id"))
    return YearPeriods(start_year, starts_on, ends_on, periods)


async def school_period(school: School, period_id: int) -> Period | None:
    """One of the school's periods, of any year (None: not one of the school's)."""
    return await Period.get_or_none(id=period_id, year__school_id=school.id)
