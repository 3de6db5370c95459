"""The statistics page's figures (``/s/{uai}/stats``) for a selection (queries.stats_page).

Half-days come from the missed half-days table (services.stats.half_days, made current first),
as SQL aggregates grouped by student, or by day and half, and by lesson length so that every
counting mode reads from the same groups (rules.indicators.Tally); the students with an absence
still open are counted from their events instead (absenteeism.open_ended_rows). A student
belongs to the scope by the division they had last in the days (absenteeism.enrolled, as the
Ministry's indicator places them). Lesson time is the calendar's, half-day by half-day, times the
students enrolled each day. Half-days by reason are counted by the counting rules over each
student's absences of that reason; lateness from its events (count, and minutes from start to
end).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from tortoise.expressions import F, Q
from tortoise.functions import Count, Sum
from tortoise.models import Model
from tortoise.queryset import QuerySet

from core.models import Event, GenericReason, MissedHalfDay, School
from core.queries.common import chunks, day_of, driver_rows, moment
from core.queries.stats_page import Scope, Selection
from core.rules.absenteeism import Month, MonthIndicator, Placement, Rate, mean_rate, survey_months
from core.rules.calendar import Half, HalfDayKey, SchoolCalendar, day_start, half_of
from core.rules.counting import (
    CountableEvent,
    CountingMode,
    EventKind,
    span_half_days,
)
from core.rules.dated_notices import months_between
from core.rules.indicators import (
    LessonTime,
    Tally,
    Week,
    by_week,
    enrolled_per_day,
    lesson_time,
    same_week_last_year,
    total,
    week_days,
    weeks_of,
)
from core.services.stats.absenteeism import Enrolled, enrolled, months_now, open_ended_rows
from core.services.stats.half_days import Row, ensure_current

NO_REASON = ""
M = TypeVar("M", bound=Model)
Key = tuple[Any, ...]


@dataclass(slots=True)
class Lateness:
    count: int = 0
    seconds: int = 0

    @property
    def minutes(self) -> int:
        return round(self.seconds / 60)

    def add(self, seconds: int) -> None:
        self.count += 1
        self.seconds += seconds


@dataclass(slots=True)
class DivisionRow:
    code: str
    enrolled: int
    absences: Tally
    lateness: Lateness
    depp_rate: float | None  # the mean of the months' rates (those begun)


@dataclass(slots=True)
class ReasonRow:
    """A national generic reason (``code`` empty: none given): absences' half-days in the
    school's mode (all, unjustified) and events, or lateness count and minutes."""

    code: str
    label: str
    half_days: float = 0.0
    unjustified: float = 0.0
    events: int = 0
    seconds: int = 0

    @property
    def minutes(self) -> int:
        return round(self.seconds / 60)


@dataclass(slots=True)
class SlotRow:
    """A weekday's morning or afternoon: half-days missed (school's mode) against the
    student-half-days of lessons there were, or lateness."""

    weekday: int
    half: Half
    half_days: float = 0.0
    unjustified: float = 0.0
    lessons: int = 0  # student-half-days of lessons
    lateness: int = 0

    @property
    def rate(self) -> float | None:
        return self.half_days / self.lessons if self.lessons else None


@dataclass(slots=True)
class WeekRow:
    week: Week
    monday: date
    value: float
    before: float | None  # the same ISO week a year before (None: that year had none)


@dataclass(slots=True)
class Indicators:
    selection: Selection
    mode: CountingMode
    enrolled: int
    absences: Tally
    lateness: Lateness
    lesson_seconds: int
    divisions: list[DivisionRow]
    depp: list[tuple[Month, Rate]]
    reasons: list[ReasonRow] = field(default_factory=list)
    slots: list[SlotRow] = field(default_factory=list)
    weeks: list[WeekRow] = field(default_factory=list)
    enrolled_before: int = 0  # the students of the scope in the previous year's weeks

    @property
    def depp_mean(self) -> float | None:
        return mean_rate([rate.rate for _, rate in self.depp if rate.enrolled])

    def lost(self, *, unjustified: bool = False) -> float | None:
        """The share of the lesson time the students had that absences took."""
        missed = self.absences.seconds_unjustified if unjustified else self.absences.seconds
        return missed / self.lesson_seconds if self.lesson_seconds else None


