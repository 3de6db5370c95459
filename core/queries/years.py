"""A school's years as the panel and the services read them: the current one, the latest
closed, what the next start and the retention mean."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.models import School, SchoolYear
from core.queries.common import school_year_dates
from core.rules.calendar import school_year_of, year_bounds
from core.rules.years import first_kept


async def current_row(school_id: int) -> SchoolYear | None:
    """The school's current year (the latest one marked current), if it has one."""
    return (
        await SchoolYear.filter(school_id=school_id, current=True).order_by("-start_year").first()
    )


async def current_year(school_id: int, today: date) -> tuple[int, date, date]:
    """The current school year (its row's, else the one holding ``today``) and its first and
    last day of lessons."""
    row = await current_row(school_id)
    if row is not None:
        return row.start_year, row.starts_on, row.ends_on
    start = school_year_of(today)
    return (start, *year_bounds(start))


async def closed_through(school_id: int) -> int | None:
    """The latest school year a year start closed (None: none is); every earlier one is
    closed too."""
    found = (
        await SchoolYear.filter(school_id=school_id, current=False)
        .order_by("-start_year")
        .first()
        .values_list("start_year", flat=True)
    )
    return None if found is None else int(str(found))


@dataclass(frozen=True, slots=True)
class Years:
    """What the « Année scolaire » card says."""

    current: int
    starts_on: date
    ends_on: date
    next_starts_on: date
    next_ends_on: date
    closed_through: int | None
    retention_years: int
    first_kept: int


async def years_of(school: School, today: date) -> Years:
    current, starts_on, ends_on = await current_year(school.id, today)
    next_starts_on, next_ends_on = await school_year_dates(school, current + 1)
    return Years(
        current,
        starts_on,
        ends_on,
        next_starts_on,
        next_ends_on,
        await closed_through(school.id),
        school.retention_years,
        first_kept(current, school.retention_years),
    )
