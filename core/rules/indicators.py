"""The statistics page's arithmetic, from plain values: a tally of missed half-days in every
counting mode, students enrolled per day, the lesson time they had, ISO weeks compared with the
previous year's.

A stored missed half-day (models.MissedHalfDay) gives its lesson seconds and the seconds missed
by the absences that count (all) and by the unjustified ones; a :class:`Tally` adds such rows
up so that each counting mode reads from it (rules.absenteeism.half_day_weight, summed): raw
(missed > 0), complete (missed = lesson), proportional (missed / lesson).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.rules.absenteeism import half_day_weight
from core.rules.calendar import Half, HalfDayKey, SchoolCalendar
from core.rules.counting import CountingMode

MAX_SPAN_DAYS = 366  # a free range of dates: one school year at most
Week = tuple[int, int]  # ISO year, ISO week


@dataclass(slots=True)
class Tally:
    """Missed half-days added up: per counting mode, all (justified or not) and unjustified,
    and the seconds of lesson time missed."""

    raw: float = 0.0
    raw_unjustified: float = 0.0
    complete: float = 0.0
    complete_unjustified: float = 0.0
    proportional: float = 0.0
    proportional_unjustified: float = 0.0
    seconds: int = 0
    seconds_unjustified: int = 0

    def add_group(
        self,
        lesson_seconds: int,
        rows: int,
        unjustified_rows: int,
        complete_rows: int,
        complete_unjustified_rows: int,
        seconds: int,
        seconds_unjustified: int,
    ) -> None:
        """Add ``rows`` half-days of the same lesson length (an SQL group): how many were
        missed unjustified at all, in full, in full unjustified, and the seconds missed."""
        self.raw += rows
        self.raw_unjustified += unjustified_rows
        self.complete += complete_rows
        self.complete_unjustified += complete_unjustified_rows
        if lesson_seconds > 0:
            self.proportional += min(seconds, rows * lesson_seconds) / lesson_seconds
            self.proportional_unjustified += (
                min(seconds_unjustified, rows * lesson_seconds) / lesson_seconds
            )
        self.seconds += seconds
        self.seconds_unjustified += seconds_unjustified

    def add_row(self, lesson_seconds: int, missed: int, unjustified: int) -> None:
        """Add one half-day (lesson, all and unjustified seconds missed)."""
        weights = [
            half_day_weight(mode, lesson_seconds, seconds)
            for mode in (CountingMode.RAW, CountingMode.COMPLETE, CountingMode.PROPORTIONAL)
            for seconds in (missed, unjustified)
        ]
        self.raw += weights[0]
        self.raw_unjustified += weights[1]
        self.complete += weights[2]
        self.complete_unjustified += weights[3]
        self.proportional += weights[4]
        self.proportional_unjustified += weights[5]
        self.seconds += missed
        self.seconds_unjustified += unjustified

    def add(self, other: Tally) -> None:
        self.raw += other.raw
        self.raw_unjustified += other.raw_unjustified
        self.complete += other.complete
        self.complete_unjustified += other.complete_unjustified
        self.proportional += other.proportional
        self.proportional_unjustified += other.proportional_unjustified
        self.seconds += other.seconds
        self.seconds_unjustified += other.seconds_unjustified

    def half_days(self, mode: CountingMode, *, unjustified: bool = False) -> float:
        """The half-days missed in ``mode`` (a proportional count to 2 decimals)."""
        if mode == CountingMode.RAW:
            return self.raw_unjustified if unjustified else self.raw
        if mode == CountingMode.COMPLETE:
            return self.complete_unjustified if unjustified else self.complete
        value = self.proportional_unjustified if unjustified else self.proportional
        return round(value, 2)


def total(tallies: Iterable[Tally]) -> Tally:
    found = Tally()
    for tally in tallies:
        found.add(tally)
    return found


def enrolled_per_day(stays: Iterable[tuple[date, date]], first: date, last: date) -> list[int]:
    """How many students had a division on each day from ``first`` to ``last`` (index 0 is
    ``first``), given each stay's first and last day (a student's stays do not overlap)."""
    days = (last - first).days + 1
    changes = [0] * (days + 1)
    for starts, ends in stays:
        lo, hi = max(starts, first), min(ends, last)
        if lo > hi:
            continue
        changes[(lo - first).days] += 1
        changes[(hi - first).days + 1] -= 1
    found, running = [], 0
    for change in changes[:days]:
        running += change
        found.append(running)
    return found


@dataclass(slots=True)
class LessonTime:
    """The lesson time the students had over the days: in all (student-seconds), and the
    student-half-days per weekday and half (how many chances to miss one there were)."""

    seconds: int = 0
    half_days: dict[tuple[int, Half], int] = field(default_factory=dict)


def lesson_time(calendar: SchoolCalendar, first: date, per_day: list[int]) -> LessonTime:
    """Each school half-day's lesson seconds (closed days and time zone followed) times the
    students enrolled that day (``per_day[0]`` is ``first``)."""
    found = LessonTime()
    for offset, enrolled in enumerate(per_day):
        if not enrolled:
            continue
        day = first + timedelta(days=offset)
        for half in Half:
            lessons = calendar.lesson_intervals(HalfDayKey(day, half))
            seconds = sum(int((end - start).total_seconds()) for start, end in lessons)
            if seconds:
                found.seconds += seconds * enrolled
                where = (day.weekday(), half)
                found.half_days[where] = found.half_days.get(where, 0) + enrolled
    return found


def share(part: float, whole: float) -> float | None:
    """``part`` / ``whole`` (None when there is no whole)."""
    return part / whole if whole else None


def week_of(day: date) -> Week:
    iso = day.isocalendar()
    return iso.year, iso.week


def weeks_of(first: date, last: date) -> list[Week]:
    """The ISO weeks the days touch, in order."""
    weeks: list[Week] = []
    day = first - timedelta(days=first.weekday())
    while day <= last:
        weeks.append(week_of(day))
        day += timedelta(days=7)
    return weeks


def same_week_last_year(week: Week) -> Week | None:
    """The week of the same ISO number a year before (None: that year had no week 53)."""
    year, number = week
    try:
        date.fromisocalendar(year - 1, number, 1)
    except ValueError:
        return None
    return year - 1, number


def week_days(week: Week) -> tuple[date, date]:
    """Monday and Sunday of an ISO week."""
    monday = date.fromisocalendar(week[0], week[1], 1)
    return monday, monday + timedelta(days=6)


def previous_span(weeks: list[Week]) -> tuple[date, date] | None:
    """The days of the previous year's weeks of the same numbers (None: none had one)."""
    before = [w for w in (same_week_last_year(week) for week in weeks) if w is not None]
    if not before:
        return None
    return week_days(before[0])[0], week_days(before[-1])[1]


def by_week(per_day: Mapping[date, float]) -> dict[Week, float]:
    """Values by day added up by ISO week."""
    found: dict[Week, float] = {}
    for day, value in per_day.items():
        week = week_of(day)
        found[week] = found.get(week, 0.0) + value
    return found
