"""Data older than the school's retention goes: ``absences purge``.

A school keeps ``retention_years`` school years, the current one included (3: the current year
and the previous two). What is dated before the oldest kept year's turn (1 August) is deleted,
in one transaction per school with one audit row holding the counts: events, notices with
their deliveries and their history, families' replies with their documents, actions, roll
calls, lessons that ended, enrolments that ended, and the students who left before it with
nothing left in a kept year (with their guardians, when they are nobody else's). An open
absence (no end yet) stays, as does a lesson still running. Once committed, the files of what
went go too: the replies' documents, the letters' PDFs and the outbox's messages of the deleted
deliveries. A dry run counts the same and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from core.models import (
    Action,
    Attachment,
    Delivery,
    Enrolment,
    Event,
    GuardianLink,
    InboundMessage,
    Lesson,
    MissedHalfDay,
    Notice,
    Person,
    RollCall,
    School,
    Student,
)
from core.queries.common import chunks, day_start
from core.queries.years import current_year
from core.rules.counting import EventKind
from core.rules.years import first_kept, year_label, year_turn
from core.services import audit
from core.services.audit import Actor
from core.services.ports import Mailroom
from core.services.rehearsal import in_one_transaction

KINDS = (
    "events",
    "notices",
    "deliveries",
    "replies",
    "actions",
    "roll_calls",
    "lessons",
    "enrolments",
    "students",
    "guardians",
)


@dataclass(slots=True)
class Purged:
    """What a purge deleted (or, in a dry run, would delete)."""

    uai: str
    first_kept: int  # the oldest school year kept
    before: date  # what is dated before this day goes
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    files: list[str] = field(default_factory=list)  # replies' documents, under the var dir
    deliveries: list[str] = field(default_factory=list)  # the deliveries' uuids: their files
    removed: int = 0  # files removed once committed (documents, letters, outbox messages)


async def purge(
    school: School,
    actor: Actor,
    *,
    dry_run: bool = False,
    today: date | None = None,
    var_dir: Path | None = None,
    mailroom: Mailroom | None = None,
) -> Purged:
    """Delete what the school no longer keeps (see the module). Once committed, the replies'
    documents are removed from ``var_dir`` when it is given, and the letters' PDFs and the
    outbox's messages of the deliveries deleted through ``mailroom`` when it is given."""

    async def work() -> Purged:
        return await _purge(school, actor, dry_run, today or date.today())

    done = await in_one_transaction(work, dry_run=dry_run)
    if dry_run:
        return done
    if var_dir is not None:
        for name in done.files:
            path = var_dir / name
            if path.exists():
                path.unlink(missing_ok=True)
                done.removed += 1
    if mailroom is not None:
        for part in chunks(done.deliveries):
            done.removed += await mailroom.letters.remove(part)
            done.removed += await mailroom.outbox.remove(part)
    return done


async def _purge(school: School, actor: Actor, dry_run: bool, today: date) -> Purged:
    await School.select_for_update().get(id=school.id)
    current, _, _ = await current_year(school.id, today)
    kept = first_kept(current, school.retention_years)
    day = year_turn(kept)
    moment = day_start(day, ZoneInfo(school.timezone))
    done = Purged(school.uai, kept, day, dry_run)
    counts = done.counts
    notices = Notice.filter(school_id=school.id, created_at__lt=moment)
    done.deliveries = [
        str(u)
        for u in await Delivery.filter(notice_id__in=Subquery(notices.values("id"))).values_list(
            "uuid", flat=True
        )
    ]
    counts["deliveries"] = len(done.deliveries)
    counts["notices"] = await _gone(notices)  # their deliveries and history with them
    replies = InboundMessage.filter(school_id=school.id, received_at__lt=moment)
    done.files = [
        str(path)
        for path in await Attachment.filter(
            message_id__in=Subquery(replies.values("id"))
        ).values_list("path", flat=True)
    ]
    counts["replies"] = await _gone(replies)  # their documents and questions with them
    ended = Q(ends_at__lte=moment) | Q(ends_at__isnull=True, kind__not=EventKind.ABSENCE)
    events = Event.filter(school_id=school.id, starts_at__lt=moment).filter(ended)
    counts["events"] = await _gone(events)
    await MissedHalfDay.filter(school_id=school.id, day__lt=day).delete()  # their half-days
    counts["actions"] = await _gone(Action.filter(school_id=school.id, done_at__lt=moment))
    counts["roll_calls"] = await _gone(RollCall.filter(school_id=school.id, day__lt=day))
    counts["lessons"] = await _gone(Lesson.filter(school_id=school.id, ends_on__lt=day))
    students = Subquery(Student.filter(school_id=school.id).values("id"))
    counts["enrolments"] = await _gone(Enrolment.filter(student_id__in=students, ends_on__lt=day))
    await _students(school, day, counts)
    await audit.record(
        actor,
        "year.purge",
        school,
        school_id=school.id,
        after={"first_kept": year_label(kept), "before": day, **counts},
    )
    return done


async def _gone(rows: QuerySet[Any]) -> int:
    """Delete ``rows``; how many there were (a backend's count of a DELETE may include the rows
    its foreign keys cascaded to)."""
    count = await rows.count()
    if count:
        await rows.delete()
    return count


async def _students(school: School, day: date, counts: dict[str, int]) -> None:
    """Students who left before ``day`` with nothing left, then their guardians who are
    nobody else's."""
    left = cast(
        "list[int]",
        await Student.filter(school_id=school.id, active=False, left_on__lt=day).values_list(
            "id", flat=True
        ),
    )
    gone: list[int] = []
    for part in chunks(left):
        still: set[int] = set()
        for model in (Event, Notice, Action, Enrolment, InboundMessage):
            found = model.filter(student_id__in=part).values_list("student_id", flat=True)
            still.update(cast("list[int]", await found))
        gone.extend(i for i in part if i not in still)
    persons: set[int] = set()
    for part in chunks(gone):
        linked = GuardianLink.filter(student_id__in=part).values_list("person_id", flat=True)
        persons.update(cast("list[int]", await linked))
        counts["students"] += await _gone(Student.filter(id__in=part))
    orphans: list[int] = []
    for part in chunks(sorted(persons)):
        linked = GuardianLink.filter(person_id__in=part).values_list("person_id", flat=True)
        kept = set(cast("list[int]", await linked))
        orphans.extend(i for i in part if i not in kept)
    for part in chunks(orphans):
        counts["guardians"] += await _gone(Person.filter(id__in=part, school_id=school.id))
