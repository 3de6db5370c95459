"""``absences purge``: the years older than the school's retention go, the kept years stay; a
dry run counts the same and deletes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cli.years import purged_lines
from core.models import (
    Action,
    ActionType,
    Attachment,
    AuditEntry,
    Delivery,
    DeliveryStatusChange,
    Division,
    Enrolment,
    Event,
    GuardianLink,
    InboundMessage,
    Lesson,
    Notice,
    NoticeKind,
    Person,
    RollCall,
    School,
    Student,
    User,
)
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.schools.purge import Purged, purge
from core.services.schools.school import create_school
from core.settings import load_settings
from workers.mailroom import build_mailroom

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 12, 7)  # 2026-27: with 3 years kept, 2024-25 is the oldest
OLD, KEPT = date(2024, 3, 4), date(2024, 10, 7)  # a Monday of 2023-24, one of 2024-25
SYSTEM = Actor.system("tests")


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS).astimezone(UTC)


class World:
    def __init__(self, school: School, tmp_path: Path) -> None:
        self.school, self.var = school, tmp_path


async def _event(school: School, student: Student, day: date) -> Event:
    return await Event.create(
        school=school, student=student, kind=EventKind.ABSENCE, starts_at=at(day, 8),
        ends_at=at(day, 10),
    )  # fmt: skip


async def _notice(school: School, student: Student, event: Event | None, day: date) -> Notice:
    notice = await Notice.create(
        school=school, student=student, event=event, kind=NoticeKind.ABSENCE,
        dedupe_key=f"absence:{student.id}:{day.isoformat()}",
    )  # fmt: skip
    await Notice.filter(id=notice.id).update(created_at=at(day, 9))
    delivery = await Delivery.create(
        uuid=f"00000000-0000-0000-0000-{notice.id:012d}", notice=notice, channel="sms",
        to="+33612345678", not_before=at(day, 9),
    )  # fmt: skip
    await DeliveryStatusChange.create(delivery=delivery, from_status="", to_status="scheduled")
    return notice


@pytest.fixture
async def world(db: str, tmp_path: Path) -> World:
    """Léa, here all along; Hugo, who left in 2023-24 with only that year's data (and his
    father, nobody else's guardian); Inès, who left in 2024-25 (kept) with only old data."""
    school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=TODAY)
    division = await Division.create(school=school, code="5A")
    lea = await Student.create(school=school, siecle_id="1", last_name="Martin", first_name="Léa")
    hugo = await Student.create(
        school=school, siecle_id="2", last_name="Bernard", first_name="Hugo", active=False,
        left_on=date(2024, 6, 1),
    )  # fmt: skip
    ines = await Student.create(
        school=school, siecle_id="3", last_name="Petit", first_name="Inès", active=False,
        left_on=date(2025, 2, 1),
    )  # fmt: skip
    mother = await Person.create(school=school, last_name="Martin")
    father = await Person.create(school=school, last_name="Bernard")
    await GuardianLink.create(student=lea, person=mother)
    await GuardianLink.create(student=hugo, person=father)
    await GuardianLink.create(student=hugo, person=mother)  # a guardian of Léa's too: kept
    for student in (lea, hugo, ines):
        event = await _event(school, student, OLD)
        await _notice(school, student, event, OLD)
        await Enrolment.create(
            student=student, division=division, starts_on=date(2023, 9, 1), ends_on=date(2024, 7, 4)
        )
    kept_event = await _event(school, lea, KEPT)
    await _notice(school, lea, kept_event, KEPT)
    await Enrolment.create(student=lea, division=division, starts_on=date(2024, 9, 2))
    await Event.create(  # still absent since then: an open absence stays
        school=school, student=lea, kind=EventKind.ABSENCE, starts_at=at(date(2024, 6, 3), 8)
    )
    follow_up = await ActionType.filter(school=school).first()
    assert follow_up is not None
    await Action.create(school=school, student=lea, type=follow_up, done_at=at(OLD, 11))
    await Action.create(school=school, student=lea, type=follow_up, done_at=at(KEPT, 11))
    for day, ref in ((OLD, "old"), (KEPT, "kept")):
        reply = await InboundMessage.create(
            school=school, channel="sms", provider="twilio", provider_ref=ref,
            sender="+33612345678", received_at=at(day, 18), student=lea,
        )  # fmt: skip
        document = tmp_path / "attachments" / f"{ref}.pdf"
        document.parent.mkdir(exist_ok=True)
        document.write_bytes(b"%PDF")
        await Attachment.create(
            message=reply, file_name="note.pdf", content_type="application/pdf", size=4,
            sha256="0" * 64, path=f"attachments/{ref}.pdf",
        )  # fmt: skip
    teacher = await User.create(email="prof@alpha.example", display_name="M. Prof")
    for starts_on, ends_on in ((date(2023, 9, 1), date(2024, 7, 4)), (date(2024, 9, 2), None)):
        lesson = await Lesson.create(
            school=school, teacher=teacher, division=division, weekday=0, start_minute=480,
            end_minute=540, starts_on=starts_on, ends_on=ends_on,
        )  # fmt: skip
        await RollCall.create(school=school, lesson=lesson, day=starts_on)
    return World(school, tmp_path)


