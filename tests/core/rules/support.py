"""Shared builders for the pure-rules tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.rules.calendar import (
    Half,
    HalfDayKey,
    SchoolCalendar,
    Slot,
    SlotAssignment,
    default_slots,
)
from core.rules.counting import CountableEvent, EventKind

PARIS = ZoneInfo("Europe/Paris")
REUNION = ZoneInfo("Indian/Reunion")
NOUMEA = ZoneInfo("Pacific/Noumea")
MARTINIQUE = ZoneInfo("America/Martinique")

NOON = time(12, 0)
GEPI_MIDDAY = time(11, 55)


def school(
    tz: ZoneInfo = PARIS,
    midday: time = NOON,
    slots: tuple[Slot, ...] | None = None,
    closed_days: frozenset[date] = frozenset(),
    closed_half_days: frozenset[HalfDayKey] = frozenset(),
    slot_assignment: SlotAssignment = SlotAssignment.SPLIT,
    tolerance_minutes: int = 0,
) -> SchoolCalendar:
    """A calendar with the default timetable unless `slots` is given."""
    return SchoolCalendar(
        tz=tz,
        midday=midday,
        slots=default_slots() if slots is None else slots,
        closed_days=closed_days,
        closed_half_days=closed_half_days,
        slot_assignment=slot_assignment,
        midday_tolerance=timedelta(minutes=tolerance_minutes),
    )


def local(day: str, hour: int = 0, minute: int = 0, tz: ZoneInfo = PARIS) -> datetime:
    """Aware datetime at a local wall time, e.g. local("2026-01-12", 8)."""
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=tz)


def utc(day: str, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """Aware UTC datetime."""
    return datetime.combine(date.fromisoformat(day), time(hour, minute, second), tzinfo=UTC)


def am(day: str) -> HalfDayKey:
    """Morning key of an ISO date."""
    return HalfDayKey(date.fromisoformat(day), Half.MORNING)


def pm(day: str) -> HalfDayKey:
    """Afternoon key of an ISO date."""
    return HalfDayKey(date.fromisoformat(day), Half.AFTERNOON)


def event(
    start: datetime,
    end: datetime | None,
    *,
    kind: EventKind = EventKind.ABSENCE,
    counts: bool = True,
    accepted: bool | None = None,
    deleted: bool = False,
) -> CountableEvent:
    """An unjustified (undecided), counting absence unless told otherwise."""
    return CountableEvent(start, end, kind, counts, accepted, deleted)
