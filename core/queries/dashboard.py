"""Today's dashboard: who is absent now, lateness, roll calls missing, replies and failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.models import (
    Delivery,
    DeliveryStatus,
    Event,
    InboundMessage,
    InboundStatus,
    School,
    Student,
)
from core.queries.common import overlapping, zone
from core.queries.lessons import LessonOfDay, missing_roll_calls
from core.queries.scope import ALL, Scope
from core.rules.counting import EventKind
from core.rules.visibility import Visibility

FAILED_WINDOW = timedelta(days=7)
FAILED = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)


@dataclass(frozen=True)
class TodayRow:
    student_id: int
    student: str
    division: str
    kind: str
    start: str
    end: str
    reason: str
    now: bool  # an absence going on at this moment


@dataclass(frozen=True)
class MissingRollCall:
    start: str
    end: str
    teacher: str
    students: str  # the division or group
    subject: str


@dataclass(frozen=True)
class Dashboard:
    day: date
    absent_now: int
    absent: int  # students with an absence today
    late: int
    students: int
    to_settle: int
    replies_waiting: int
    failed_deliveries: int
    missing_roll_calls: list[MissingRollCall]
    rows: list[TodayRow]


def _events(school: School, scope: Scope) -> QuerySet[Event]:
    return scope.narrow(Event.filter(school=school, deleted=False))


async def _today(school: School, day: date, tz: ZoneInfo, scope: Scope) -> list[Event]:
    return list(
        await overlapping(_events(school, scope), day, day, tz)
        .prefetch_related("student__division", "reason__generic")
        .order_by("starts_at", "id")
    )


def _going_on(event: Event, now: datetime) -> bool:
    return (
        event.kind == EventKind.ABSENCE
        and event.starts_at <= now
        and (event.ends_at is None or event.ends_at > now)
    )


def _row(event: Event, tz: ZoneInfo, now: datetime, view: Visibility) -> TodayRow:
    student, reason = event.student, event.reason
    return TodayRow(
        student_id=student.id,
        student=student.display_name,
        division=student.division.code if student.division else "",
        kind=str(event.kind),
        start=event.starts_at.astimezone(tz).strftime("%H:%M"),
        end=event.ends_at.astimezone(tz).strftime("%d/%m %H:%M") if event.ends_at else "…",
        reason=view.reason_of(reason.label, reason.generic.label) if reason else "",
        now=_going_on(event, now),
    )


def _missing(item: LessonOfDay, tz: ZoneInfo) -> MissingRollCall:
    lesson = item.lesson
    teacher = lesson.teacher.known_as
    who = lesson.division.code if lesson.division else lesson.group.code if lesson.group else ""
    return MissingRollCall(
        start=item.starts_at.astimezone(tz).strftime("%H:%M"),
        end=item.ends_at.astimezone(tz).strftime("%H:%M"),
        teacher=teacher,
        students=who,
        subject=lesson.subject,
    )


async def failed_deliveries(school: School, now: datetime) -> int:
    """Deliveries that failed or were not delivered in the last seven days."""
    since = now - FAILED_WINDOW
    return (
        await Delivery.filter(notice__school=school, status__in=list(FAILED))
        .filter(Q(final_at__gte=since) | Q(final_at__isnull=True, updated_at__gte=since))
        .count()
    )


async def _students(school: School, scope: Scope) -> int:
    if scope.students is not None:
        return len(scope.students)
    return await Student.filter(school=school, active=True).count()


async def dashboard(school: School, now: datetime, *, scope: Scope = ALL) -> Dashboard:
    """The school's day as of ``now`` (an aware moment; the day is the school's local one).

    With a ``scope`` (a teacher's), the events and counts are those of its students only, and
    failed deliveries are counted only for a reader who sees the deliveries.
    """
    tz = zone(school)
    day = now.astimezone(tz).date()
    today = await _today(school, day, tz, scope)
    kinds = {EventKind.ABSENCE: set[int](), EventKind.LATENESS: set[int]()}
    for event in today:
        kinds.get(EventKind(event.kind), set()).add(event.student_id)
    return Dashboard(
        day=day,
        absent_now=len({e.student_id for e in today if _going_on(e, now)}),
        absent=len(kinds[EventKind.ABSENCE]),
        late=len(kinds[EventKind.LATENESS]),
        students=await _students(school, scope),
        to_settle=await _events(school, scope)
        .filter(kind=EventKind.ABSENCE, settled=False)
        .count(),
        replies_waiting=await scope.narrow(
            InboundMessage.filter(school=school, status=InboundStatus.PENDING)
        ).count(),
        failed_deliveries=await failed_deliveries(school, now) if scope.view.deliveries else 0,
        missing_roll_calls=[_missing(i, tz) for i in await missing_roll_calls(school, day, now)],
        rows=[_row(e, tz, now, scope.view) for e in today],
    )
