"""Lateness as the vie scolaire handles it: one click of the grid, and "Arrivé(e) à …" turning an
absence into a lateness (or shortening it and adding the lateness), notices corrected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict, Invalid
from core.models import AuditEntry, Event, Notice, NoticeStatus, School, Student
from core.rules.calendar import Interval
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.arrival import default_arrival, mark_arrival, record_lateness
from core.services.events.record import delete_event
from tests.core.services.notice_support import MONDAY, absence, at, make_family

HALF = (at(MONDAY, 9, 30), at(MONDAY, 10))  # the second half of the 9:00–10:00 lesson


def test_the_arrival_is_now_during_the_half_period_else_its_start() -> None:
    start, end = HALF
    assert default_arrival(start, end, at(MONDAY, 9, 42) + timedelta(seconds=31)) == at(
        MONDAY, 9, 42
    )
    assert default_arrival(start, end, at(MONDAY, 11)) == start
    assert default_arrival(start, end, at(MONDAY, 9, 29)) == start


async def test_one_click_records_a_lateness_from_the_lesson_start_to_now(
    school_a: School, cpe_actor: Actor, pupil: Student
) -> None:
    done = await record_lateness(
        school_a, cpe_actor, student_id=pupil.id, half=HALF, now=at(MONDAY, 9, 41)
    )
    event = await Event.get(id=done.event.id)
    assert (event.kind, event.starts_at, event.ends_at) == (
        EventKind.LATENESS,
        at(MONDAY, 9).astimezone(UTC),
        at(MONDAY, 9, 41).astimezone(UTC),
    )
    assert await AuditEntry.filter(entity_id=str(event.id), action="event.record").count() == 1


async def test_a_lateness_entered_later_arrives_at_the_half_period_start_or_the_time_given(
    school_a: School, cpe_actor: Actor, pupil: Student, classmate: Student
) -> None:
    later = at(MONDAY, 16)

    async def late(student: Student, half: Interval, arrival: datetime | None = None) -> Event:
        kit = {"half": half, "arrival": arrival, "now": later}
        return (await record_lateness(school_a, cpe_actor, student_id=student.id, **kit)).event

    assert (await late(pupil, HALF)).ends_at == at(MONDAY, 9, 30)
    first_half = (at(MONDAY, 9), at(MONDAY, 9, 30))
    on_time = await late(classmate, first_half)
    assert (on_time.starts_at, on_time.ends_at) == (at(MONDAY, 9), None)
    await delete_event(school_a, cpe_actor, on_time.id)
    assert (await late(classmate, first_half, at(MONDAY, 9, 50))).ends_at == at(MONDAY, 9, 50)
    with pytest.raises(Invalid):
        await late(classmate, HALF, at(MONDAY, 10, 5))


async def test_an_absence_of_the_lesson_becomes_the_lateness_its_notice_cancelled(
    school_a: School, system: Actor, cpe_actor: Actor, pupil: Student
) -> None:
    await make_family(school_a, pupil)
    event = await absence(
        school_a,
        system,
        pupil,
        at(MONDAY, 8),
        at(MONDAY, 9),
        now=at(MONDAY, 8, 5),
        reason="CONVENANCE",
    )
    [notice] = await Notice.filter(student_id=pupil.id)
    done = await mark_arrival(
        school_a, cpe_actor, event.id, at(MONDAY, 8, 20), now=at(MONDAY, 8, 21)
    )
    assert done.lateness is None
    await event.refresh_from_db()
    assert (event.kind, event.starts_at, event.ends_at) == (
        EventKind.LATENESS,
        at(MONDAY, 8),
        at(MONDAY, 8, 20),
    )
    assert event.reason_id is None  # "convenance" is not a reason for lateness
    [entry] = await AuditEntry.filter(entity_id=str(event.id), action="event.correct")
    assert entry.after is not None and entry.after["kind"] == "lateness"
    await notice.refresh_from_db()
    assert notice.status == NoticeStatus.CANCELLED


async def test_a_longer_absence_is_shortened_and_the_lateness_added(
    school_a: School, system: Actor, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 12), now=at(MONDAY, 8))
    done = await mark_arrival(school_a, cpe_actor, event.id, at(MONDAY, 10, 10), version=1)
    await event.refresh_from_db()
    assert (event.kind, event.ends_at) == (EventKind.ABSENCE, at(MONDAY, 10))
    assert done.lateness is not None
    late = await Event.get(id=done.lateness.event.id)
    assert (late.kind, late.starts_at, late.ends_at) == (
        EventKind.LATENESS,
        at(MONDAY, 10),
        at(MONDAY, 10, 10),
    )
    assert await AuditEntry.filter(entity_id=str(late.id), action="event.record").count() == 1


async def test_arriving_as_a_lesson_starts_only_ends_the_absence(
    school_a: School, system: Actor, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, system, pupil, at(MONDAY, 8), None, now=at(MONDAY, 8))
    done = await mark_arrival(school_a, cpe_actor, event.id, at(MONDAY, 11))
    assert done.lateness is None
    await event.refresh_from_db()
    assert event.ends_at == at(MONDAY, 11)
    assert await Event.filter(student_id=pupil.id).count() == 1


async def test_an_arrival_outside_the_absence_or_on_a_stale_version_changes_nothing(
    school_a: School, system: Actor, cpe_actor: Actor, pupil: Student
) -> None:
    event = await absence(school_a, system, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 8))
    for moment in (at(MONDAY, 7), at(MONDAY, 10), at(MONDAY, 10) + timedelta(minutes=5)):
        with pytest.raises(Invalid):
            await mark_arrival(school_a, cpe_actor, event.id, moment)
    with pytest.raises(Conflict):
        await mark_arrival(school_a, cpe_actor, event.id, at(MONDAY, 9, 10), version=7)
    await event.refresh_from_db()
    assert (event.version, event.ends_at) == (1, at(MONDAY, 10))
    assert await Event.filter(student_id=pupil.id).count() == 1
