"""Pages of students, events and notices with their filters (the API's lists), and one of each.

The filters are the query strings the API validates; this module only needs their values
(:class:`StudentFilter`, :class:`EventFilter`), so any object carrying them will do.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Protocol

from tortoise.queryset import QuerySet

from core.models import Delivery, Event, GuardianLink, Notice, School, Student
from core.queries.common import name_starts, overlapping, zone
from core.queries.deliveries import deliveries_by_notice
from core.queries.records import school_event, school_student
from core.queries.scope import Scope
from core.rules.counting import EventKind

StudentRow = tuple[Student, list[GuardianLink]]
NoticeRow = tuple[Notice, list[Delivery]]


class StudentFilter(Protocol):
    """What a page of students is asked with."""

    @property
    def division(self) -> str | None: ...
    @property
    def q(self) -> str | None: ...
    @property
    def active(self) -> bool | None: ...
    @property
    def limit(self) -> int: ...
    @property
    def offset(self) -> int: ...


class EventFilter(Protocol):
    """What a page of events is asked with (``from_``–``to``: days in the school's zone)."""

    @property
    def student(self) -> int | None: ...
    @property
    def division(self) -> str | None: ...
    @property
    def from_(self) -> date | None: ...
    @property
    def to(self) -> date | None: ...
    @property
    def kind(self) -> EventKind | None: ...
    @property
    def deleted(self) -> bool: ...
    @property
    def limit(self) -> int: ...
    @property
    def offset(self) -> int: ...


def _students(school: School, query: StudentFilter) -> QuerySet[Student]:
    found = Student.filter(school=school)
    if query.division is not None:
        found = found.filter(division__code=query.division)
    if query.active is not None:
        found = found.filter(active=query.active)
    for word in (query.q or "").split():
        found = found.filter(name_starts(word))
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
    school: School, query: StudentFilter, scope: Scope
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


def _events(school: School, query: EventFilter) -> QuerySet[Event]:
    found = Event.filter(school=school)
    if not query.deleted:
        found = found.filter(deleted=False)
    if query.student is not None:
        found = found.filter(student_id=query.student)
    if query.division is not None:
        found = found.filter(student__division__code=query.division)
    if query.kind is not None:
        found = found.filter(kind=query.kind)
    return overlapping(found, query.from_, query.to, zone(school))


EVENT_RELATIONS = ("reason__generic", "justification", "recorded_by")


async def event_page(school: School, query: EventFilter, scope: Scope) -> tuple[list[Event], int]:
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


async def event_detail(
    school: School, event_id: int, scope: Scope, relations: tuple[str, ...] = EVENT_RELATIONS
) -> Event:
    """One event of the school with its ``relations`` loaded (by default what its JSON shows);
    another school's id, or one about a student the reader may not see, is not found."""
    event = await school_event(school, event_id)
    scope.check(event.student_id, "event")
    await event.fetch_related(*relations)
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
    shown = [n.id for n in notices] if scope.view.deliveries else []
    deliveries = await deliveries_by_notice(shown)
    return [(notice, deliveries[notice.id]) for notice in notices], total
