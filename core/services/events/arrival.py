"""Lateness as the vie scolaire handles it: a lateness in one click of the grid, and a pupil
marked absent who arrives ("Arrivé(e) à …").

A lateness runs from the start of the lesson (the timetable slot) to the arrival; a pupil who
arrives as the lesson starts is not late (the arrival is its start, the event has no end).
Both changes go through :mod:`core.services.events.record`: one transaction, audited, notices
planned or reconciled as for any record or correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid
from core.models import Reason, School
from core.queries.calendar import load_calendar
from core.queries.records import school_event
from core.rules.calendar import Interval, SchoolCalendar
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.delivery.rows import Due
from core.services.events.record import (
    EventPatch,
    Recorded,
    aware_utc,
    correct_event,
    record_event,
)
from core.services.schools.school import now_utc


def default_arrival(half_start: datetime, half_end: datetime, now: datetime) -> datetime:
    """The arrival a click means: now (to the minute) when entered during the half-period,
    else the half-period's start."""
    if half_start <= now < half_end:
        return max(half_start, now.replace(second=0, microsecond=0))
    return half_start


def _lesson(calendar: SchoolCalendar, moment: datetime) -> Interval:
    """The slot running at ``moment``; out of the timetable, the moment itself."""
    return calendar.lesson_at(moment) or (moment, moment)


async def _record(
    school: School,
    actor: Actor,
    student_id: int,
    late: Interval,
    recorded_from: str,
    now: datetime | None,
) -> Recorded:
    """The lateness from the lesson's start to the arrival (no end when they are the same)."""
    lesson_start, arrival = late
    end = arrival if arrival > lesson_start else None
    kind = EventKind.LATENESS
    return await record_event(
        school,
        actor,
        student_id=student_id,
        kind=kind,
        start=lesson_start,
        end=end,
        now=now,
        recorded_from=recorded_from,
    )


async def record_lateness(
    school: School,
    actor: Actor,
    *,
    student_id: int,
    half: Interval,
    arrival: datetime | None = None,
    recorded_from: str = "",
    now: datetime | None = None,
) -> Recorded:
    """A lateness clicked in the half-period ``half``: from its lesson's start to ``arrival``
    (by default :func:`default_arrival`), which must fall in that lesson."""
    now = aware_utc(now, "now") if now is not None else now_utc()
    start, end = aware_utc(half[0], "start"), aware_utc(half[1], "end")
    calendar = await load_calendar(school)
    lesson_start, lesson_end = _lesson(calendar, start)
    arrived = default_arrival(start, end, now) if arrival is None else aware_utc(arrival, "arrival")
    if not (arrived == lesson_start or lesson_start < arrived < max(lesson_end, end)):
        raise Invalid("the arrival must fall within the lesson", code="arrival_outside_lesson")
    return await _record(school, actor, student_id, (lesson_start, arrived), recorded_from, now)


@dataclass(frozen=True, slots=True)
class Arrival:
    """What an arrival changed: the absence (shortened, or now the lateness itself) and the
    lateness added after it, if any."""

    absence: Recorded
    lateness: Recorded | None

    @property
    def due(self) -> list[Due]:
        return [*self.absence.due, *(self.lateness.due if self.lateness else [])]


async def _fits_lateness(reason_id: int | None) -> bool:
    return reason_id is None or (await Reason.get(id=reason_id)).for_lateness


async def mark_arrival(
    school: School,
    actor: Actor,
    event_id: int,
    arrival: datetime,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Arrival:
    """A pupil marked absent arrives at ``arrival``: present from then on.

    An absence that began with the lesson of the arrival becomes the lateness, from its start
    to the arrival (its reason kept if it is one for lateness); one that began earlier ends
    where that lesson starts, and the lateness is added. All in one transaction: both changes
    audited, notices reconciled.
    """
    arrival = aware_utc(arrival, "arrival")
    async with in_transaction():
        event = await school_event(school, event_id, for_update=True)
        if event.kind != EventKind.ABSENCE or event.deleted:
            raise Conflict(f"event {event_id} is not an absence", code="not_an_absence")
        if not event.starts_at < arrival or (
            event.ends_at is not None and arrival >= event.ends_at
        ):
            raise Invalid(
                "the arrival must fall within the absence", code="arrival_outside_absence"
            )
        lesson_start, _ = _lesson(await load_calendar(school), arrival)
        if event.starts_at >= lesson_start:
            changes: dict[str, object] = {"kind": EventKind.LATENESS, "end": arrival}
            if not await _fits_lateness(event.reason_id):
                changes["reason"] = None
            patch = EventPatch.model_validate({**changes, "version": version})
            return Arrival(await correct_event(school, actor, event_id, patch, now=now), None)
        patch = EventPatch.model_validate({"end": lesson_start, "version": version})
        shortened = await correct_event(school, actor, event_id, patch, now=now)
        if arrival == lesson_start:
            return Arrival(shortened, None)
        lateness = await _record(school, actor, event.student_id, (lesson_start, arrival), "", now)
        return Arrival(shortened, lateness)
