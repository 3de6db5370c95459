"""The printable reports of the statistics page: the conseil de classe's, of one division over a
period (its figures, and each of its students' half-days and lateness: queries.period_counts),
and the conseil d'administration's, of the whole school over a school year (its figures, and
how many students reached the legal threshold each month: queries.legal, counts only, no
names). Each report made leaves an audit row (who took which figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.errors import Invalid
from core.models import School
from core.queries.calendar import load_calendar
from core.queries.legal import MonthCrossings, crossings_per_month
from core.queries.period_counts import StudentCount, period_counts
from core.queries.stats_page import Selection
from core.rules.dated_notices import months_between
from core.services import audit
from core.services.audit import Actor
from core.services.stats.absenteeism import enrolled
from core.services.stats.indicators import Indicators, indicators

ACTION = "stats.report"


@dataclass(frozen=True, slots=True)
class DivisionReport:
    found: Indicators
    students: list[StudentCount]  # by name


@dataclass(frozen=True, slots=True)
class YearReport:
    found: Indicators
    crossings: list[MonthCrossings]  # the year's months begun, the first first


async def _audit(
    actor: Actor, school: School, selection: Selection, kind: str, **more: object
) -> None:
    await audit.record(
        actor,
        ACTION,
        "stats",
        school_id=school.id,
        after={
            "report": kind,
            "first": selection.span.first,
            "last": selection.span.last,
            **more,
        },
    )


async def division_report(
    school: School, selection: Selection, actor: Actor, *, today: date, now: datetime
) -> DivisionReport:
    """The conseil de classe's report of the selection's division (:class:`Invalid` when the
    selection is not one division); audited."""
    scope = selection.scope
    if scope.kind != "division":
        raise Invalid("the report is about one division", code="stats_report_division")
    found = await indicators(school, selection, today=today, now=now)
    first, last = selection.span.first, selection.span.last
    placed = await enrolled(school, first, last)
    ids = {p.student_id for p in placed.placements if scope.holds(p)}
    counts = await period_counts(school, first, last, now=now)
    students = [row for row in counts if row.student_id in ids]
    await _audit(actor, school, selection, "division", division=scope.key, students=len(ids))
    return DivisionReport(found, students)


async def year_report(
    school: School, selection: Selection, actor: Actor, *, today: date, now: datetime
) -> YearReport:
    """The conseil d'administration's report of the school over the selection's school year
    (the selection is the whole school's); audited."""
    found = await indicators(school, selection, today=today, now=now)
    months = months_between(selection.span.first, selection.span.last)
    crossings = await crossings_per_month(school, await load_calendar(school), months, now)
    await _audit(actor, school, selection, "year", year=selection.start_year)
    return YearReport(found, crossings)
