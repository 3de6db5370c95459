"""The monthly absenteeism indicator of a school, as the events stand now or stood at a date.

Now: the missed half-days table (services.stats.half_days), one aggregate, plus the open-ended
absences computed as they read. At a date (``as_of``, the figure as it stood at the survey):
the events as they were then, rebuilt from their audit rows, counted by rules.counting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count

from core.errors import Invalid
from core.models import AuditEntry, Enrolment, Event, MissedHalfDay, School, Student
from core.queries.common import day_of, driver_rows
from core.queries.stats_page import parse_month as parse_month
from core.rules.absenteeism import (
    DEPP_THRESHOLD,
    NO_LEVEL,
    Group,
    Month,
    MonthIndicator,
    Placement,
    add_groups,
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
from core.services.stats.half_days import (
    Row,
    by_student,
    ensure_current,
    ensure_current_all,
    rows_of,
)

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


PLACED = """
SELECT school_id, student_id, division, level, level_label FROM (
    SELECT d.school_id, e.student_id, d.code AS division,
           COALESCE(sm.code, dm.code, '') AS level, COALESCE(sm.label, dm.label, '') AS level_label,
           ROW_NUMBER() OVER (
               PARTITION BY e.student_id ORDER BY e.starts_on DESC, e.id DESC
           ) AS latest
    FROM enrolment e
    JOIN division d ON d.id = e.division_id
    JOIN student s ON s.id = e.student_id
    LEFT JOIN mef sm ON sm.id = s.mef_id
    LEFT JOIN mef dm ON dm.id = d.mef_id
    WHERE d.school_id IN ({schools}) AND e.starts_on <= {last}
      AND (e.ends_on IS NULL OR e.ends_on >= {first})
) placed WHERE latest = 1
UNION ALL
SELECT s.school_id, s.id, d.code, COALESCE(sm.code, dm.code, ''),
       COALESCE(sm.label, dm.label, '')
FROM student s
JOIN division d ON d.id = s.division_id
LEFT JOIN mef sm ON sm.id = s.mef_id
LEFT JOIN mef dm ON dm.id = d.mef_id
WHERE s.school_id IN ({schools})
  AND (s.entered_on IS NULL OR s.entered_on <= {last})
  AND (s.left_on IS NULL OR s.left_on >= {first})
  AND s.id NOT IN (SELECT x.student_id FROM enrolment x)
"""


async def _placed(schools: Sequence[School], first: date, last: date, sql: str) -> list[Any]:
    """Run a statement on the placed students (``{placed}`` in ``sql``) between the days;
    each row starts with the school's id."""
    db = Enrolment._meta.db
    sqlite = db.capabilities.dialect == "sqlite"
    mark = "?" if sqlite else "$"  # numbered: each value serves more than once
    ids = ", ".join(str(int(school.id)) for school in schools)  # integers: written in as such
    marks = {"schools": ids, "first": f"{mark}1", "last": f"{mark}2"}
    statement = sql.format(placed=PLACED.format(**marks), **marks)
    days: list[object] = [first.isoformat(), last.isoformat()] if sqlite else [first, last]
    _, rows = await db.execute_query(statement, days)
    return list(rows)


def _placement(row: Any) -> Placement:
    return Placement(row[1], row[2], row[3] or NO_LEVEL, row[4] or "")


async def placements(school: School, first: date, last: date) -> list[Placement]:
    """The students with a division on one of the days, in the last one they had then; their
    level is their MEF (else their division's). A student no enrolment describes (made by
    hand, not by an import) is placed in their division now, between arrival and departure.
    One statement: the statistics read it for every month of every school."""
    return [_placement(row) for row in await _placed([school], first, last, "{placed}")]


# Each placed student's unjustified half-days from the table, in each counting mode.
MISSED = {
    CountingMode.RAW: ("COUNT(*)", "m.missed_unjustified > 0"),
    CountingMode.COMPLETE: ("COUNT(*)", "m.missed_unjustified >= m.lesson_seconds"),
    CountingMode.PROPORTIONAL: (
        "SUM(CASE WHEN m.missed_unjustified >= m.lesson_seconds THEN 1.0 "
        "ELSE m.missed_unjustified * 1.0 / m.lesson_seconds END)",
        "m.missed_unjustified > 0 AND m.lesson_seconds > 0",
    ),
}


# The month's indicator counted in SQL, as the hand-written baseline counts it: per school,
# division and level, the placed students, those over the threshold and their ids (joined by
# commas); the students whose count the table cannot give (an absence still open) apart, one
# row each with their id, for the caller to judge.
GROUP_COUNTS = """
WITH placed AS ({{placed}}), counted AS (
    SELECT p.school_id, p.student_id, p.division, p.level, p.level_label,
           COALESCE((SELECT {total} FROM missed_half_day m
            WHERE m.student_id = p.student_id AND m.day >= {{first}} AND m.day <= {{last}}
              AND {where}), 0) AS missed
    FROM placed p
)
SELECT school_id, division, level, level_label, COUNT(*),
       SUM(CASE WHEN {crossed} THEN 1 ELSE 0 END), {ids}, NULL
FROM counted {known} GROUP BY school_id, division, level, level_label
"""
STILL_OPEN = """
UNION ALL
SELECT school_id, division, level, level_label, 1, 0, NULL, student_id
FROM counted WHERE student_id IN ({students})
"""


