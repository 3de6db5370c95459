"""A family to notify: Léa's mother and father (legal representatives) and her grandmother (a
contact, never notified), with the moments the notice tests use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatusChange,
    Event,
    GuardianLink,
    Notice,
    Person,
    ResponsibilityLevel,
    School,
    Student,
)
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import record_event

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 3, 2)  # winter time: Paris is UTC+1
TUESDAY = MONDAY + timedelta(days=1)
MOTHER_MOBILE, FATHER_MOBILE = "+33612345678", "+33698765432"
MOTHER_EMAIL, FATHER_EMAIL = "anne.martin@example.org", "marc.martin@example.org"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware moment of Paris wall time."""
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@dataclass
class Family:
    mother: Person
    father: Person
    granny: Person
    mother_mobile: ContactPoint
    mother_email: ContactPoint
    father_mobile: ContactPoint
    father_email: ContactPoint


async def _person(school: School, student: Student, **values: Any) -> Person:
    level = values.pop("level", ResponsibilityLevel.LEGAL)
    priority = values.pop("priority", 1)
    person = await Person.create(school=school, **values)
    await GuardianLink.create(student=student, person=person, level=level, priority=priority)
    return person


async def make_family(school: School, student: Student) -> Family:
    """Both parents with a mobile and an email; the grandmother with a mobile too."""
    mother = await _person(school, student, civility="Mme", last_name="Martin", first_name="Anne")
    father = await _person(
        school, student, civility="M.", last_name="Martin", first_name="Marc", priority=2
    )
    granny = await _person(
        school,
        student,
        last_name="Leroy",
        first_name="Jeanne",
        level=ResponsibilityLevel.CONTACT,
        priority=3,
    )
    await ContactPoint.create(person=granny, kind=ContactKind.MOBILE, value="+33611111111")
    points = [
        await ContactPoint.create(person=person, kind=kind, value=value)
        for person, kind, value in (
            (mother, ContactKind.MOBILE, MOTHER_MOBILE),
            (mother, ContactKind.EMAIL, MOTHER_EMAIL),
            (father, ContactKind.MOBILE, FATHER_MOBILE),
            (father, ContactKind.EMAIL, FATHER_EMAIL),
        )
    ]
    return Family(mother, father, granny, *points)


async def absence(
    school: School,
    actor: Actor,
    student: Student,
    start: datetime,
    end: datetime | None,
    *,
    now: datetime,
    kind: EventKind = EventKind.ABSENCE,
    **extra: Any,
) -> Event:
    return await record_event(
        school, actor, student_id=student.id, kind=kind, start=start, end=end, now=now, **extra
    )


async def notices_of(student: Student) -> list[Notice]:
    return await Notice.filter(student_id=student.id).order_by("id")


async def deliveries_of(notice: Notice) -> list[Delivery]:
    return await Delivery.filter(notice_id=notice.id).order_by("id")


async def history(delivery: Delivery | int) -> list[tuple[str, str, str]]:
    """(from, to, source) of each status change, in order."""
    delivery_id = delivery if isinstance(delivery, int) else delivery.id
    rows = await DeliveryStatusChange.filter(delivery_id=delivery_id).order_by("at", "id")
    return [(row.from_status, row.to_status, row.source) for row in rows]
