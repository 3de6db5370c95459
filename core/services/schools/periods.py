"""The reporting periods of the current school year (trimestres, semestres or a list of the
school's own), set all at once: checked (:func:`core.rules.periods.period_problem`), written in
one transaction with one audit row holding the list before and after. A period that stays in
its place (the first, the second…) keeps its id, so an export named by id still names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tortoise.transactions import in_transaction

from core.errors import Invalid
from core.i18n import N_
from core.models import Period, School, SchoolYear
from core.queries.years import current_row, current_year
from core.rules.periods import Cut, PeriodSpan, clean_name, period_problem, propose
from core.services import audit
from core.services.audit import Actor

NAMES = {
    Cut.TRIMESTERS: (N_("1er trimestre"), N_("2e trimestre"), N_("3e trimestre")),
    Cut.SEMESTERS: (N_("1er semestre"), N_("2e semestre")),
}
REFUSALS = {
    "period_count": "a school year has at most {most} periods",
    "period_name": "a period is named with 1 to {most} characters",
    "period_name_repeated": "two periods are named {name!r}",
    "period_dates": "the period {name!r} ends before it starts",
    "period_outside": "the period {name!r} is not inside the school year ({first} to {last})",
    "period_order": "the period {name!r} starts before {previous!r}: give them in order",
    "period_overlap": "the period {name!r} overlaps {previous!r}",
}


def proposal(cut: Cut, first: date, last: date) -> list[PeriodSpan]:
    """Trimesters or semesters cut from the year ``first``–``last``, named in French (the
    panel shows the names in the reader's language); nothing is stored."""
    return [
        PeriodSpan(name, starts_on, ends_on)
        for name, (starts_on, ends_on) in zip(NAMES[cut], propose(cut, first, last), strict=True)
    ]


def _state(periods: Sequence[Period | PeriodSpan]) -> list[dict[str, object]]:
    return [
        {"name": p.name, "starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat()}
        for p in periods
    ]


async def _year_row(school: School, today: date) -> SchoolYear:
    """The current year's row, made with its dates when the school has none yet (locked)."""
    row = await current_row(school.id)
    if row is None:
        start_year, starts_on, ends_on = await current_year(school.id, today)
        row = await SchoolYear.create(
            school_id=school.id, start_year=start_year, starts_on=starts_on, ends_on=ends_on
        )
    return await SchoolYear.select_for_update().get(id=row.id)


async def set_periods(
    school: School, periods: Sequence[PeriodSpan], actor: Actor, *, today: date
) -> list[Period]:
    """Make ``periods`` (in order) the current year's periods, all or nothing; an empty list
    removes them. Refused with :class:`Invalid` and the code of
    :func:`~core.rules.periods.period_problem` (``period_name``, ``period_outside``,
    ``period_overlap``…). Nothing changed: no write, no audit row."""
    wanted = [PeriodSpan(clean_name(p.name), p.starts_on, p.ends_on) for p in periods]
    async with in_transaction():
        year = await _year_row(school, today)
        problem = period_problem(wanted, year.starts_on, year.ends_on)
        if problem is not None:
            code, params = problem
            raise Invalid(REFUSALS[code].format(**params), code=code, **params)
        stored = list(await Period.filter(year_id=year.id).order_by("starts_on", "id"))
        if _state(stored) == _state(wanted):
            return stored
        before = _state(stored)
        result = await _write(year, stored, wanted)
        await audit.record(
            actor,
            "period.set",
            year,
            school_id=school.id,
            before={"periods": before},
            after={"periods": _state(result)},
        )
    return result


async def _write(year: SchoolYear, stored: list[Period], wanted: list[PeriodSpan]) -> list[Period]:
    """Each place's row changed in place, new places created, places gone deleted."""
    gone = [p.id for p in stored[len(wanted) :]]
    if gone:
        await Period.filter(id__in=gone).delete()
    result: list[Period] = []
    for index, span in enumerate(wanted):
        if index < len(stored):
            row = stored[index]
            row.name, row.starts_on, row.ends_on = span.name, span.starts_on, span.ends_on
            await row.save(update_fields=["name", "starts_on", "ends_on"])
        else:
            row = await Period.create(
                year_id=year.id, name=span.name, starts_on=span.starts_on, ends_on=span.ends_on
            )
        result.append(row)
    return result
