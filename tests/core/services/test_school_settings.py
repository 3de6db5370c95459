"""Timetable slots, colours, closed days and holiday imports: one transaction, one audit row."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from core.errors import Conflict, Invalid, NotFound
from core.models import AuditEntry, ClosedDay, School, TimetableSlot
from core.queries.calendar import calendars_remembered, load_calendar
from core.services.audit import Actor
from core.services.schools import closed_days
from core.services.schools.slots import (
    SlotRow,
    SlotsRefused,
    add_slot,
    remove_slot,
    save_slots,
    update_colours,
)
from tests.core.services.conftest import MONDAY

SATURDAY = 5


async def test_a_new_slot_reaches_the_calendar_the_grid_reads(
    school_a: School, system: Actor
) -> None:
    slot = await add_slot(school_a, SATURDAY, time(8), time(9, 30), system)
    assert (slot.start_minute, slot.end_minute, slot.label) == (480, 570, "08h")
    calendar = await load_calendar(school_a)
    assert any(s.weekday == SATURDAY and s.end == time(9, 30) for s in calendar.slots)
    row = await AuditEntry.get(action="timetable.add")
    assert row.after is not None and row.after["weekday"] == SATURDAY


async def test_slots_may_touch_but_not_overlap(school_a: School, system: Actor) -> None:
    await add_slot(school_a, SATURDAY, time(8), time(9), system, label="M1")
    await add_slot(school_a, SATURDAY, time(9), time(10), system, label="M2")
    with pytest.raises(Invalid) as refused:
        await add_slot(school_a, SATURDAY, time(9, 30), time(10, 30), system)
    assert refused.value.code == "slot_overlap"
    with pytest.raises(Invalid) as backwards:
        await add_slot(school_a, SATURDAY, time(11), time(10), system)
    assert backwards.value.code == "slot_order"
    assert await TimetableSlot.filter(school=school_a, weekday=SATURDAY).count() == 2


async def test_a_slot_is_edited_without_clashing_with_itself(
    school_a: School, system: Actor
) -> None:
    slot = await add_slot(school_a, SATURDAY, time(8), time(9), system)
    other = await add_slot(school_a, SATURDAY, time(10), time(11), system)
    moved = SlotRow(slot.id, SATURDAY, time(8, 30), time(9, 30))
    assert await save_slots(school_a, [moved], system) == 1
    edited = await TimetableSlot.get(id=slot.id)
    assert (edited.start_minute, edited.label) == (510, "08h30")
    with pytest.raises(SlotsRefused) as refused:
        await save_slots(school_a, [SlotRow(other.id, SATURDAY, time(9), time(10))], system)
    assert refused.value.rows == {other.id: "slot_overlap"}
    audit = await AuditEntry.get(action="timetable.edit")
    assert audit.after == {"start_minute": 510, "end_minute": 570, "label": "08h30"}


async def test_the_timetable_form_saves_every_row_or_none(school_a: School, system: Actor) -> None:
    first = await add_slot(school_a, SATURDAY, time(8), time(9), system)
    second = await add_slot(school_a, SATURDAY, time(9), time(10), system)
    # swapping two slots' hours at once is fine, though each alone would clash
    swapped = [
        SlotRow(first.id, SATURDAY, time(9), time(10), "B"),
        SlotRow(second.id, SATURDAY, time(8), time(9), "A"),
    ]
    assert await save_slots(school_a, swapped, system) == 2
    assert (await TimetableSlot.get(id=first.id)).start_minute == 540
    bad = [
        SlotRow(first.id, SATURDAY, time(11), time(12), "B"),
        SlotRow(second.id, SATURDAY, time(9), time(8), "A"),  # ends before it starts
    ]
    with pytest.raises(SlotsRefused) as refused:
        await save_slots(school_a, bad, system)
    assert refused.value.rows == {second.id: "slot_order"}
    assert (await TimetableSlot.get(id=first.id)).start_minute == 540  # nothing saved
    assert await AuditEntry.filter(action="timetable.edit").count() == 2
    assert await save_slots(school_a, swapped, system) == 0  # nothing changed, nothing audited
    assert await AuditEntry.filter(action="timetable.edit").count() == 2


async def test_removing_a_slot_is_audited_and_stays_in_its_school(
    school_a: School, school_b: School, system: Actor
) -> None:
    slot = await add_slot(school_a, SATURDAY, time(8), time(9), system)
    with pytest.raises(NotFound):
        await remove_slot(school_b, slot.id, system)
    await remove_slot(school_a, slot.id, system)
    assert not await TimetableSlot.exists(id=slot.id)
    row = await AuditEntry.get(action="timetable.remove")
    assert (row.entity_id, row.school_id) == (str(slot.id), school_a.id)


async def test_colours_are_checked_and_audited(school_a: School, system: Actor) -> None:
    school = await update_colours(school_a, {"absence": "#AA0000"}, system)
    assert school.colours["absence"] == "#aa0000"
    assert school.colours["lateness"] == "#f0ad4e"
    for bad in ({"absence": "red"}, {"sky": "#000000"}):
        with pytest.raises(Invalid) as refused:
            await update_colours(school_a, bad, system)
        assert refused.value.code == "colour"
    assert await AuditEntry.filter(action="school.colours").count() == 1


async def test_a_day_or_a_half_day_is_closed_once(school_a: School, system: Actor) -> None:
    pm = await closed_days.add_closed_day(school_a, MONDAY, "pm", "Journée pédagogique", system)
    await closed_days.add_closed_day(school_a, MONDAY, "am", "Cross", system)
    for half in ("pm", "day"):
        with pytest.raises(Conflict):
            await closed_days.add_closed_day(school_a, MONDAY, half, "", system)
    with pytest.raises(Invalid):
        await closed_days.add_closed_day(school_a, MONDAY, "night", "", system)
    calendar = await load_calendar(school_a)
    assert len(calendar.closed_half_days) == 2
    await closed_days.remove_closed_day(school_a, pm.id, system)
    actions = await AuditEntry.filter(school_id=school_a.id, entity="closed_day").values_list(
        "action", flat=True
    )
    assert sorted(str(a) for a in actions) == [
        "closed_day.add",
        "closed_day.add",
        "closed_day.remove",
    ]


async def test_the_zone_holidays_and_public_holidays_are_imported_once(
    school_a: School, system: Actor
) -> None:
    await closed_days.add_closed_day(school_a, date(2026, 5, 1), "day", "Pont maison", system)
    result = await closed_days.import_holidays(school_a, "A", system, today=MONDAY)
    assert (result.first, result.last) == (date(2025, 9, 1), date(2026, 7, 4))
    days = {c.day: c.label for c in await ClosedDay.filter(school=school_a)}
    assert days[date(2026, 2, 9)] == "Vacances d'hiver"
    assert "Noël" in days[date(2025, 12, 22)]
    assert days[date(2026, 4, 6)] == "Lundi de Pâques"
    assert days[date(2026, 5, 1)] == "Pont maison"  # a day already closed stays as it was
    assert date(2026, 2, 8) not in days  # Sundays have no lessons anyway
    assert result.added == len(days) - 1
    again = await closed_days.import_holidays(school_a, "A", system, today=MONDAY)
    assert again.added == 0
    fresh = await School.get(id=school_a.id)
    assert fresh.holiday_zone == "A"
    row = await AuditEntry.filter(action="closed_day.fill").first()
    assert row is not None and row.after is not None and row.after["added"] == result.added


async def test_zone_c_differs_from_zone_a_and_unknown_zones_are_refused(
    school_a: School, system: Actor
) -> None:
    zone_a = closed_days.national_closures("A", date(2026, 2, 1), date(2026, 3, 15))
    zone_c = closed_days.national_closures("C", date(2026, 2, 1), date(2026, 3, 15))
    assert zone_a.keys() != zone_c.keys()
    with pytest.raises(Invalid):
        await closed_days.import_holidays(school_a, "D", system, today=MONDAY)
    with pytest.raises(Invalid) as too_far:
        await closed_days.import_holidays(school_a, "A", system, today=date(2040, 1, 5))
    assert too_far.value.code == "holidays_year"


async def test_within_one_request_the_calendar_is_read_once_and_forgotten_when_changed(
    school_a: School, system: Actor
) -> None:
    """A request reads a school's calendar once (every service of a save needs it); a change of
    slots or closed days within the request makes the next read see it."""
    next_monday = MONDAY + timedelta(days=7)
    with calendars_remembered():
        first = await load_calendar(school_a)
        await ClosedDay.create(school=school_a, day=MONDAY, half="day", label="by hand")
        assert await load_calendar(school_a) is first  # remembered: not read again
        await closed_days.add_closed_day(school_a, next_monday, "day", "Cross", system)
        seen = await load_calendar(school_a)
        assert {MONDAY, next_monday} <= seen.closed_days
        slot = await add_slot(school_a, SATURDAY, time(8), time(9), system)
        assert any(s.weekday == SATURDAY for s in (await load_calendar(school_a)).slots)
        await remove_slot(school_a, slot.id, system)
        assert not any(s.weekday == SATURDAY for s in (await load_calendar(school_a)).slots)
    await ClosedDay.filter(school=school_a, day=MONDAY).delete()
    assert MONDAY not in (await load_calendar(school_a)).closed_days  # outside: read each time