@dataclass(frozen=True, slots=True)
class Students:
    """The scope's students. ``whole``: every student placed in the school, read without
    listing them in SQL (rows of anyone else are left out as they are read)."""

    ids: frozenset[int]
    whole: bool = False

    def among(self, query: QuerySet[M]) -> list[QuerySet[M]]:
        """``query`` for these students: itself when ``whole``, else one per chunk of ids."""
        if self.whole:
            return [query]
        return [query.filter(student_id__in=part) for part in chunks(sorted(self.ids))]


def _in_scope(found: Enrolled, scope: Scope) -> tuple[list[Placement], Students]:
    """The placements of the scope's students, and the students (one student: them even
    when they had no division in those days)."""
    placed = [p for p in found.placements if scope.holds(p)]
    if scope.kind == "student":
        return placed, Students(frozenset({int(scope.key)}))
    return placed, Students(frozenset(p.student_id for p in placed), whole=not scope.kind)


async def _tallies(
    school: School,
    span: tuple[date, date],
    students: Students,
    keys: tuple[str, ...],
    skip: set[int],
) -> dict[Key, Tally]:
    """The stored half-days of the students between the days (but those of ``skip``), added
    up by ``keys`` (SQL groups by the keys and the lesson length)."""
    found: dict[Key, Tally] = defaultdict(Tally)
    base = MissedHalfDay.filter(school_id=school.id, day__gte=span[0], day__lte=span[1])
    if skip:
        base = base.exclude(student_id__in=sorted(skip))
    measures = ("n", "unjustified", "complete", "complete_unjustified", "missed", "missed_u")
    for query in students.among(base):
        rows = await driver_rows(
            query.annotate(
                n=Count("id"),
                unjustified=Count("id", _filter=Q(missed_unjustified__gt=0)),
                complete=Count("id", _filter=Q(missed_all__gte=F("lesson_seconds"))),
                complete_unjustified=Count(
                    "id", _filter=Q(missed_unjustified__gte=F("lesson_seconds"))
                ),
                missed=Sum("missed_all"),
                missed_u=Sum("missed_unjustified"),
            )
            .group_by(*keys, "lesson_seconds")
            .values_list(*keys, "lesson_seconds", *measures)
        )
        at = len(keys)
        for row in rows:
            key = tuple(day_of(v) if k == "day" else v for k, v in zip(keys, row, strict=False))
            found[key].add_group(*(int(value or 0) for value in row[at:]))
    return found


async def _strangers(school: School, span: tuple[date, date], students: Students) -> set[int]:
    """Students with half-days between the days who are not among ``students`` (``whole``:
    the school's students without a division then), to leave out."""
    if not students.whole:
        return set()
    query = MissedHalfDay.filter(school_id=school.id, day__gte=span[0], day__lte=span[1])
    found = await driver_rows(query.distinct().values_list("student_id"))
    return {row[0] for row in found} - students.ids


async def _half_days(
    school: School,
    span: tuple[date, date],
    students: Students,
    keys: tuple[str, ...],
    opened: dict[int, list[Row]],
) -> dict[Key, Tally]:
    """The students' half-days between the days by ``keys`` (``student_id``, ``day``,
    ``half``): the table's, but for the students with an absence still open (``opened``:
    absenteeism.open_ended_rows), counted from their events."""
    skip = set(opened) | await _strangers(school, span, students)
    found = await _tallies(school, span, students, keys, skip)
    places = [{"student_id": 0, "day": 1, "half": 2}[name] for name in keys]
    for student, rows in opened.items():
        if student in students.ids:
            for row in rows:
                found[tuple(row[i] for i in places)].add_row(row[3], row[4], row[5])
    return found