EXPECTED = {
    "events": 3,
    "notices": 3,
    "deliveries": 3,
    "replies": 1,
    "actions": 1,
    "roll_calls": 1,
    "lessons": 1,
    "enrolments": 3,
    "students": 1,
    "guardians": 1,
}


async def _totals() -> dict[str, int]:
    return {
        "events": await Event.all().count(),
        "notices": await Notice.all().count(),
        "deliveries": await Delivery.all().count(),
        "replies": await InboundMessage.all().count(),
        "actions": await Action.all().count(),
        "roll_calls": await RollCall.all().count(),
        "lessons": await Lesson.all().count(),
        "enrolments": await Enrolment.all().count(),
        "students": await Student.all().count(),
        "guardians": await Person.all().count(),
    }


async def run(world: World, *, dry_run: bool) -> Purged:
    return await purge(world.school, SYSTEM, dry_run=dry_run, today=TODAY, var_dir=world.var)


async def test_a_dry_run_counts_per_kind_and_deletes_nothing(world: World) -> None:
    before = await _totals()
    planned = await run(world, dry_run=True)
    assert (planned.first_kept, planned.before) == (2024, date(2024, 8, 1))
    assert planned.counts == EXPECTED
    assert await _totals() == before
    assert not await AuditEntry.exists(action="year.purge")
    assert (world.var / "attachments" / "old.pdf").exists()


async def test_the_purge_deletes_only_what_is_older_than_the_kept_years(world: World) -> None:
    before = await _totals()
    done = await run(world, dry_run=False)
    assert done.counts == EXPECTED
    after = await _totals()
    assert {kind: before[kind] - after[kind] for kind in before} == EXPECTED
    assert await DeliveryStatusChange.all().count() == 1  # the kept delivery's
    names = await Student.all().order_by("siecle_id").values_list("first_name", flat=True)
    assert names == ["Léa", "Inès"]  # Inès left in a kept year
    assert await Person.filter(last_name="Martin").exists()  # still Léa's mother
    kept = await Event.filter(ends_at__isnull=False).values_list("starts_at", flat=True)
    assert [moment.astimezone(PARIS).date() for moment in kept] == [KEPT]
    assert await Event.filter(ends_at__isnull=True).count() == 1  # the open absence
    assert await Lesson.filter(ends_on__isnull=True).count() == 1
    assert await Attachment.all().count() == 1
    assert not (world.var / "attachments" / "old.pdf").exists()
    assert (world.var / "attachments" / "kept.pdf").exists()
    entry = await AuditEntry.get(action="year.purge")
    assert entry.after == {"first_kept": "2024-2025", "before": "2024-08-01", **EXPECTED}
    again = await run(world, dry_run=False)
    assert set(again.counts.values()) == {0}


async def test_a_longer_retention_keeps_more(world: World) -> None:
    world.school.retention_years = 4
    await world.school.save(update_fields=["retention_years"])
    planned = await run(world, dry_run=True)
    assert planned.first_kept == 2023 and set(planned.counts.values()) == {0}


async def test_the_letters_and_outbox_files_of_the_deleted_deliveries_go_too(world: World) -> None:
    """GDPR: a purged delivery's letter (its PDF) and outbox message (its JSON) are files under
    the var dir; they go with it, the kept delivery's stay."""
    settings = load_settings(var_dir=world.var)
    mailroom = build_mailroom(settings)
    uuids = dict(await Delivery.all().values_list("uuid", "not_before"))
    files = []
    for uuid, due in uuids.items():
        letter = world.var / "letters" / f"{uuid}.pdf"
        message = world.var / "outbox" / f"{uuid}.json"
        for path in (letter, message):
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(b"data")
        files.append((due.astimezone(PARIS).date(), letter, message))
    done = await purge(world.school, SYSTEM, today=TODAY, var_dir=world.var, mailroom=mailroom)
    assert done.counts["deliveries"] == 3
    for day, letter, message in files:
        assert letter.exists() == message.exists() == (day == KEPT), (day, letter)
    assert done.removed == 3 * 2 + 1  # the letters, the outbox messages, a reply's document
    assert "files removed: 7" in purged_lines(done)[-1]
