"""A school's timetable slots and on-screen colours: each change in one transaction, audited.

The School columns (midday, counting mode, delays, quiet hours…) change through
:func:`core.services.schools.school.update_settings`; closed days live in
:mod:`core.services.schools.closed_days`, reasons and types in :mod:`core.services.schools.lists`,
staff accounts in :mod:`core.services.schools.staff`.

Errors carry a stable ``code`` (``slot_overlap``, ``slot_order``, ``weekday``, ``colour``…)
that the panel turns into a message in the user's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from tortoise.transactions import in_transaction

from core.errors import Invalid, NotFound
from core.models import School, TimetableSlot
from core.models.school import DEFAULT_COLOURS, minutes_to_time, time_to_minutes
from core.queries.calendar import forget_calendars
from core.rules.timetable import SlotSpan, first_overlap, slot_problem
from core.services import audit
from core.services.audit import Actor

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
COLOUR_KEYS = tuple(DEFAULT_COLOURS)
MAX_LABEL = 20


def check_colour(value: str) -> str:
    """A ``#rrggbb`` colour, lower-cased, or :class:`Invalid` (code ``colour``)."""
    if not COLOUR.match(value.strip()):
        raise Invalid(f"invalid colour {value!r}: expected #rrggbb", code="colour")
    return value.strip().lower()


def _span(weekday: int, start: time, end: time, key: int | None = None) -> SlotSpan:
    span = SlotSpan(weekday, time_to_minutes(start), time_to_minutes(end), key)
    problem = slot_problem(span)
    if problem is not None:
        raise Invalid(f"invalid slot {weekday} {start}-{end}", code=problem)
    return span


async def _refuse_overlap(school: School, span: SlotSpan) -> None:
    rows = await TimetableSlot.filter(school=school, weekday=span.weekday)
    clash = first_overlap(
        [SlotSpan(r.weekday, r.start_minute, r.end_minute, r.id) for r in rows], span
    )
    if clash is not None:
        start, end = minutes_to_time(clash.start), minutes_to_time(clash.end)
        raise Invalid(f"the slot overlaps {start:%H:%M}-{end:%H:%M}", code="slot_overlap")


def _label(label: str, start: time) -> str:
    default = f"{start:%H}h" if start.minute == 0 else f"{start:%H}h{start:%M}"
    return (label.strip() or default)[:MAX_LABEL]


async def add_slot(
    school: School, weekday: int, start: time, end: time, actor: Actor, *, label: str = ""
) -> TimetableSlot:
    """Add a slot to the entry grid of ``weekday`` (0 = Monday); overlapping slots are refused."""
    forget_calendars()
    span = _span(weekday, start, end)
    async with in_transaction():
        await _refuse_overlap(school, span)
        slot = await TimetableSlot.create(
            school=school,
            weekday=weekday,
            start_minute=span.start,
            end_minute=span.end,
            label=_label(label, start),
        )
        await audit.record(
            actor, "timetable.add", slot, school_id=school.id, after=audit.snapshot(slot)
        )
    return slot


async def _slot(school: School, slot_id: int) -> TimetableSlot:
    slot = await TimetableSlot.get_or_none(id=slot_id, school=school)
    if slot is None:
        raise NotFound(f"no slot {slot_id} in {school.uai}")
    return slot


@dataclass(frozen=True, slots=True)
class SlotRow:
    """One slot of the timetable form as submitted: its id and its new day, times and name."""

    slot_id: int
    weekday: int
    start: time
    end: time
    label: str = ""


class SlotsRefused(Invalid):
    """The timetable form refused as a whole; ``rows`` names each refused slot's problem
    (``slot_order``, ``weekday``, ``slot_overlap``) by its id."""

    def __init__(self, rows: dict[int, str]) -> None:
        super().__init__(f"slots refused: {rows}", code="slots_refused")
        self.rows = rows


def _problems(rows: Sequence[SlotRow], spans: dict[int, SlotSpan]) -> dict[int, str]:
    """Each row's problem: not a slot, or overlapping another slot of the timetable as it would
    be once every row is saved."""
    problems: dict[int, str] = {}
    for row in rows:
        span = SlotSpan(row.weekday, time_to_minutes(row.start), time_to_minutes(row.end))
        problem = slot_problem(span)
        if problem is not None:
            problems[row.slot_id] = problem
            continue
        spans[row.slot_id] = SlotSpan(span.weekday, span.start, span.end, row.slot_id)
    for row in rows:
        span = spans[row.slot_id]
        if row.slot_id not in problems and first_overlap(spans.values(), span) is not None:
            problems[row.slot_id] = "slot_overlap"
    return problems


async def save_slots(school: School, rows: Sequence[SlotRow], actor: Actor) -> int:
    """Save the whole timetable form: every row or none (:class:`SlotsRefused` says which rows
    and why), one audit record per slot that changed; how many changed."""
    forget_calendars()
    async with in_transaction():
        existing = {
            slot.id: slot for slot in await TimetableSlot.filter(school=school).select_for_update()
        }
        unknown = [row.slot_id for row in rows if row.slot_id not in existing]
        if unknown:
            raise NotFound(f"no slot {unknown[0]} in {school.uai}")
        spans = {
            slot.id: SlotSpan(slot.weekday, slot.start_minute, slot.end_minute, slot.id)
            for slot in existing.values()
        }
        problems = _problems(rows, spans)
        if problems:
            raise SlotsRefused(problems)
        befores = {row.slot_id: audit.snapshot(existing[row.slot_id]) for row in rows}
        for row in rows:
            slot = existing[row.slot_id]
            slot.weekday, slot.label = row.weekday, _label(row.label, row.start)
            slot.start_minute, slot.end_minute = spans[row.slot_id].start, spans[row.slot_id].end
        moved = [
            existing[slot_id]
            for slot_id, before in befores.items()
            if audit.snapshot(existing[slot_id]) != before
        ]
        for slot in moved:  # out of the way first: two slots may swap their hours
            await TimetableSlot.filter(id=slot.id).update(start_minute=-slot.id)
        for slot in moved:
            await slot.save()
            await audit.record(
                actor,
                "timetable.edit",
                slot,
                school_id=school.id,
                before=befores[slot.id],
                after=audit.changed(befores[slot.id], audit.snapshot(slot)),
            )
    return len(moved)


async def remove_slot(school: School, slot_id: int, actor: Actor) -> None:
    """Remove a slot from the entry grid (events already recorded keep their times)."""
    forget_calendars()
    async with in_transaction():
        slot = await _slot(school, slot_id)
        before = audit.snapshot(slot)
        await slot.delete()
        await audit.record(
            actor,
            "timetable.remove",
            "timetable_slot",
            school_id=school.id,
            entity_id=slot_id,
            before=before,
        )


async def update_colours(school: School, colours: dict[str, str], actor: Actor) -> School:
    """Change the colours of events on screen (keys: absence, lateness, other)."""
    unknown = sorted(set(colours) - set(COLOUR_KEYS))
    if unknown:
        raise Invalid(f"unknown colour keys: {', '.join(unknown)}", code="colour")
    checked = {key: check_colour(value) for key, value in colours.items()}
    async with in_transaction():
        fresh = await School.get(id=school.id)
        before = dict(fresh.colours)
        fresh.colours = {**DEFAULT_COLOURS, **before, **checked}
        await fresh.save(update_fields=["colours", "updated_at"])
        await audit.record(
            actor,
            "school.colours",
            fresh,
            school_id=fresh.id,
            before={"colours": before},
            after={"colours": fresh.colours},
        )
    return fresh
