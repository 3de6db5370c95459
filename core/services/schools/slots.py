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
from datetime import time

from tortoise.transactions import in_transaction

from core.errors import Invalid, NotFound
from core.models import School, TimetableSlot
from core.models.school import DEFAULT_COLOURS, minutes_to_time, time_to_minutes
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


async def edit_slot(
    school: School,
    slot_id: int,
    weekday: int,
    start: time,
    end: time,
    actor: Actor,
    *,
    label: str = "",
) -> TimetableSlot:
    """Change a slot's day, times or label; it may not overlap another slot."""
    span = _span(weekday, start, end, slot_id)
    async with in_transaction():
        slot = await _slot(school, slot_id)
        await _refuse_overlap(school, span)
        before = audit.snapshot(slot)
        slot.weekday, slot.start_minute, slot.end_minute = weekday, span.start, span.end
        slot.label = _label(label, start)
        await slot.save()
        after = audit.snapshot(slot)
        await audit.record(
            actor,
            "timetable.edit",
            slot,
            school_id=school.id,
            before=before,
            after=audit.changed(before, after),
        )
    return slot


async def remove_slot(school: School, slot_id: int, actor: Actor) -> None:
    """Remove a slot from the entry grid (events already recorded keep their times)."""
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
