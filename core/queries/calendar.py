"""The school's calendar for the pure rules, read from its timetable and closed days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from core.models import ClosedDay, School, TimetableSlot
from core.models.school import minutes_to_time
from core.rules.calendar import Half, HalfDayKey, SchoolCalendar, Slot, parse_hhmm

# Within one unit of work (a request, a job) the calendar is read once per school: saving one
# absence reads it for the event, its half-days and its notice. Services that change slots or
# closed days forget it (``forget_calendars``); outside such a unit nothing is remembered.
_Key = tuple[int, str, str, int]
_remembered: ContextVar[dict[_Key, SchoolCalendar] | None] = ContextVar(
    "calendars_remembered", default=None
)


@contextmanager
def calendars_remembered() -> Iterator[None]:
    """Remember the calendars read until the block ends (one request, one job)."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def forget_calendars() -> None:
    """The calendars remembered are stale: a service changed slots or closed days."""
    remembered = _remembered.get()
    if remembered is not None:
        remembered.clear()


def _key(school: School) -> _Key:
    return (school.id, school.timezone, school.midday, school.midday_tolerance_minutes)


async def timetable_slots(school: School) -> list[TimetableSlot]:
    """The school's timetable slots by day and start."""
    return list(await TimetableSlot.filter(school=school).order_by("weekday", "start_minute"))


async def load_calendar(school: School) -> SchoolCalendar:
    """The school's calendar for the pure rules: zone, midday and its tolerance, slots, closed
    days."""
    return (await load_calendars([school]))[school.id]


async def load_calendars(schools: Sequence[School]) -> dict[int, SchoolCalendar]:
    """:func:`load_calendar` of each school, in two statements whatever their number."""
    remembered = _remembered.get()
    if remembered is None:
        return await _read_calendars(schools)
    missing = [school for school in schools if _key(school) not in remembered]
    if missing:
        read = await _read_calendars(missing)
        remembered.update((_key(school), read[school.id]) for school in missing)
    return {school.id: remembered[_key(school)] for school in schools}


async def _read_calendars(schools: Sequence[School]) -> dict[int, SchoolCalendar]:
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