def _bounds(calendar: SchoolCalendar, first: date, last: date) -> tuple[datetime, datetime]:
    return day_start(first, calendar.tz), day_start(last + timedelta(days=1), calendar.tz)


@dataclass(frozen=True, slots=True)
class LateRow:
    student_id: int
    starts_at: datetime
    seconds: int
    reason: str


async def _lateness(
    school: School, calendar: SchoolCalendar, span: tuple[date, date], students: Students
) -> list[LateRow]:
    """The lateness of those students that started between the days (not deleted)."""
    start, end = _bounds(calendar, *span)
    found = []
    base = Event.filter(
        school_id=school.id,
        kind=EventKind.LATENESS,
        deleted=False,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    for query in students.among(base):
        values = query.values_list("student_id", "starts_at", "ends_at", "reason__generic__code")
        for student, starts, ends, reason in await driver_rows(values):
            if student not in students.ids:
                continue
            begins = moment(starts)
            seconds = max(0, int((moment(ends) - begins).total_seconds())) if ends else 0
            found.append(LateRow(student, begins, seconds, reason or NO_REASON))
    return found


async def _generic_labels() -> dict[str, str]:
    rows = await GenericReason.all().values_list("code", "label")
    return {str(code): str(label) for code, label in rows}


async def _absence_reasons(
    school: School,
    calendar: SchoolCalendar,
    span: tuple[date, date],
    students: Students,
    now: datetime,
) -> dict[str, ReasonRow]:
    """Per generic reason: the absences overlapping the days, and the half-days of the days
    they make each student miss (rules.counting over the student's absences of that reason)."""
    start, end = _bounds(calendar, *span)
    mode = CountingMode(str(school.counting_mode))
    grouped: dict[tuple[int, str], list[CountableEvent]] = defaultdict(list)
    found: dict[str, ReasonRow] = {}
    base = Event.filter(
        school_id=school.id, kind=EventKind.ABSENCE, deleted=False, starts_at__lt=end
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))
    columns = ("student_id", "starts_at", "ends_at", "accepted", "counts", "reason__generic__code")
    for query in students.among(base):
        for student, starts, ends, accepted, counts, reason in await driver_rows(
            query.values_list(*columns)
        ):
            if student not in students.ids:
                continue
            code = reason or NO_REASON
            found.setdefault(code, ReasonRow(code, "")).events += 1
            begins, stops = moment(starts), None if ends is None else moment(ends)
            if stops is None or stops > begins:
                decided = None if accepted is None else bool(accepted)
                item = CountableEvent(begins, stops, EventKind.ABSENCE, bool(counts), decided)
                grouped[(student, code)].append(item)
    for (_, code), items in grouped.items():
        row = found[code]
        every = _count(calendar, items, span, mode, now, justified_too=True)
        row.half_days += every
        justified = [item.accepted is True for item in items]
        if not any(justified):
            row.unjustified += every
        elif not all(justified):
            row.unjustified += _count(calendar, items, span, mode, now, justified_too=False)
    return found


def _count(
    calendar: SchoolCalendar,
    items: list[CountableEvent],
    span: tuple[date, date],
    mode: CountingMode,
    now: datetime,
    *,
    justified_too: bool,
) -> float:
    """The half-days of the days the absences make miss (rules.counting)."""
    return span_half_days(calendar, items, *span, now=now, mode=mode, justified_too=justified_too)