def _group_counts(mode: CountingMode, dialect: str, opened: Sequence[int]) -> str:
    """:data:`GROUP_COUNTS` for ``mode`` and the database's dialect; with the students whose
    absence is still open (``opened``) left out of the groups and listed apart."""
    total, where = MISSED[mode]
    if mode == CountingMode.PROPORTIONAL:  # a sum of fractions, rounded as the rules round
        crossed = f"ROUND(CAST(missed AS NUMERIC), 2) >= {DEPP_THRESHOLD}"
    else:
        crossed = f"missed >= {DEPP_THRESHOLD}"
    if dialect == "sqlite":
        ids = f"GROUP_CONCAT(CASE WHEN {crossed} THEN student_id END)"
    else:
        ids = f"STRING_AGG(CASE WHEN {crossed} THEN CAST(student_id AS TEXT) END, ',')"
    listed = ", ".join(str(int(student)) for student in opened)  # integers: written as such
    known = f"WHERE student_id NOT IN ({listed})" if opened else ""
    sql = GROUP_COUNTS.format(total=total, where=where, crossed=crossed, ids=ids, known=known)
    return sql + STILL_OPEN.format(students=listed) if opened else sql


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
    """The students with an absence still open during the month: their count, computed whole
    from their events (the table leaves open absences out)."""
    return (await _open_ended_all([school], {school.id: calendar}, month, now))[school.id]


async def _open_ended_all(
    schools: Sequence[School], calendars: dict[int, SchoolCalendar], month: Month, now: datetime
) -> dict[int, dict[int, float]]:
    """:func:`_open_ended` of each school: one statement when none has an open absence (the
    usual case), two otherwise."""
    first, last = month_bounds(month)
    ends = {s.id: day_start(last + timedelta(days=1), calendars[s.id].tz) for s in schools}
    # Found by the index on (school, ends_at): a school has few open events, and many closed.
    still_open = Event.filter(school_id__in=list(ends), ends_at__isnull=True)
    students = {
        student
        for school_id, student, kind, deleted, counts, starts in await still_open.values_list(
            "school_id", "student_id", "kind", "deleted", "counts", "starts_at"
        )
        if kind == EventKind.ABSENCE and not deleted and counts and starts < ends[school_id]
    }
    found: dict[int, dict[int, float]] = {school.id: {} for school in schools}
    if not students:
        return found
    start = min(day_start(first, c.tz) for c in calendars.values())
    events = await Event.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=start),
        school_id__in=list(ends),
        kind=EventKind.ABSENCE,
        deleted=False,
        counts=True,
        starts_at__lt=max(ends.values()),
        student_id__in=students,
    )
    by_school: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        by_school[event.school_id].append(event)
    for school in schools:
        if by_school[school.id]:
            found[school.id] = _per_student(
                school, calendars[school.id], by_school[school.id], month, now
            )
    return found


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
    if as_of is None:
        return (await _months([school], month, now or now_utc()))[school.id]
    calendar = await ensure_current(school)
    first, last = month_bounds(month)
    placed = await placements(school, first, last)
    counts = await counts_as_of(school, calendar, month, as_of)
    return month_indicator(month, placed, counts)


async def _months(
    schools: Sequence[School], month: Month, now: datetime
) -> dict[int, MonthIndicator]:
    """The indicator of each school for the month as the events stand now, in a handful of
    statements whatever the number of schools: the students are counted by group in SQL
    (one statement per counting mode), those with an absence still open one by one. The
    indicators carry the students over the threshold, not each student enrolled."""
    calendars = await ensure_current_all(schools)
    first, last = month_bounds(month)
    still_open = await _open_ended_all(schools, calendars, month, now)
    found = {school.id: MonthIndicator(month) for school in schools}
    by_mode: dict[CountingMode, list[School]] = defaultdict(list)
    for school in schools:
        by_mode[CountingMode(str(school.counting_mode))].append(school)
    opened = [student for counts in still_open.values() for student in counts]
    dialect = Enrolment._meta.db.capabilities.dialect
    for mode, some in by_mode.items():
        groups: dict[int, list[tuple[Group, int]]] = defaultdict(list)
        rows = await _placed(some, first, last, _group_counts(mode, dialect, opened))
        for school_id, division, level, label, count, over, ids, student in rows:
            key = (division, level or NO_LEVEL, label or "")
            if student is None:
                groups[school_id] += [((*key, False), count - over), ((*key, True), over)]
                found[school_id].over.extend(int(i) for i in str(ids or "").split(",") if i)
            else:
                crossed = still_open[school_id].get(student, 0.0) >= DEPP_THRESHOLD
                groups[school_id].append(((*key, crossed), 1))
                if crossed:
                    found[school_id].over.append(student)
        for school_id, counted in groups.items():
            add_groups(found[school_id], [(group, n) for group, n in counted if n])
    for indicator in found.values():
        indicator.over.sort()
    return found


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
    refused = Invalid(
        f"as_of {raw!r}: expected YYYY-MM-DD or a date and time with its offset",
        code="as_of_invalid",
    )
    try:
        if len(raw) == 10:
            moment = day_start(date.fromisoformat(raw) + timedelta(days=1), tz)
        else:
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
        moment.astimezone(UTC)  # a moment at the calendar's very ends cannot be compared
    except (ValueError, OverflowError):
        raise refused from None
    if not 2000 <= moment.year <= 2100:
        raise refused
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
    schools = list(schools)
    found = await _months(schools, month, now_utc())
    return AcademyMonth(month, [(school, found[school.id]) for school in schools], above)
