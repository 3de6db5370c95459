"""The Ministry's monthly absenteeism indicator (DEPP), from plain values.

A student is *enrolled* in a month when they had a division on one of its days (arrivals and
leavers included); they are *over the threshold* with 4 or more unjustified half-days in the
month, counted in the school's mode. The rate is over / enrolled. A student who changed
division during the month is placed in the last one (so divisions and levels add up to the
school). See README « Statistiques ».
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import NamedTuple

from core.rules.calendar import SchoolCalendar
from core.rules.counting import CountingMode

DEPP_THRESHOLD = 4
Month = tuple[int, int]
NO_LEVEL = ""


def half_day_weight(mode: CountingMode, lesson_seconds: int, missed_seconds: int) -> float:
    """What one half-day weighs in ``mode`` (rules.counting.Coverage.value on stored seconds)."""
    if missed_seconds <= 0 or lesson_seconds <= 0:
        return 0.0
    if mode == CountingMode.RAW:
        return 1.0
    if mode == CountingMode.COMPLETE:
        return 1.0 if missed_seconds >= lesson_seconds else 0.0
    return min(missed_seconds, lesson_seconds) / lesson_seconds


class Placement(NamedTuple):
    """Where a student enrolled in the month is counted."""

    student_id: int
    division: str
    level: str = NO_LEVEL
    level_label: str = ""


@dataclass(slots=True)
class Rate:
    enrolled: int = 0
    over_threshold: int = 0
    label: str = ""

    @property
    def rate(self) -> float:
        return self.over_threshold / self.enrolled if self.enrolled else 0.0

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {
            "enrolled": self.enrolled,
            "over_threshold": self.over_threshold,
            "rate": round(self.rate, 6),
        }
        if self.label:
            found["label"] = self.label
        return found


@dataclass(slots=True)
class MonthIndicator:
    month: Month
    total: Rate = field(default_factory=Rate)
    by_level: dict[str, Rate] = field(default_factory=dict)
    by_division: dict[str, Rate] = field(default_factory=dict)
    over: list[int] = field(default_factory=list)  # the students over the threshold
    enrolled: set[int] = field(default_factory=set)  # the students placed in the month

    def as_json(self) -> dict[str, object]:
        year, number = self.month
        return {
            "month": f"{year:04d}-{number:02d}",
            **self.total.as_json(),
            "by_level": {k: v.as_json() for k, v in sorted(self.by_level.items())},
            "by_division": {k: v.as_json() for k, v in sorted(self.by_division.items())},
        }


def month_indicator(
    month: Month,
    placements: Iterable[Placement],
    unjustified: Mapping[int, float],
    threshold: int = DEPP_THRESHOLD,
) -> MonthIndicator:
    """The indicator of one month: ``unjustified`` gives each student's unjustified half-days
    in the month (missing: none); every placed student is enrolled."""
    result = MonthIndicator(month)
    groups: Counter[Group] = Counter()
    for placed in placements:
        result.enrolled.add(placed.student_id)
        over = unjustified.get(placed.student_id, 0.0) >= threshold
        groups[placed.division, placed.level, placed.level_label, over] += 1
        if over:
            result.over.append(placed.student_id)
    result.over.sort()
    return add_groups(result, groups.items())


# Students counted together: their division, level and its label, over the threshold or not.
Group = tuple[str, str, str, bool]


def add_groups(result: MonthIndicator, groups: Iterable[tuple[Group, int]]) -> MonthIndicator:
    """Add to ``result`` how many students each group holds (the totals, by division and by
    level); what :func:`month_indicator` does once it has grouped the students, and what a
    reader that counted the groups in SQL does with its rows."""
    for (division, level, label, over), count in groups:
        _add(result.by_division.setdefault(division, Rate()), count, over)
        _add(result.total, count, over)
        rate = result.by_level.get(level)
        if rate is None:
            rate = result.by_level[level] = Rate(label=label)
        _add(rate, count, over)
    return result


def _add(rate: Rate, count: int, over: bool) -> None:
    rate.enrolled += count
    if over:
        rate.over_threshold += count


def survey_months(start_year: int) -> list[Month]:
    """September to April of the school year starting in ``start_year`` (the DEPP's mean)."""
    return [(start_year, m) for m in range(9, 13)] + [(start_year + 1, m) for m in range(1, 5)]


def mean_rate(rates: Sequence[float]) -> float | None:
    return statistics.fmean(rates) if rates else None


@dataclass(frozen=True, slots=True)
class Spread:
    """How the schools of an academy compare in a month."""

    median: float | None
    top_decile: float | None  # the rate above which the top 10 % of schools lie


def spread(rates: Sequence[float]) -> Spread:
    if not rates:
        return Spread(None, None)
    ordered = sorted(rates)
    if len(ordered) == 1:
        return Spread(ordered[0], ordered[0])
    return Spread(statistics.median(ordered), statistics.quantiles(ordered, n=10)[-1])


def calendar_fingerprint(calendar: SchoolCalendar) -> str:
    """A digest of everything in the calendar that decides lesson time (zone, midday, slots,
    closures, how slots are split): two calendars with the same digest count the same."""
    parts = []
    for name in (f.name for f in fields(calendar)):
        value = getattr(calendar, name)
        if isinstance(value, frozenset | set):
            value = sorted(value)
        elif isinstance(value, tuple):
            value = sorted(value, key=repr)
        parts.append(repr(value))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def month_of(day: date) -> Month:
    return (day.year, day.month)