def _divisions(
    placed: list[Placement],
    absences: dict[Key, Tally],
    lateness: dict[int, Lateness],
    months: list[MonthIndicator],
) -> list[DivisionRow]:
    members: dict[str, list[int]] = defaultdict(list)
    for placement in placed:
        members[placement.division].append(placement.student_id)
    rows = []
    for code, students in members.items():
        late = Lateness()
        for student in students:
            late.count += lateness[student].count if student in lateness else 0
            late.seconds += lateness[student].seconds if student in lateness else 0
        rates = [m.by_division[code] for m in months if code in m.by_division]
        rows.append(
            DivisionRow(
                code,
                len(students),
                total(absences[(s,)] for s in students if (s,) in absences),
                late,
                mean_rate([r.rate for r in rates if r.enrolled]),
            )
        )
    return sorted(rows, key=lambda row: row.code)


def scope_rate(indicator: MonthIndicator, scope: Scope) -> Rate:
    """The monthly indicator of the scope's students."""
    if scope.kind == "division":
        return indicator.by_division.get(scope.key, Rate())
    if scope.kind == "level":
        return indicator.by_level.get(scope.key, Rate())
    if scope.kind == "set":
        found = Rate()
        for code in scope.divisions:
            rate = indicator.by_division.get(code, Rate())
            found.enrolled += rate.enrolled
            found.over_threshold += rate.over_threshold
        return found
    if scope.kind == "student":
        return Rate(1, int(int(scope.key) in indicator.over))
    if scope.kind == "group":
        enrolled = scope.students & indicator.enrolled
        return Rate(len(enrolled), len(enrolled.intersection(indicator.over)))
    return indicator.total


def _per_day(tallies: dict[Key, Tally], mode: CountingMode) -> dict[date, float]:
    found: dict[date, float] = defaultdict(float)
    for (day, _), tally in tallies.items():
        found[day] += tally.half_days(mode)
    return found


def _weeks(
    span: tuple[date, date], now: dict[Week, float], before: dict[Week, float] | None
) -> list[WeekRow]:
    rows = []
    for week in weeks_of(*span):
        previous = same_week_last_year(week)
        was = None
        if before is not None and previous is not None:
            was = round(before.get(previous, 0.0), 2)
        rows.append(WeekRow(week, week_days(week)[0], round(now.get(week, 0.0), 2), was))
    return rows


def _year_before(day: date) -> date:
    """The same weekday of the same ISO week a year before (week 53: the week after 52)."""
    year, week, weekday = day.isocalendar()
    try:
        return date.fromisocalendar(year - 1, week, weekday)
    except ValueError:
        return date.fromisocalendar(year - 1, week - 1, weekday) + timedelta(days=7)


async def _before(school: School, selection: Selection) -> tuple[tuple[date, date], Students]:
    """The same days of the same ISO weeks a year before, and the scope's students then."""
    days = (_year_before(selection.span.first), _year_before(selection.span.last))
    return days, _in_scope(await enrolled(school, *days), selection.scope)[1]


def _slots(lessons: LessonTime) -> dict[tuple[int, Half], SlotRow]:
    slots = {}
    for weekday in range(7):
        for half in Half:
            chances = lessons.half_days.get((weekday, half), 0)
            if chances:
                slots[(weekday, half)] = SlotRow(weekday, half, lessons=chances)
    return slots


@dataclass(slots=True)
class _Read:
    """What the tables of one kind are made of."""

    calendar: SchoolCalendar
    span: tuple[date, date]
    students: Students
    opened: dict[int, list[Row]]
    late: list[LateRow]
    slots: dict[tuple[int, Half], SlotRow]
    now: datetime


def _slot(read: _Read, key: HalfDayKey) -> SlotRow:
    where = (key.day.weekday(), key.half)
    return read.slots.setdefault(where, SlotRow(*where))


