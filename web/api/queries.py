"""Read-only queries of the API (writes go through :mod:`core.services`, never through here)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.models import Delivery, Event, GuardianLink, Notice, School, Student
from core.queries.scope import Scope
from core.rules.counting import EventKind
from core.services.events.record import school_event, school_student
from web.api.schemas import EventQuery, StudentQuery

StudentRow = tuple[Student, list[GuardianLink]]
NoticeRow = tuple[Notice, list[Delivery]]


def school_zone(school: School) -> ZoneInfo:
    """The zone the school's times are shown and its days are counted in."""
    return ZoneInfo(school.timezone)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first moment of ``day`` in ``tz``, in UTC."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _students(school: School, query: StudentQuery) -> QuerySet[Student]:
    found = Student.filter(school=school)
    if query.division is not None:
        found = found.filter(division__code=query.division)
    if query.active is not None:
        found = found.filter(active=query.active)
    for word in (query.q or "").split():
        found = found.filter(
            Q(last_name__istartswith=word)
            | Q(usual_name__istartswith=word)
            | Q(first_name__istartswith=word)
        )
    return found


async def _with_guardians(students: list[Student]) -> list[StudentRow]:
    """Each student with their guardian links (persons and contact points loaded)."""
    links = await GuardianLink.filter(student_id__in=[s.id for s in students]).prefetch_related(
        "person__contacts"
    )
    by_student: dict[int, list[GuardianLink]] = defaultdict(list)
    for link in links:  # tortoise sets ``student_id``; the model does not declare it (yet)
        by_student[link.student_id].append(link)
    return [(student, by_student[student.id]) for student in students]


async def student_page(
    school: School, query: StudentQuery, scope: Scope
) -> tuple[list[StudentRow], int]:
    """A page of the students (by name) the reader may see matching ``query``, and how many."""
    found = scope.narrow(_students(school, query), "id")
    total = await found.count()
    students = (
        await found.order_by("last_name", "first_name", "id")
        .offset(query.offset)
        .limit(query.limit)
        .prefetch_related("division", "groups")
    )
    return await _with_guardians(list(students)), total


async def student_detail(school: School, student_id: int) -> StudentRow:
    """One student of the school (another school's id is not found)."""
    student = await school_student(school, student_id)
    await student.fetch_related("division", "groups")
    return (await _with_guardians([student]))[0]


def _overlapping(found: QuerySet[Event], query: EventQuery, tz: ZoneInfo) -> QuerySet[Event]:
    """Events overlapping the days ``from``–``to``: open-ended absences go on; others are
    instantaneous when they have no end."""
    if query.to is not None:
        found = found.filter(starts_at__lt=day_start(query.to + timedelta(days=1), tz))
    if query.from_ is not None:
        start = day_start(query.from_, tz)
        found = found.filter(
            Q(ends_at__gt=start)
            | Q(ends_at__isnull=True, starts_at__gte=start)
            | Q(ends_at__isnull=True, kind=EventKind.ABSENCE)
        )
    return found


def _events(school: School, query: EventQuery) -> QuerySet[Event]:
    found = Event.filter(school=school)
    if not query.deleted:
        found = found.filter(deleted=False)
    if query.student is not None:
        found = found.filter(student_id=query.student)
    if query.division is not None:
        found = found.filter(student__division__code=query.division)
    if query.kind is not None:
        found = found.filter(kind=query.kind)
    return _overlapping(found, query, school_zone(school))


EVENT_RELATIONS = ("reason__generic", "justification", "recorded_by")


async def event_page(school: School, query: EventQuery, scope: Scope) -> tuple[list[Event], int]:
    """A page of the events the reader may see (by start) matching ``query``, and how many."""
    found = scope.narrow(_events(school, query))
    total = await found.count()
    events = (
        await found.order_by("starts_at", "id")
        .offset(query.offset)
        .limit(query.limit)
        .prefetch_related(*EVENT_RELATIONS)
    )
    return list(events), total


async def event_detail(school: School, event_id: int, scope: Scope) -> Event:
    """One event of the school, with what its JSON shows (another school's id, or one about a
    student the reader may not see, is not found)."""
    event = await school_event(school, event_id)
    scope.check(event.student_id, "event")
    await event.fetch_related(*EVENT_RELATIONS)
    return event


async def notice_page(
    school: School,
    scope: Scope,
    *,
    student: int | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[NoticeRow], int]:
    """A page of the notices the reader may see (newest first) with their deliveries (none when
    the reader may not see deliveries), and how many match."""
    found = scope.narrow(Notice.filter(school=school))
    if student is not None:
        found = found.filter(student_id=student)
    if status is not None:
        found = found.filter(status=status)
    total = await found.count()
    notices = await found.order_by("-created_at", "-id").offset(offset).limit(limit)
    deliveries: dict[int, list[Delivery]] = defaultdict(list)
    shown = [n.id for n in notices] if scope.view.deliveries else []
    rows = await Delivery.filter(notice_id__in=shown).order_by("id")
    for delivery in rows:
        deliveries[delivery.notice_id].append(delivery)
    return [(notice, deliveries[notice.id]) for notice in notices], total
