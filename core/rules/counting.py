"""Counting missed half-days, lateness versus absence, monthly counts and alert thresholds.

Pure functions over plain values (stdlib only). See docs/domain.md §2–§4: no national
algorithm is published, so the counting mode, the midday boundary and the lateness threshold
are school settings passed in by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from core.rules.calendar import (
    Half,
    HalfDayKey,
    Interval,
    SchoolCalendar,
    local_date,
    merge_intervals,
    require_aware,
)

_ONE_SECOND = timedelta(seconds=1)
_TINY = timedelta(microseconds=1)

AlertLevel = Literal["none", "threshold", "persistent"]


class CountingMode(StrEnum):
    """How a touched half-day is counted."""

    RAW = "raw"  # any absence touching a half-day counts it once
    COMPLETE = "complete"  # only half-days missed in full
    PROPORTIONAL = "proportional"  # the share of the half-day's lesson time missed


class EventKind(StrEnum):
    """Kinds of attendance events seen in practice."""

    ABSENCE = "absence"
    LATENESS = "lateness"
    EARLY_DEPARTURE = "early_departure"
    LEFT_CLASS = "left_class"
    INFIRMARY = "infirmary"
    EXEMPTION = "exemption"
    EXCLUSION = "exclusion"


DEFAULT_COUNTED_KINDS: frozenset[EventKind] = frozenset({EventKind.ABSENCE})


@dataclass(frozen=True)
class Coverage:
    """How much of one half-day's lesson time an interval (or a union) covers."""

    key: HalfDayKey
    lesson_seconds: int
    missed_seconds: int

    def __post_init__(self) -> None:
        if not 0 <= self.missed_seconds <= self.lesson_seconds:
            raise ValueError(
                f"need 0 <= missed ({self.missed_seconds}) <= lesson ({self.lesson_seconds})"
            )

    @property
    def complete(self) -> bool:
        """True if all the half-day's lesson time was missed."""
        return self.lesson_seconds > 0 and self.missed_seconds == self.lesson_seconds

    @property
    def fraction(self) -> float:
        """Share of the lesson time missed, 0.0 to 1.0."""
        return self.missed_seconds / self.lesson_seconds if self.lesson_seconds else 0.0

    def value(self, mode: CountingMode) -> float:
        """What this half-day weighs in the given counting mode."""
        if mode == CountingMode.RAW:
            return 1.0 if self.missed_seconds > 0 else 0.0
        if mode == CountingMode.COMPLETE:
            return 1.0 if self.complete else 0.0
        return self.fraction


def _seconds(delta: timedelta) -> int:
    return delta // _ONE_SECOND


def _length(intervals: list[Interval]) -> int:
    return _seconds(sum((end - start for start, end in intervals), timedelta()))


def _check_interval(start: datetime, end: datetime) -> None:
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        raise ValueError(f"end {end} must be after start {start}")


def _candidate_keys(
    calendar: SchoolCalendar, start: datetime, end: datetime
) -> Iterator[HalfDayKey]:
    day = local_date(start, calendar.tz)
    last = local_date(end - _TINY, calendar.tz)
    while day <= last:
        yield HalfDayKey(day, Half.MORNING)
        yield HalfDayKey(day, Half.AFTERNOON)
        day += timedelta(days=1)


def _overlap(lessons: list[Interval], start: datetime, end: datetime) -> timedelta:
    total = timedelta()
    for lesson_start, lesson_end in lessons:
        lo, hi = max(lesson_start, start), min(lesson_end, end)
        if lo < hi:
            total += hi - lo
    return total


def union_coverage(calendar: SchoolCalendar, intervals: Iterable[Interval]) -> list[Coverage]:
    """Coverage of the union of intervals: each touched school half-day once, sorted."""
    merged = merge_intervals(list(intervals))
    lessons: dict[HalfDayKey, list[Interval]] = {}
    missed: dict[HalfDayKey, timedelta] = {}
    for start, end in merged:
        for key in _candidate_keys(calendar, start, end):
            if key not in lessons:
                lessons[key] = calendar.lesson_intervals(key)
            overlap = _overlap(lessons[key], start, end)
            if overlap:
                missed[key] = missed.get(key, timedelta()) + overlap
    result = [Coverage(key, _length(lessons[key]), _seconds(gap)) for key, gap in missed.items()]
    return sorted((c for c in result if c.missed_seconds > 0), key=lambda c: c.key)


def coverage(calendar: SchoolCalendar, start: datetime, end: datetime) -> list[Coverage]:
    """School half-days that [start, end) overlaps, with lesson and missed seconds, sorted.

    Raises ValueError on naive datetimes or when end <= start.
    """
    _check_interval(start, end)
    return union_coverage(calendar, [(start, end)])


def total_weight(values: Iterable[float], mode: CountingMode) -> float:
    """Half-days' weights added up as ``mode`` counts them (proportional: to 2 decimals)."""
    total = math.fsum(values)
    return round(total, 2) if mode == CountingMode.PROPORTIONAL else total


