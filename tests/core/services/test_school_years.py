"""The new school year: a dry run changes nothing; the start closes the old year (its events,
replies and letters read-only, still in the student's file and the follow-up), leaves the
structures empty for the new imports, deletes nothing, and is audited with its counts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, timedelta

import pytest

from core.errors import Conflict
from core.models import (
    AuditEntry,
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Division,
    Enrolment,
    Event,
    Lesson,
    Notice,
    Reason,
    School,
    SchoolYear,
    Student,
    TeachingGroup,
    User,
)
from core.queries.search import SearchCriteria, search_events
from core.queries.student_file import student_file
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.delivery.letters import mark_letters
from core.services.delivery.resend import resend_delivery
from core.services.events.record import EventPatch, correct_event, delete_event, record_event
from core.services.notices.answers import answer_reply
from core.services.notices.inbound import receive_sms
from core.services.notices.replies import attach_reply, reject_reply
from core.services.schools.school import create_school
from core.services.schools.years import YearStarted, start_year
from core.services.siecle.importer import import_siecle
from core.services.timetable.importer import import_timetable
from core.siecle.errors import SiecleError
from core.siecle.files import load_export
from core.timetable import TimetableError, load_timetable
from tests.core.services.notice_support import MONDAY, MOTHER_MOBILE, absence, at, make_family
from tests.core.services.test_timetable_import import EDT
from tests.core.siecle.support import SMALL

SUMMER = date(2026, 8, 25)  # 2025-26 is over (its last day of lessons: 4 July 2026)
SEPTEMBER = date(2026, 9, 7)  # a Monday of 2026-27


class World:
    """School A in 2025-26: a division, a group, a lesson, Léa enrolled, her absence of Monday
    2 March 2026 with its notice, and her mother's reply to it."""

    def __init__(self, school: School, pupil: Student, event: Event, reply: int) -> None:
        self.school, self.pupil, self.event, self.reply = school, pupil, event, reply


@pytest.fixture
async def world(school_a: School, cpe_actor: Actor, pupil: Student) -> World:
    division = await Division.create(school=school_a, code="5A")
    group = await TeachingGroup.create(school=school_a, code="5A_LV2")
    await group.divisions.add(division)
    await pupil.groups.add(group)
    pupil.division = division
    await pupil.save(update_fields=["division_id"])
    await Enrolment.create(student=pupil, division=division, starts_on=date(2025, 9, 1))
    teacher = await User.create(email="prof@alpha.example", display_name="M. Prof")
    await Lesson.create(
        school=school_a, teacher=teacher, division=division, weekday=0, start_minute=480,
        end_minute=540, starts_on=date(2025, 9, 1),
    )  # fmt: skip
    await make_family(school_a, pupil)
    await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
    event = await absence(
        school_a, cpe_actor, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9)
    )
    received = await receive_sms(
        "twilio", "SM1", MOTHER_MOBILE, "Léa est malade", at(MONDAY, 18), {}
    )
    return World(school_a, pupil, event, received.message.id)


async def started(world: World, *, dry_run: bool = False) -> YearStarted:
    return await start_year(
        world.school, 2026, Actor.system("tests"), dry_run=dry_run, today=SUMMER
    )


async def test_a_dry_run_says_what_would_change_and_changes_nothing(world: World) -> None:
    planned = await started(world, dry_run=True)
    assert planned.dry_run and (planned.closed, planned.opened) == (2025, 2026)
    assert planned.counts() == {
        "divisions": 1, "groups": 1, "lessons": 1, "enrolments": 1, "students": 1
    }  # fmt: skip
    assert (planned.starts_on, planned.ends_on) == (date(2026, 9, 1), date(2027, 7, 4))
    years = await SchoolYear.filter(school=world.school).values_list("start_year", "current")
    assert years == [(2025, True)]
    assert await Division.filter(active=True).count() == 1
    assert await Lesson.filter(ends_on__isnull=True).count() == 1
    assert await Enrolment.filter(ends_on__isnull=True).count() == 1
    assert (await Student.get(id=world.pupil.id)).division_id is not None
    assert not await AuditEntry.exists(action="year.start")
    await correct_event(
        world.school, Actor.system("tests"), world.event.id, EventPatch(comment="ok")
    )


async def test_the_start_closes_the_old_year_and_empties_the_structures(world: World) -> None:
    done = await started(world)
    assert not done.dry_run and done.counts() == {
        "divisions": 1, "groups": 1, "lessons": 1, "enrolments": 1, "students": 1
    }  # fmt: skip
    rows = await SchoolYear.filter(school=world.school).order_by("start_year")
    assert [(y.start_year, y.current, y.starts_on, y.ends_on) for y in rows] == [
        (2025, False, date(2025, 9, 1), date(2026, 7, 4)),
        (2026, True, date(2026, 9, 1), date(2027, 7, 4)),
    ]
    assert not await Division.filter(active=True).exists()
    assert not await TeachingGroup.filter(active=True).exists()
    assert [lesson.ends_on for lesson in await Lesson.all()] == [date(2026, 7, 4)]
    assert [e.ends_on for e in await Enrolment.all()] == [date(2026, 7, 4)]
    pupil = await Student.get(id=world.pupil.id)
    assert pupil.division_id is None and pupil.active  # nothing deleted
    assert await Division.all().count() == 1 and await Reason.filter(school=world.school).exists()
    entry = await AuditEntry.get(action="year.start")
    assert entry.after is not None and entry.after["students"] == 1
    assert entry.after["current"] == "2026-2027" and entry.before == {"current": "2025-2026"}
    with pytest.raises(Conflict) as again:
        await started(world)
    assert again.value.code == "year_not_next"


