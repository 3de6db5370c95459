"""A small school for the read side: two divisions, a group, a set, a family, a week of events.

School A (Collège Alpha) and a second school B, built with the real services (rows the
services do not create — divisions, students, guardians, notices, replies — are made directly).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Division,
    DivisionSet,
    Event,
    GuardianLink,
    InboundMessage,
    Membership,
    Notice,
    NoticeKind,
    Person,
    Role,
    School,
    Student,
    TeachingGroup,
    Usability,
    User,
)
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import correct_event, delete_event, parse_patch, record_event
from core.services.schools.school import create_school

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 3, 2)  # winter time, UTC+1
SYSTEM = Actor.system("tests")


def at(day: date, hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """An aware moment, Paris wall time, ``days`` after ``day``."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS) + timedelta(days=days)


@dataclass
class Data:
    school: School
    other: School
    cpe: User
    students: dict[str, Student] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)

    def sid(self, name: str) -> int:
        return self.students[name].id


async def _structure(data: Data) -> None:
    school = data.school
    d5b = await Division.create(school=school, code="5B")
    d4a = await Division.create(school=school, code="4A")
    latin = await TeachingGroup.create(school=school, code="LATIN")
    fifth = await DivisionSet.create(school=school, name="Cinquièmes")
    await fifth.divisions.add(d5b)
    rows = {
        "marie": ("Dupont", "Marie", d5b),
        "leo": ("Dupuis", "Léo", d5b),
        "ines": ("Martin", "Inès", d4a),
        "paul": ("Bernard", "Paul", d4a),
    }
    for key, (last, first, division) in rows.items():
        data.students[key] = await Student.create(
            school=school, last_name=last, first_name=first, division=division, siecle_id=key
        )
    await data.students["marie"].groups.add(latin)
    await data.students["ines"].groups.add(latin)
    data.students["jean"] = await Student.create(
        school=data.other, last_name="Dupont", first_name="Jean"
    )


async def _family(data: Data) -> None:
    marie = data.students["marie"]
    mother = await Person.create(school=data.school, last_name="Dupont", first_name="Anne")
    father = await Person.create(school=data.school, last_name="Dupont", first_name="Marc")
    await GuardianLink.create(student=marie, person=father, priority=2, relationship="10")
    await GuardianLink.create(student=marie, person=mother, priority=1, relationship="20")
    await ContactPoint.create(
        person=mother, kind=ContactKind.MOBILE, value="+33600000000", usability=Usability.OPTED_OUT
    )
    await ContactPoint.create(person=mother, kind=ContactKind.MOBILE, value="+33612345678")
    await ContactPoint.create(
        person=father,
        kind=ContactKind.MOBILE,
        value="+33698765432",
        usability=Usability.WRONG_NUMBER,
    )


async def _events(data: Data) -> None:
    school, sid, ev = data.school, data.sid, data.events
    actor = Actor.of(data.cpe)

    async def record(name: str, student: str, kind: EventKind, start: datetime, **kw: object):
        ev[name] = await record_event(
            school, actor, student_id=sid(student), kind=kind, start=start, now=start, **kw
        )

    await record("marie_mon", "marie", EventKind.ABSENCE, at(MONDAY, 8), end=at(MONDAY, 10))
    await record(
        "marie_tue",
        "marie",
        EventKind.ABSENCE,
        at(MONDAY, 8, days=1),
        end=at(MONDAY, 17, days=1),
        reason="MALADIE",
    )
    await record("leo_late", "leo", EventKind.LATENESS, at(MONDAY, 8, 5, days=2))
    await record(
        "ines_wed",
        "ines",
        EventKind.ABSENCE,
        at(MONDAY, 8, days=2),
        end=at(MONDAY, 12, days=2),
        reason="CONVENANCE",
        comment="=1+1 vacances",
    )
    await record(
        "paul_thu", "paul", EventKind.ABSENCE, at(MONDAY, 8, days=3), end=at(MONDAY, 9, days=3)
    )
    await delete_event(school, actor, ev["paul_thu"].id, now=at(MONDAY, 9, days=3))
    await correct_event(
        school,
        actor,
        ev["marie_tue"].id,
        parse_patch({"settled": True}),
        now=at(MONDAY, 18, days=1),
    )
    await record_event(
        data.other,
        SYSTEM,
        student_id=sid("jean"),
        kind=EventKind.ABSENCE,
        start=at(MONDAY, 8),
        end=at(MONDAY, 9),
        now=at(MONDAY, 8),
    )


@pytest.fixture
async def data(db: str) -> Data:
    school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=MONDAY)
    other = await create_school("0690002B", "Lycée Beta", SYSTEM, today=MONDAY)
    cpe = await User.create(email="cpe@alpha.example", display_name="Mme Leroy")
    await Membership.create(user=cpe, school=school, role=Role.CPE)
    built = Data(school, other, cpe)
    await _structure(built)
    await _family(built)
    await _events(built)
    return built


async def add_notice(data: Data, event: str, status: DeliveryStatus, when: datetime) -> Notice:
    """A notice about the event with one SMS delivery in ``status`` (as the sender leaves it)."""
    found = data.events[event]
    notice = await Notice.create(
        school=data.school,
        student_id=found.student_id,
        event=found,
        kind=NoticeKind.ABSENCE,
        dedupe_key=f"test:{found.id}:{status}",
    )
    await Delivery.create(
        uuid=uuid.uuid4(),
        notice=notice,
        channel="sms",
        to="+33612345678",
        status=status,
        not_before=when,
        final_at=when,
    )
    return notice


async def add_reply(data: Data, student: str, when: datetime, text: str) -> InboundMessage:
    return await InboundMessage.create(
        school=data.school,
        channel="sms",
        sender="+33612345678",
        text=text,
        received_at=when,
        student=data.students[student],
    )
