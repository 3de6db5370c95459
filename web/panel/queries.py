"""Read-only queries for panel pages (writes go through core.services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from core.models import Event, School, Student
from core.rules.counting import EventKind


@dataclass(frozen=True)
class TodayRow:
    student: str
    division: str
    kind: str
    start: str
    end: str
    reason: str


@dataclass(frozen=True)
class Dashboard:
    day: date
    absent: int
    late: int
    students: int
    to_settle: int
    rows: list[TodayRow]


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


async def dashboard(school: School, now: datetime) -> Dashboard:
    tz = ZoneInfo(school.timezone)
    day = now.astimezone(tz).date()
    start, end = _day_bounds(day, tz)
    still_open = Q(ends_at__isnull=True) & (Q(starts_at__gte=start) | Q(kind=EventKind.ABSENCE))
    today = (
        await Event.filter(school=school, deleted=False, starts_at__lt=end)
        .filter(Q(ends_at__gt=start) | still_open)
        .prefetch_related("student__division", "reason")
        .order_by("starts_at")
    )
    rows = [
        TodayRow(
            student=e.student.display_name,
            division=e.student.division.code if e.student.division else "",
            kind=str(e.kind),
            start=e.starts_at.astimezone(tz).strftime("%H:%M"),
            end=e.ends_at.astimezone(tz).strftime("%d/%m %H:%M") if e.ends_at else "…",
            reason=e.reason.label if e.reason else "",
        )
        for e in today
    ]
    absent = len({e.student_id for e in today if e.kind == EventKind.ABSENCE})
    late = len({e.student_id for e in today if e.kind == EventKind.LATENESS})
    return Dashboard(
        day=day,
        absent=absent,
        late=late,
        students=await Student.filter(school=school, active=True).count(),
        to_settle=await Event.filter(
            school=school, deleted=False, kind=EventKind.ABSENCE, settled=False
        ).count(),
        rows=rows,
    )
