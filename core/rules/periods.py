"""A school's reporting periods (trimestres, semestres): a proposal cut from the year's bounds,
and what makes a list of periods wrong (pure values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MAX_PERIODS = 12  # more than any school cuts its year into
MAX_NAME = 60  # the column's length


class Cut(StrEnum):
    """How a year is cut into periods for a proposal."""

    TRIMESTERS = "trimesters"
    SEMESTERS = "semesters"


PARTS = {Cut.TRIMESTERS: 3, Cut.SEMESTERS: 2}


@dataclass(frozen=True, slots=True)
class PeriodSpan:
    """One period as given: its name and its first and last day (both included)."""

    name: str
    starts_on: date
    ends_on: date


def propose(cut: Cut, first: date, last: date) -> list[tuple[date, date]]:
    """The year ``first``–``last`` cut in equal parts of days (three trimesters, two semesters),
    each starting the day after the previous one ends: 1 September–4 July gives trimesters
    ending on 11 December and 24 March, semesters on 1 February."""
    parts = PARTS[cut]
    days = (last - first).days + 1
    bounds = [first + timedelta(days=round(days * i / parts)) for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1] - timedelta(days=1)) for i in range(parts)]


def clean_name(name: str) -> str:
    """A period's name with its spaces collapsed."""
    return " ".join(name.split())


Problem = tuple[str, dict[str, object]]


def _one_problem(period: PeriodSpan, first: date, last: date) -> Problem | None:
    name = clean_name(period.name)
    if not name or len(name) > MAX_NAME or "\x00" in name:
        return "period_name", {"most": MAX_NAME}
    if period.ends_on < period.starts_on:
        return "period_dates", {"name": name}
    if period.starts_on < first or period.ends_on > last:
        return "period_outside", {
            "name": name,
            "first": f"{first:%d/%m/%Y}",
            "last": f"{last:%d/%m/%Y}",
        }
    return None


def period_problem(periods: list[PeriodSpan], first: date, last: date) -> Problem | None:
    """Why ``periods`` cannot be the periods of the year ``first``–``last`` (a code and the
    values its sentence names), or None: at most :data:`MAX_PERIODS`, each named (1 to
    :data:`MAX_NAME` characters, no two alike), ending after it starts, inside the year, in
    order and without overlapping (a gap between two is allowed)."""
    if len(periods) > MAX_PERIODS:
        return "period_count", {"most": MAX_PERIODS}
    seen: set[str] = set()
    for index, period in enumerate(periods):
        found = _one_problem(period, first, last)
        if found is not None:
            return found
        name = clean_name(period.name)
        if name.casefold() in seen:
            return "period_name_repeated", {"name": name}
        seen.add(name.casefold())
        if index == 0:
            continue
        previous = periods[index - 1]
        if period.starts_on < previous.starts_on:
            return "period_order", {"name": name, "previous": clean_name(previous.name)}
        if period.starts_on <= previous.ends_on:
            return "period_overlap", {"name": name, "previous": clean_name(previous.name)}
    return None