async def _lateness_tables(
    school: School, read: _Read, before: tuple[tuple[date, date], Students]
) -> tuple[dict[str, ReasonRow], dict[date, float], dict[date, float]]:
    """Lateness by generic reason, weekday and half, and day (this year's, then the same
    weeks' a year before)."""
    reasons: dict[str, ReasonRow] = {}
    per_day: dict[date, float] = defaultdict(float)
    calendar = read.calendar
    for late in read.late:
        reason = reasons.setdefault(late.reason, ReasonRow(late.reason, ""))
        reason.events += 1
        reason.seconds += late.seconds
        key = half_of(late.starts_at, calendar.tz, calendar.midday)
        _slot(read, key).lateness += 1
        per_day[key.day] += 1
    before_days: dict[date, float] = defaultdict(float)
    for late in await _lateness(school, calendar, *before):
        before_days[late.starts_at.astimezone(calendar.tz).date()] += 1
    return reasons, per_day, before_days


async def _absence_tables(
    school: School, read: _Read, before: tuple[tuple[date, date], Students]
) -> tuple[dict[str, ReasonRow], dict[date, float], dict[date, float]]:
    """Absences by generic reason, weekday and half, and day (this year's, then the same
    weeks' a year before), in the school's counting mode."""
    mode = CountingMode(str(school.counting_mode))
    reasons = await _absence_reasons(school, read.calendar, read.span, read.students, read.now)
    per_half = await _half_days(school, read.span, read.students, ("day", "half"), read.opened)
    for (day, half), tally in per_half.items():
        slot = _slot(read, HalfDayKey(day, Half(half)))
        slot.half_days += tally.half_days(mode)
        slot.unjustified += tally.half_days(mode, unjustified=True)
    before_span, before_students = before
    before_opened = await open_ended_rows(school, read.calendar, *before_span, read.now)
    before_half = await _half_days(
        school, before_span, before_students, ("day", "half"), before_opened
    )
    return reasons, _per_day(per_half, mode), _per_day(before_half, mode)


async def indicators(
    school: School, selection: Selection, *, today: date, now: datetime
) -> Indicators:
    """Every figure and table of the statistics page for ``selection``."""
    calendar = await ensure_current(school)
    span = (selection.span.first, selection.span.last)
    found = await enrolled(school, *span)
    placed, students = _in_scope(found, selection.scope)
    opened = await open_ended_rows(school, calendar, *span, now)
    per_student = await _half_days(school, span, students, ("student_id",), opened)
    late_rows = await _lateness(school, calendar, span, students)
    lateness: dict[int, Lateness] = defaultdict(Lateness)
    for late in late_rows:
        lateness[late.student_id].add(late.seconds)
    stays = (stay for student in students.ids for stay in found.stays.get(student, []))
    lessons = lesson_time(calendar, span[0], enrolled_per_day(stays, *span))
    this_month = (today.year, today.month)
    begun = [m for m in months_between(*span) if m <= this_month]
    survey = [m for m in survey_months(selection.start_year) if m <= this_month]
    monthly = await months_now(school, calendar, sorted(set(begun) | set(survey)), now=now)
    result = Indicators(
        selection=selection,
        mode=CountingMode(str(school.counting_mode)),
        enrolled=len(placed),
        absences=total(per_student.values()),
        lateness=Lateness(len(late_rows), sum(late.seconds for late in late_rows)),
        lesson_seconds=lessons.seconds,
        divisions=_divisions(placed, per_student, lateness, [monthly[m] for m in begun]),
        depp=[(m, scope_rate(monthly[m], selection.scope)) for m in survey],
    )
    read = _Read(calendar, span, students, opened, late_rows, _slots(lessons), now)
    before = await _before(school, selection)
    tables = _lateness_tables if selection.kind == EventKind.LATENESS else _absence_tables
    reasons, per_day, before_days = await tables(school, read, before)
    labels = await _generic_labels()
    for code, row in reasons.items():
        row.label = labels.get(code, code)
    result.reasons = sorted(reasons.values(), key=lambda r: (-r.half_days, -r.events, r.label))
    result.slots = [read.slots[k] for k in sorted(read.slots, key=lambda k: (k[0], k[1] != "am"))]
    result.enrolled_before = len(before[1].ids)
    result.weeks = _weeks(span, by_week(per_day), by_week(before_days) if before[1].ids else None)
    return result