async def test_the_old_years_events_and_replies_are_read_only(
    world: World, cpe_actor: Actor
) -> None:
    await started(world)
    school, event = world.school, world.event
    refusals = [
        correct_event(school, cpe_actor, event.id, EventPatch(comment="trop tard")),
        delete_event(school, cpe_actor, event.id),
        record_event(
            school, cpe_actor, student_id=world.pupil.id, kind=EventKind.ABSENCE,
            start=at(MONDAY + timedelta(days=1), 8), end=at(MONDAY + timedelta(days=1), 10),
        ),
        reject_reply(school, cpe_actor, world.reply),
        attach_reply(school, cpe_actor, world.reply),
        answer_reply(cpe_actor, school, world.reply, "Bien reçu"),
    ]  # fmt: skip
    for refused in refusals:
        with pytest.raises(Conflict) as caught:
            await refused
        assert (caught.value.code, caught.value.params) == ("year_closed", {"year": "2025-2026"})
    delivery = await Delivery.filter(notice__event_id=event.id).first()
    assert delivery is not None
    await Delivery.filter(id=delivery.id).update(status=DeliveryStatus.FAILED)
    sent_then = at(MONDAY, 9).astimezone(UTC)  # the test runs later than the notice was made
    await Notice.filter(event_id=event.id).update(created_at=sent_then)
    with pytest.raises(Conflict, match="closed"):
        await resend_delivery(school, cpe_actor, delivery.id, now=at(SEPTEMBER, 9))
    letter = await Delivery.create(
        uuid=uuid.uuid4(), notice_id=delivery.notice_id, channel="letter", to="12 rue Vaneau",
        status=DeliveryStatus.SENT, not_before=sent_then,
    )  # fmt: skip
    await Delivery.filter(id=letter.id).update(created_at=sent_then)
    with pytest.raises(Conflict, match="closed"):
        await mark_letters(school, cpe_actor, [letter.id], "printed", now=at(SEPTEMBER, 9))
    # the new year is open; an event of it cannot move back into the closed one
    new = await absence(
        school, cpe_actor, world.pupil, at(SEPTEMBER, 8), at(SEPTEMBER, 10), now=at(SEPTEMBER, 9)
    )
    back = EventPatch(start=at(MONDAY, 8), end=at(MONDAY, 9))
    with pytest.raises(Conflict, match="closed"):
        await correct_event(school, cpe_actor, new.id, back)
    assert (await Event.get(id=event.id)).version == event.version


async def test_the_old_year_stays_in_the_students_file_and_the_follow_up(world: World) -> None:
    await started(world)
    now = at(SEPTEMBER, 12)
    last_year = await student_file(world.school, world.pupil.id, 2025, now=now)
    assert [e.id for e in last_year.events] == [world.event.id]
    assert last_year.counts.total.raw == 1  # the morning of 2 March
    this_year = await student_file(world.school, world.pupil.id, now=now)
    assert this_year.start_year == 2026 and this_year.events == []
    criteria = SearchCriteria(date_from=date(2025, 9, 1), date_to=date(2026, 7, 4))
    found = await search_events(world.school, criteria)
    assert [row.id for row in found.items] == [world.event.id] and found.total == 1


async def test_only_the_next_year_starts_and_only_once_the_current_is_over(world: World) -> None:
    actor = Actor.system("tests")
    with pytest.raises(Conflict) as caught:
        await start_year(world.school, 2027, actor, today=SUMMER)
    assert (caught.value.code, caught.value.params) == (
        "year_not_next", {"year": "2027-2028", "current": "2025-2026"}
    )  # fmt: skip
    with pytest.raises(Conflict) as caught:
        await start_year(world.school, 2026, actor, today=date(2026, 7, 4))
    assert (caught.value.code, caught.value.params["last"]) == ("year_running", "04/07/2026")
    assert await SchoolYear.filter(school=world.school).count() == 1


async def test_the_siecle_import_of_next_year_asks_for_the_new_year_first(db: str) -> None:
    importer = Actor.system("import siecle")
    export = load_export([SMALL])  # 2025-26
    await import_siecle(export, importer, today=date(2025, 9, 22))
    assigned = await Student.filter(division_id__isnull=False).count()
    divisions = await Division.filter(active=True).count()
    assert assigned and divisions
    next_year = replace(export, school_year=2026)
    with pytest.raises(SiecleError) as caught:
        await import_siecle(next_year, importer, today=SUMMER)
    assert caught.value.code == "siecle_next_year"
    assert caught.value.params == {"year": "2026-2027", "current": "2025-2026"}
    assert "absences year start 2026" in caught.value.message
    school = await School.get(uai=export.uai)
    await start_year(school, 2026, importer, today=SUMMER)
    assert not await Student.filter(division_id__isnull=False).exists()
    await import_siecle(next_year, importer, today=SEPTEMBER)
    assert await Student.filter(division_id__isnull=False).count() == assigned
    assert await Division.filter(active=True).count() == divisions
    reopened = await Enrolment.filter(ends_on__isnull=True).count()
    assert reopened == assigned and await Enrolment.filter(ends_on=date(2026, 7, 4)).count()


async def test_a_timetable_of_next_year_asks_for_the_new_year_first(db: str) -> None:
    actor = Actor.system("import timetable")
    await create_school("0751234X", "Collège Jean Moulin", actor, today=MONDAY)  # 2025-26
    timetable = load_timetable([EDT])  # 2026-27
    with pytest.raises(TimetableError) as caught:
        await import_timetable(timetable, actor, school_uai="0751234X", today=SUMMER)
    assert caught.value.code == "timetable_next_year"
    assert caught.value.params == {"year": "2026-2027", "current": "2025-2026"}
