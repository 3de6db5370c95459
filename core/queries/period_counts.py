"""Each student's absences over a span of days (a reporting period, a trimester): half-days
absent, of which unjustified, and lateness — what the report cards and SIECLE's absences file
give.

The half-days are those of the counting rules (:func:`core.rules.counting.missed_coverage`,
weighed by :func:`core.rules.counting.half_day_count` in the school's counting mode), over the
school's calendar: one absence over two half-days counts two, overlapping absences count a
half-day once, a deleted event or one whose reason does not count never counts, and an
undecided reason counts as unjustified. A half-day counts in the span when its day lies in it,
whatever day the absence was entered or justified.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from tortoise.expressions import Q

from core.models import Enrolment, Event, School, Student
from core.queries.calendar import load_calendar
from core.queries.common import chunks, countable, overlapping, zone
from core.rules.calendar import SchoolCalendar
from core.rules.counting import (
    CountableEvent,
    CountingMode,
    EventKind,
    span_half_days,
)


@dataclass(frozen=True, slots=True)
class StudentCount:
    """One student's figures over the span. ``absent``: half-days absent, justified or not;
    ``unjustified``: of which not justified (undecided included); both in the school's counting
    mode (a proportional count may be a fraction, to 2 decimals). ``lateness``: how many
    lateness events (not deleted) started in the span; ``lateness_minutes``: their minutes, from
    start to end (one without an end counts none)."""

    student_id: int
    name: str
    elenoet: str | None
    absent: float
    unjustified: float
    lateness: int
    lateness_minutes: int = 0


async def students_in_span(school: School, first: date, last: date) -> list[Student]:
    """The students who had a division of ``school`` on a day of ``first``–``last`` (a stay in
    a division, :class:`~core.models.Enrolment`, overlapping it: those who left or moved
    included), by name. An active student with a division but no stay at all (a school not fed
    by SIECLE imports) counts too."""
    stays = Enrolment.filter(student__school_id=school.id, starts_on__lte=last).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first)
    )
    ids = set(cast("list[int]", await stays.values_list("student_id", flat=True)))
    without_stays = Student.filter(
        school_id=school.id, active=True, division_id__isnull=False, enrolments__id__isnull=True
    )
    ids.update(cast("list[int]", await without_stays.values_list("id", flat=True)))
    found: list[Student] = []
    for part in chunks(sorted(ids)):
        found.extend(await Student.filter(id__in=part))
    return sorted(found, key=lambda s: (s.display_name, s.id))


async def _events(school: School, ids: list[int], first: date, last: date) -> list[Event]:
    """The absences and lateness of those students overlapping the span (not deleted)."""
    kinds = [EventKind.ABSENCE, EventKind.LATENESS]
    found: list[Event] = []
    for part in chunks(ids):
        query = Event.filter(school_id=school.id, student_id__in=part, kind__in=kinds)
        found.extend(await overlapping(query.filter(deleted=False), first, last, zone(school)))
    return found


def _half_days(
    calendar: SchoolCalendar,
    events: list[CountableEvent],
    span: tuple[date, date],
    now: datetime,
    mode: CountingMode,
) -> tuple[float, float]:
    """Half-days absent in the span, all and unjustified only (rules.counting)."""
    if not events:
        return 0.0, 0.0
    first, last = span

    def count(justified_too: bool) -> float:
        return span_half_days(
            calendar, events, first, last, now=now, mode=mode, justified_too=justified_too
        )

    return count(True), count(False)


async def period_counts(
    school: School,
    first: date,
    last: date,
    *,
    now: datetime,
    calendar: SchoolCalendar | None = None,
) -> list[StudentCount]:
    """Per student who had a division during ``first``–``last`` (see :func:`students_in_span`),
    by name: half-days absent, of which unjustified, and lateness (see the module). Open-ended
    absences run until ``now``."""
    calendar = calendar or await load_calendar(school)
    students = await students_in_span(school, first, last)
    absences: dict[int, list[CountableEvent]] = defaultdict(list)
    lateness: dict[int, int] = defaultdict(int)
    late_seconds: dict[int, int] = defaultdict(int)
    for event in await _events(school, [s.id for s in students], first, last):
        if event.kind == EventKind.LATENESS:
            if first <= event.starts_at.astimezone(calendar.tz).date() <= last:
                lateness[event.student_id] += 1
                if event.ends_at is not None:
                    lasted = (event.ends_at - event.starts_at).total_seconds()
                    late_seconds[event.student_id] += max(0, int(lasted))
        elif (item := countable(event)) is not None:
            absences[event.student_id].append(item)
    mode = CountingMode(str(school.counting_mode))
    rows = []
    for student in students:
        absent, unjustified = _half_days(
            calendar, absences.get(student.id, []), (first, last), now, mode
        )
        rows.append(
            StudentCount(
                student.id,
                student.display_name,
                student.elenoet or None,
                absent,
                unjustified,
                lateness.get(student.id, 0),
                round(late_seconds.get(student.id, 0) / 60),
            )
        )
    return rows
