"""The school's calendar for the pure rules, read from its timetable and closed days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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
    return (await load_calendars([school]))[school.id]


async def load_calendars(schools: Sequence[School]) -> dict[int, SchoolCalendar]:
    """:func:`load_calendar` of each school, in two statements whatever their number."""
    ids = [school.id for school in schools]
    slots: dict[int, list[Slot]] = defaultdict(list)
    rows = TimetableSlot.filter(school_id__in=ids).values_list(
        "school_id", "weekday", "start_minute", "end_minute"
    )
    for school_id, weekday, start, end in await rows:
        slots[school_id].append(
            Slot(weekday=weekday, start=minutes_to_time(start), end=minutes_to_time(end))
        )
    closed_days: dict[int, set[date]] = defaultdict(set)
    closed_halves: dict[int, set[HalfDayKey]] = defaultdict(set)
    closed = ClosedDay.filter(school_id__in=ids).values_list("school_id", "day", "half")
    for school_id, day, half in await closed:
        if half == "day":
            closed_days[school_id].add(day)
        else:
            closed_halves[school_id].add(HalfDayKey(day, Half(half)))
    return {
        school.id: SchoolCalendar(
            tz=ZoneInfo(school.timezone),
            midday=parse_hhmm(school.midday),
            slots=tuple(slots[school.id]),
            closed_days=frozenset(closed_days[school.id]),
            closed_half_days=frozenset(closed_halves[school.id]),
            midday_tolerance=timedelta(minutes=school.midday_tolerance_minutes),
        )
        for school in schools
    }
