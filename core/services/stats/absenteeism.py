"""The monthly absenteeism indicator of a school, as the events stand now or stood at a date.

Now: the missed half-days table (services.stats.half_days), one aggregate, plus the open-ended
absences computed as they read. At a date (``as_of``, the figure as it stood at the survey):
the events as they were then, rebuilt from their audit rows, counted by rules.counting.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count

from core.errors import Invalid
from core.models import AuditEntry, Enrolment, Event, MissedHalfDay, School, Student
from core.queries.common import day_of, driver_rows
from core.queries.stats_page import parse_month as parse_month
from core.rules.absenteeism import (
    Month,
    MonthIndicator,
    Placement,
    half_day_weight,
    mean_rate,
    month_indicator,
    spread,
    survey_months,
)
from core.rules.calendar import SchoolCalendar, day_start
from core.rules.counting import CountableEvent, CountingMode, EventKind, monthly_counts
from core.rules.dated_notices import month_bounds
from core.services.schools.school import now_utc
from core.services.stats.half_days import Row, by_student, ensure_current, rows_of

STATE = ("kind", "starts_at", "ends_at", "accepted", "counts", "deleted")


Stay = tuple[date, date]  # first and last day in a division, within the days asked


@dataclass(slots=True)
class Enrolled:
    """The students with a division on one of the days: where each is counted
    (:class:`Placement`) and the days they had one (their stays, clipped to the days)."""

    placements: list[Placement]
    stays: dict[int, list[Stay]]


@dataclass(frozen=True, slots=True)
class _Stint:
    """A student's time in a division (from an enrolment, else their arrival and departure)."""

    student_id: int
    starts: date | None
    ends: date | None
    division: str
    level: str
    level_label: str

    def meets(self, first: date, last: date) -> bool:
        return (self.starts is None or self.starts <= last) and (
            self.ends is None or self.ends >= first
        )


