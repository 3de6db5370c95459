"""The new school year: the school passes to the next year, the past one turns read-only.

:func:`start_year` makes the next year current (its row created with the default dates when
the SIECLE import has not given them) and leaves the structures empty until the new SIECLE
and timetable imports: divisions and groups inactive, running lessons ended on the old year's
last day, open enrolments closed, students without a division. Nothing is deleted; settings,
reasons, templates and staff stay as they are. One transaction, one audit row with the counts.

:func:`refuse_closed` is what the services that change an event, a notice, a letter or a
reply call first: a thing dated in a closed year is refused with ``year_closed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from tortoise.expressions import F, Q

from core.errors import Conflict
from core.models import (
    Division,
    Enrolment,
    Lesson,
    School,
    SchoolYear,
    Student,
    TeachingGroup,
)
from core.queries.common import chunks, school_year_dates
from core.queries.years import closed_through, current_year
from core.rules.years import is_closed, may_start, year_label
from core.services import audit
from core.services.audit import Actor
from core.services.rehearsal import in_one_transaction


async def refuse_closed(school: School, *moments: datetime) -> None:
    """Refuse (:class:`Conflict` ``year_closed``) when one of ``moments`` falls in a school
    year a year start closed: its events, notices, letters and replies no longer change."""
    latest = await closed_through(school.id)
    if latest is None or not moments:
        return
    tz = ZoneInfo(school.timezone)
    earliest = min(moments).astimezone(tz).date()
    if is_closed(earliest, latest):
        raise Conflict(
            f"the school year {year_label(latest)} is closed: what it holds is read-only",
            code="year_closed",
            year=year_label(latest),
        )


def not_started(what: str, current: int, wanted: int) -> tuple[str, dict[str, object]] | None:
    """For an import of ``what`` (its files) of the year ``wanted``: when that is the year after
    the current one, the refusal's message and params (start that year first), else None."""
    if not may_start(current, wanted):
        return None
    message = (
        f"{what}: school year {year_label(wanted)} has not started: start it first "
        f"(absences year start {wanted})"
    )
    return message, {"year": year_label(wanted), "current": year_label(current)}


@dataclass(slots=True)
class YearStarted:
    """What a year start did (or, in a dry run, would do)."""

    uai: str
    closed: int  # the year that ends
    opened: int  # the year that starts
    starts_on: date  # the new year's first day of lessons
    ends_on: date  # … and its last
    lessons_end_on: date  # the old year's last day: running lessons end then
    dry_run: bool
    divisions: int = 0
    groups: int = 0
    lessons: int = 0
    enrolments: int = 0
    students: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "divisions": self.divisions,
            "groups": self.groups,
            "lessons": self.lessons,
            "enrolments": self.enrolments,
            "students": self.students,
        }


async def start_year(
    school: School,
    start_year: int,
    actor: Actor,
    *,
    dry_run: bool = False,
    today: date | None = None,
) -> YearStarted:
    """Make ``start_year`` the school's current year (see the module).

    Refused with :class:`Conflict`: ``year_not_next`` for another year than the one after the
    current, ``year_running`` before the current year's last day of lessons is over. With
    ``dry_run`` the same counts come back and nothing changes.
    """

    async def work() -> YearStarted:
        return await _start(school, start_year, actor, dry_run, today or date.today())

    return await in_one_transaction(work, dry_run=dry_run)


async def _start(
    school: School, start_year: int, actor: Actor, dry_run: bool, today: date
) -> YearStarted:
    await School.select_for_update().get(id=school.id)
    current, _, last_day = await current_year(school.id, today)
    if not may_start(current, start_year):
        raise Conflict(
            f"{year_label(start_year)} is not the year after the current one "
            f"({year_label(current)})",
            code="year_not_next",
            year=year_label(start_year),
            current=year_label(current),
        )
    if today <= last_day:
        raise Conflict(
            f"the school year {year_label(current)} runs until {last_day.isoformat()}",
            code="year_running",
            year=year_label(current),
            last=f"{last_day:%d/%m/%Y}",
        )
    starts_on, ends_on = await school_year_dates(school, start_year)
    done = YearStarted(
        school.uai, current, start_year, starts_on, ends_on, last_day, dry_run=dry_run
    )
    await SchoolYear.filter(school_id=school.id, current=True).update(current=False)
    row = await SchoolYear.get_or_none(school_id=school.id, start_year=start_year)
    if row is None:
        row = await SchoolYear.create(
            school_id=school.id, start_year=start_year, starts_on=starts_on, ends_on=ends_on
        )
    else:
        row.current = True
        await row.save(update_fields=["current"])
    done.divisions = await Division.filter(school_id=school.id, active=True).update(active=False)
    done.groups = await TeachingGroup.filter(school_id=school.id, active=True).update(active=False)
    done.lessons = await _end_lessons(school, last_day)
    done.enrolments = await _close_enrolments(school, last_day)
    done.students = await Student.filter(school_id=school.id, division_id__isnull=False).update(
        division_id=None
    )
    await audit.record(
        actor,
        "year.start",
        row,
        school_id=school.id,
        before={"current": year_label(current)},
        after={
            "current": year_label(start_year),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "lessons_end_on": last_day,
            **done.counts(),
        },
    )
    return done


async def _end_lessons(school: School, last_day: date) -> int:
    """Lessons running past the old year's last day end on it (one starting later, a one-off
    already planned for the new year, stays)."""
    return await (
        Lesson.filter(school_id=school.id)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=last_day))
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=last_day))
        .update(ends_on=last_day)
    )


async def _close_enrolments(school: School, last_day: date) -> int:
    """Every open stay in a division ends on the old year's last day (one opened later, on
    the day it opened)."""
    open_ones = Enrolment.filter(student__school_id=school.id, ends_on=None)
    ids = cast("list[int]", await open_ones.values_list("id", flat=True))
    for part in chunks(ids):
        await Enrolment.filter(id__in=part, starts_on__lte=last_day).update(ends_on=last_day)
        await Enrolment.filter(id__in=part, starts_on__gt=last_day).update(ends_on=F("starts_on"))
    return len(ids)
