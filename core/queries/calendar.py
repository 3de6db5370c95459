"""The school's calendar for the pure rules, read from its timetable and closed days."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from core.models import ClosedDay, School, TimetableSlot
from core.models.school import minutes_to_time
from core.rules.calendar import Half, HalfDayKey, SchoolCalendar, Slot, parse_hhmm


async def timetable_slots(school: School) -> list[TimetableSlot]:
    """The school's timetable slots by day and start."""
    return list(await TimetableSlot.filter(school=school).order_by("weekday", "start_minute"))


async def load_calendar(school: School) -> SchoolCalendar:
    """The school's calendar for the pure rules: zone, midday and its tolerance, slots, closed
    days."""
    rows = TimetableSlot.filter(school=school).values_list("weekday", "start_minute", "end_minute")
    slots = tuple(
        Slot(weekday=weekday, start=minutes_to_time(start), end=minutes_to_time(end))
        for weekday, start, end in await rows
    )
    closed_days: set[date] = set()
    closed_halves: set[HalfDayKey] = set()
    for day, half in await ClosedDay.filter(school=school).values_list("day", "half"):
        if half == "day":
            closed_days.add(day)
        else:
            closed_halves.add(HalfDayKey(day, Half(half)))
    return SchoolCalendar(
        tz=ZoneInfo(school.timezone),
        midday=parse_hhmm(school.midday),
        slots=slots,
        closed_days=frozenset(closed_days),
        closed_half_days=frozenset(closed_halves),
        midday_tolerance=timedelta(minutes=school.midday_tolerance_minutes),
    )