async def _stints(school: School, first: date, last: date) -> list[_Stint]:
    """The stints that meet the days, by student and start; a student no enrolment describes
    (made by hand, not by an import) has one, in their division now, last."""
    rows = await driver_rows(
        Enrolment.filter(division__school_id=school.id, starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .order_by("student_id", "starts_on", "id")
        .values_list(
            "student_id",
            "starts_on",
            "ends_on",
            "division__code",
            "student__mef__code",
            "division__mef__code",
            "student__mef__label",
            "division__mef__label",
        )
    )
    unrecorded = await driver_rows(
        Student.filter(school_id=school.id, division_id__isnull=False)
        .exclude(
            id__in=Subquery(Enrolment.filter(student__school_id=school.id).values("student_id"))
        )
        .filter(Q(entered_on__isnull=True) | Q(entered_on__lte=last))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .values_list(
            "id",
            "entered_on",
            "left_on",
            "division__code",
            "mef__code",
            "division__mef__code",
            "mef__label",
            "division__mef__label",
        )
    )
    return [
        _Stint(
            student,
            None if starts is None else day_of(starts),
            None if ends is None else day_of(ends),
            division,
            mef or division_mef or "",
            label or other or "",
        )
        for student, starts, ends, division, mef, division_mef, label, other in [
            *rows,
            *unrecorded,
        ]
    ]


def _enrolled(stints: list[_Stint], first: date, last: date) -> Enrolled:
    last_one: dict[int, _Stint] = {}
    stays: dict[int, list[Stay]] = defaultdict(list)
    for stint in stints:
        if stint.meets(first, last):
            last_one[stint.student_id] = stint
            stays[stint.student_id].append(
                (max(first, stint.starts or first), min(last, stint.ends or last))
            )
    placed = [
        Placement(student, stint.division, stint.level, stint.level_label)
        for student, stint in last_one.items()
    ]
    return Enrolled(placed, dict(stays))


async def enrolled(school: School, first: date, last: date) -> Enrolled:
    """The students with a division on one of the days, in the last one they had then (their
    level is their MEF, else their division's), and the days they had one."""
    return _enrolled(await _stints(school, first, last), first, last)


async def placements(school: School, first: date, last: date) -> list[Placement]:
    """The students with a division on one of the days, in the last one they had then; their
    level is their MEF (else their division's)."""
    return (await enrolled(school, first, last)).placements


def _weights(mode: CountingMode) -> Any:
    """The half-days that weigh in ``mode``, as a filter on the table's rows."""
    from tortoise.expressions import F

    if mode == CountingMode.COMPLETE:
        return Q(missed_unjustified__gte=F("lesson_seconds"))
    return Q(missed_unjustified__gt=0)


async def _stored_counts(school: School, first: date, last: date) -> dict[int, float]:
    """Per student: unjustified half-days between the days, from the table."""
    mode = CountingMode(str(school.counting_mode))
    rows = MissedHalfDay.filter(school_id=school.id, day__gte=first, day__lte=last).filter(
        _weights(mode)
    )
    if mode != CountingMode.PROPORTIONAL:
        counted = (
            await rows.annotate(n=Count("id")).group_by("student_id").values_list("student_id", "n")
        )
        return {student: float(n) for student, n in counted}
    found: dict[int, float] = defaultdict(float)
    for student, lesson, missed in await rows.values_list(
        "student_id", "lesson_seconds", "missed_unjustified"
    ):
        found[student] += half_day_weight(mode, lesson, missed)
    return {student: round(total, 2) for student, total in found.items()}


def _month_count(
    calendar: SchoolCalendar,
    events: Iterable[CountableEvent],
    month: Month,
    mode: CountingMode,
    now: datetime,
) -> float:
    return monthly_counts(calendar, events, now=now, mode=mode).get(month, 0.0)


async def open_ended_rows(
    school: School, calendar: SchoolCalendar, first: date, last: date, now: datetime
) -> dict[int, list[Row]]:
    """The students with an absence still open on one of the days: their missed half-days of
    those days (lesson, all, unjustified seconds), computed whole from their events (the table
    leaves open absences out: a reader uses these rows instead of the table's for them)."""
    start, end = day_start(first, calendar.tz), day_start(last + timedelta(days=1), calendar.tz)
    base = Q(school_id=school.id, kind=EventKind.ABSENCE, deleted=False, counts=True)
    students = await Event.filter(base, ends_at__isnull=True, starts_at__lt=end).values_list(
        "student_id", flat=True
    )
    if not students:
        return {}
    events = await Event.filter(
        base,
        Q(ends_at__isnull=True) | Q(ends_at__gt=start),
        starts_at__lt=end,
        student_id__in=set(students),
    )
    return {
        student: rows_of(calendar, student, items, first, last, now=now)
        for student, items in by_student(events).items()
    }


async def _open_ended(
    school: School, calendar: SchoolCalendar, month: Month, now: datetime
) -> dict[int, float]:
    """The students with an absence still open during the month: their unjustified half-days
    of the month, computed whole from their events."""
    mode = CountingMode(str(school.counting_mode))
    found = await open_ended_rows(school, calendar, *month_bounds(month), now)
    return {
        student: _total(half_day_weight(mode, row[3], row[5]) for row in rows)
        for student, rows in found.items()
    }


def _total(weights: Iterable[float]) -> float:
    return round(math.fsum(weights), 2)


def _per_student(
    school: School, calendar: SchoolCalendar, events: Iterable[Event], month: Month, now: datetime
) -> dict[int, float]:
    """Each student's unjustified half-days of ``month`` from their absences."""
    mode = CountingMode(str(school.counting_mode))
    absences = (e for e in events if e.kind == EventKind.ABSENCE)
    return {
        s: _month_count(calendar, items, month, mode, now)
        for s, items in by_student(absences).items()
    }


async def unjustified_counts(
    school: School, calendar: SchoolCalendar, month: Month, *, now: datetime
) -> dict[int, float]:
    """Per student: the unjustified half-days of ``month`` as the events stand now (the
    school's table must be current: :func:`half_days.ensure_current`)."""
    first, last = month_bounds(month)
    counts = await _stored_counts(school, first, last)
    counts.update(await _open_ended(school, calendar, month, now))
    return counts


def _restore(event: Event, before: dict[str, Any]) -> None:
    for name in STATE:
        if name not in before:
            continue
        value = before[name]
        if name in ("starts_at", "ends_at") and value is not None:
            value = datetime.fromisoformat(str(value))
        setattr(event, name, value)


async def counts_as_of(
    school: School, calendar: SchoolCalendar, month: Month, as_of: datetime
) -> dict[int, float]:
    """Per student: the unjustified half-days of ``month`` as the events stood at ``as_of``:
    events recorded later are left out, and each change made later is undone from its audit
    row (its values before)."""
    first, last = month_bounds(month)
    start, end = day_start(first, calendar.tz), day_start(last + timedelta(days=1), calendar.tz)
    later = await AuditEntry.filter(
        school_id=school.id,
        entity="event",
        at__gt=as_of,
        action__in=("event.correct", "event.delete"),
    ).order_by("-at", "-id")
    changed = {int(str(entry.entity_id)) for entry in later if entry.entity_id}
    events = {
        e.id: e
        for e in await Event.filter(
            Q(school_id=school.id, recorded_at__lte=as_of)
            & (
                Q(id__in=changed)
                | (Q(starts_at__lt=end) & (Q(ends_at__isnull=True) | Q(ends_at__gt=start)))
            )
        )
    }
    for entry in later:
        event = events.get(int(str(entry.entity_id))) if entry.entity_id else None
        if event is not None and entry.before:
            _restore(event, entry.before)
    return _per_student(school, calendar, events.values(), month, as_of)


async def school_month(
    school: School, month: Month, *, as_of: datetime | None = None, now: datetime | None = None
) -> MonthIndicator:
    """The indicator of one school for one month (see rules.absenteeism)."""
    now = now or now_utc()
    calendar = await ensure_current(school)
    if as_of is None:
        return (await months_now(school, calendar, [month], now=now))[month]
    placed = await placements(school, *month_bounds(month))
    counts = await counts_as_of(school, calendar, month, as_of)
    return month_indicator(month, placed, counts)


async def months_now(
    school: School, calendar: SchoolCalendar, months: Iterable[Month], *, now: datetime
) -> dict[Month, MonthIndicator]:
    """The indicator of each month as the events stand now (the school's table must be
    current: :func:`half_days.ensure_current` gave ``calendar``)."""
    spans = {month: month_bounds(month) for month in months}
    if not spans:
        return {}
    stints = await _stints(
        school, min(first for first, _ in spans.values()), max(last for _, last in spans.values())
    )
    found = {}
    for month, (first, last) in spans.items():
        placed = _enrolled(stints, first, last).placements
        counts = await unjustified_counts(school, calendar, month, now=now)
        found[month] = month_indicator(month, placed, counts)
    return found


def parse_as_of(text: str | None, tz: ZoneInfo) -> datetime | None:
    """« 2026-12-01 » (the end of that day, the school's time) or a moment with its offset."""
    if not text:
        return None
    raw = str(text).strip()[:40]
    try:
        if len(raw) == 10:
            return day_start(date.fromisoformat(raw) + timedelta(days=1), tz)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            f"as_of {raw!r}: expected YYYY-MM-DD or a date and time with its offset",
            code="as_of_invalid",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


@dataclass(slots=True)
class SurveyYear:
    """September to April of a school year (the months begun), and the mean of their rates."""

    start_year: int
    months: list[MonthIndicator]

    @property
    def mean(self) -> float | None:
        return mean_rate([m.total.rate for m in self.months])

    def as_json(self) -> dict[str, object]:
        mean = self.mean
        return {
            "year": f"{self.start_year}-{self.start_year + 1}",
            "months": [m.as_json() for m in self.months],
            "mean": None if mean is None else round(mean, 6),
        }


async def school_year(school: School, start_year: int, *, today: date) -> SurveyYear:
    months = [m for m in survey_months(start_year) if m <= (today.year, today.month)]
    calendar = await ensure_current(school)
    found = await months_now(school, calendar, months, now=now_utc())
    return SurveyYear(start_year, [found[m] for m in months])


@dataclass(slots=True)
class AcademyMonth:
    """Every school's indicator of a month, how they spread, and those at or above a rate."""

    month: Month
    schools: list[tuple[School, MonthIndicator]]
    above: float | None = None  # None: the top decile

    def as_json(self) -> dict[str, object]:
        rates = [found.total.rate for _, found in self.schools if found.total.enrolled]
        spread_ = spread(rates)
        limit = self.above if self.above is not None else spread_.top_decile
        year, number = self.month

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 6)

        return {
            "month": f"{year:04d}-{number:02d}",
            "schools": [
                {"uai": school.uai, "name": school.name, **found.total.as_json()}
                for school, found in self.schools
            ],
            "median": rounded(spread_.median),
            "top_decile": rounded(spread_.top_decile),
            "above": rounded(limit),
            "schools_above": [
                school.uai
                for school, found in self.schools
                if limit is not None and found.total.enrolled and found.total.rate >= limit
            ],
        }


async def academy_month(
    schools: Iterable[School], month: Month, *, above: float | None = None
) -> AcademyMonth:
    now = now_utc()
    found = [(school, await school_month(school, month, now=now)) for school in schools]
    return AcademyMonth(month, found, above)