def half_day_count(coverages: Iterable[Coverage], mode: CountingMode) -> float:
    """Count half-days: RAW touched, COMPLETE missed in full, PROPORTIONAL sum of fractions.

    The proportional sum is rounded to 2 decimals.
    """
    return total_weight((c.value(mode) for c in coverages), mode)


def classify_duration(
    start: datetime, end: datetime | None, lateness_threshold_minutes: int
) -> EventKind:
    """LATENESS if the record lasts less than the threshold, else ABSENCE (open-ended too)."""
    require_aware(start, "start")
    if lateness_threshold_minutes < 0:
        raise ValueError("lateness_threshold_minutes must be >= 0")
    if end is None:
        return EventKind.ABSENCE
    _check_interval(start, end)
    if end - start < timedelta(minutes=lateness_threshold_minutes):
        return EventKind.LATENESS
    return EventKind.ABSENCE


@dataclass(frozen=True)
class CountableEvent:
    """What counting needs to know about an event.

    `counts`: whether the reason counts as missed attendance; `accepted`: whether the reason
    was accepted (None: not decided yet); `end` None: open-ended.
    """

    start: datetime
    end: datetime | None
    kind: EventKind
    counts: bool
    accepted: bool | None
    deleted: bool = False

    def __post_init__(self) -> None:
        require_aware(self.start, "start")
        if self.end is not None:
            _check_interval(self.start, self.end)

    def interval(self, now: datetime) -> Interval | None:
        """[start, end), an open-ended event running until `now`; None if empty."""
        end = now if self.end is None else self.end
        return (self.start, end) if self.start < end else None


def _eligible(event: CountableEvent, kinds: frozenset[EventKind], justified_too: bool) -> bool:
    if event.deleted or not event.counts or event.kind not in kinds:
        return False
    return justified_too or event.accepted is not True


def missed_coverage(
    calendar: SchoolCalendar,
    events: Iterable[CountableEvent],
    *,
    now: datetime,
    justified_too: bool = False,
    kinds: frozenset[EventKind] = DEFAULT_COUNTED_KINDS,
) -> list[Coverage]:
    """Coverage of the union of the counted events (see missed_half_days), sorted by key."""
    require_aware(now, "now")
    intervals: list[Interval] = []
    for event in events:
        if _eligible(event, kinds, justified_too):
            interval = event.interval(now)
            if interval is not None:
                intervals.append(interval)
    return union_coverage(calendar, intervals)


def missed_half_days(
    calendar: SchoolCalendar,
    events: Iterable[CountableEvent],
    *,
    now: datetime,
    justified_too: bool = False,
    mode: CountingMode = CountingMode.RAW,
    kinds: frozenset[EventKind] = DEFAULT_COUNTED_KINDS,
) -> dict[HalfDayKey, float]:
    """Half-days missed, with their weight in `mode`; half-days weighing 0 are left out.

    Counted: events of one of `kinds`, not deleted, whose reason counts, and (unless
    `justified_too`) whose reason is not accepted (undecided counts as unjustified).
    Open-ended events run until `now`. Overlapping events count a half-day once: the weight
    is computed on the union of their intervals.
    """
    found = missed_coverage(calendar, events, now=now, justified_too=justified_too, kinds=kinds)
    weights = {c.key: c.value(mode) for c in found}
    return {key: weight for key, weight in weights.items() if weight > 0}


def monthly_counts(
    calendar: SchoolCalendar,
    events: Iterable[CountableEvent],
    *,
    now: datetime,
    mode: CountingMode = CountingMode.RAW,
    justified_too: bool = False,
    kinds: frozenset[EventKind] = DEFAULT_COUNTED_KINDS,
) -> dict[tuple[int, int], float]:
    """(year, month) in the school's zone → half-days missed (unjustified by default)."""
    weights = missed_half_days(
        calendar, events, now=now, justified_too=justified_too, mode=mode, kinds=kinds
    )
    by_month: dict[tuple[int, int], list[float]] = {}
    for key, weight in weights.items():
        by_month.setdefault(_month(key.day), []).append(weight)
    return {month: total_weight(values, mode) for month, values in sorted(by_month.items())}


def _month(day: date) -> tuple[int, int]:
    return (day.year, day.month)


def alert_level(count: float, threshold: int = 4, persistent: int = 10) -> AlertLevel:
    """'persistent' from `persistent` half-days, 'threshold' from `threshold`, else 'none'."""
    if threshold > persistent:
        raise ValueError(f"threshold {threshold} must not exceed persistent {persistent}")
    if count >= persistent:
        return "persistent"
    if count >= threshold:
        return "threshold"
    return "none"


def span_half_days(
    calendar: SchoolCalendar,
    events: Iterable[CountableEvent],
    first: date,
    last: date,
    *,
    now: datetime,
    mode: CountingMode,
    justified_too: bool,
) -> float:
    """The half-days between ``first`` and ``last`` (both included) the events make miss, in
    ``mode`` (an event reaching past the days counts only on them)."""
    covered = missed_coverage(calendar, events, now=now, justified_too=justified_too)
    return half_day_count((c for c in covered if first <= c.key.day <= last), mode)
