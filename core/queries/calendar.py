"""The school's calendar for the pure rules, read from its timetable and closed days."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from core.models import ClosedDay, School, TimetableSlot
from core.rules.calendar import Half, HalfDayKey, SchoolCalendar, Slot, parse_hhmm


async def timetable_slots(school: School) -> list[TimetableSlot]:
    """The school's timetable slots by day and start."""
    return list(await TimetableSlot.filter(school=school).order_by("weekday", "start_minute"))


async def load_calendar(school: School) -> SchoolCalendar:
    """The school's calendar for the pure rules: zone, midday and its tolerance, slots, closed
    days."""
    slots = tuple(
        Slot(
            weekday=s.weekday,
            start=s.starts_at,
            end=s.ends_at,
        )
        for s in await TimetableSlot.filter(school=school)
    )
    closed_days: set[date] = set()
    closed_halves: set[HalfDayKey] = set()
    for closed in await ClosedDay.filter(school=school):
        if closed.half == "day":
            closed_days.add(closed.day)
        else:
            closed_halves.add(HalfDayKey(closed.day, Half(closed.half)))
    return SchoolCalendar(
        tz=ZoneInfo(school.timezone),
        midday=parse_hhmm(school.midday),
        slots=slots,
        closed_days=frozenset(closed_days),
        closed_half_days=frozenset(closed_halves),
        midday_tolerance=timedelta(minutes=school.midday_tolerance_minutes),
    )
