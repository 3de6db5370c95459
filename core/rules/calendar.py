"""The school's week: lesson slots, the midday boundary, closed days, half-days.

Pure values and functions (stdlib and zoneinfo only). Local wall times are turned into
aware UTC datetimes with zoneinfo, so daylight-saving days and overseas zones are handled
the same way as metropolitan France.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]


class Half(StrEnum):
    """One half of a school day."""

    MORNING = "am"
    AFTERNOON = "pm"


class SlotAssignment(StrEnum):
    """How a lesson slot that spans the midday boundary is shared between the halves.

    SPLIT (default): the part before midday is in the morning, the rest in the afternoon.
    BY_START: the whole slot belongs to the half in which it starts.
    """

    SPLIT = "split"
    BY_START = "by_start"


MIDDAY_TOLERANCE_DEFAULT = 10
"""Minutes a slot may run over the midday boundary and still belong whole to one half-day."""
MIDDAY_TOLERANCE_MAX = 60


def require_aware(dt: datetime, name: str = "datetime") -> None:
    """Raise ValueError if `dt` is naive (no usable UTC offset)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {dt!r}")


def _require_naive_time(t: time, name: str) -> None:
    if t.tzinfo is not None:
        raise ValueError(f"{name} must be a naive local wall time, got {t!r}")


@dataclass(frozen=True, slots=True)
class Slot:
    """A weekly lesson slot in local wall time: weekday 0 = Monday … 6 = Sunday."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be in 0..6, got {self.weekday}")
        _require_naive_time(self.start, "start")
        _require_naive_time(self.end, "end")
        if not self.start < self.end:
            raise ValueError(f"slot start {self.start} must be before its end {self.end}")


@dataclass(frozen=True, slots=True, order=True)
class HalfDayKey:
    """A half-day in the school's local calendar; sorts by day, then morning first."""

    day: date
    half: Half


def merge_intervals(intervals: list[Interval]) -> list[Interval]:
    """Sort intervals and merge those that overlap or touch; drop empty ones."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class SchoolCalendar:
    """A school's timetable, midday boundary, time zone and closures."""

    tz: ZoneInfo
    midday: time
    slots: tuple[Slot, ...]
    closed_days: frozenset[date] = frozenset()
    closed_half_days: frozenset[HalfDayKey] = frozenset()
    slot_assignment: SlotAssignment = SlotAssignment.SPLIT
    midday_tolerance: timedelta = timedelta()

    def __post_init__(self) -> None:
        _require_naive_time(self.midday, "midday")
        if self.midday == time(0, 0):
            raise ValueError("midday must be after 00:00")
        if self.midday_tolerance < timedelta():
            raise ValueError("midday_tolerance must not be negative")

    def whole_half(self, slot: Slot) -> Half | None:
        """The half a slot belongs to whole: the one it starts in when BY_START; else, for a slot
        that crosses midday by at most ``midday_tolerance`` on one side, the half it mostly lies
        in (an even split: the morning); None when the slot is shared at midday."""
        if self.slot_assignment == SlotAssignment.BY_START or not (
            slot.start < self.midday < slot.end
        ):
            return Half.MORNING if slot.start < self.midday else Half.AFTERNOON
        day = date(2000, 1, 3)  # any day: wall-clock lengths, not elapsed time
        before = datetime.combine(day, self.midday) - datetime.combine(day, slot.start)
        after = datetime.combine(day, slot.end) - datetime.combine(day, self.midday)
        if min(before, after) > self.midday_tolerance:
            return None
        return Half.MORNING if before >= after else Half.AFTERNOON

    def is_closed(self, key: HalfDayKey) -> bool:
        """True if the day or this half of it is closed (holiday, closure, …)."""
        return key.day in self.closed_days or key in self.closed_half_days

    def _wall_pieces(self, key: HalfDayKey) -> list[tuple[time, time]]:
        """The weekday's slots, clipped to the half, in local wall time."""
        pieces: list[tuple[time, time]] = []
        morning = key.half == Half.MORNING
        for slot in self.slots:
            if slot.weekday != key.day.weekday():
                continue
            whole = self.whole_half(slot)
            if whole is not None:
                if whole == key.half:
                    pieces.append((slot.start, slot.end))
            elif morning:
                pieces.append((slot.start, min(slot.end, self.midday)))
            else:
                pieces.append((max(slot.start, self.midday), slot.end))
        return [(start, end) for start, end in pieces if start < end]

    def lesson_intervals(self, key: HalfDayKey) -> list[Interval]:
        """Lesson time of a half-day as merged, sorted, aware UTC intervals.

        Morning is [00:00, midday) and afternoon [midday, 24:00) in local wall time, but a slot
        that crosses midday by at most ``midday_tolerance`` belongs whole to the half it mostly
        lies in (and with BY_START every slot to the half it starts in): a morning's last lesson
        running a few minutes past midday never makes an afternoon half-day. Empty when the day
        or half is closed or has no slot. Kept once computed (a calendar never changes): the
        list returned must not be changed.
        """
        memo: dict[HalfDayKey, list[Interval]] = self.__dict__.setdefault("_lessons", {})
        found = memo.get(key)
        if found is None:
            found = memo[key] = self._lesson_intervals(key)
        return found

    def _lesson_intervals(self, key: HalfDayKey) -> list[Interval]:
        if self.is_closed(key):
            return []
        return merge_intervals(
            [
                (self.to_utc(key.day, start), self.to_utc(key.day, end))
                for start, end in self._wall_pieces(key)
            ]
        )

    def is_school_half_day(self, key: HalfDayKey) -> bool:
        """True if the half-day has lesson time (a slot, not closed)."""
        return bool(self.lesson_intervals(key))

    def school_half_days(self, first: date, last: date) -> list[HalfDayKey]:
        """School half-days (with lesson time) from `first` to `last` inclusive, sorted."""
        keys: list[HalfDayKey] = []
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            keys.extend(
                key
                for key in (HalfDayKey(day, Half.MORNING), HalfDayKey(day, Half.AFTERNOON))
                if self.is_school_half_day(key)
            )
        return keys

    def to_utc(self, day: date, wall: time) -> datetime:
        """Convert a local wall time on `day` to an aware UTC datetime."""
        return datetime.combine(day, wall, tzinfo=self.tz).astimezone(UTC)

    def is_school_day(self, day: date) -> bool:
        """True if ``day`` has lesson time (a slot of its weekday, not closed)."""
        return any(self.is_school_half_day(HalfDayKey(day, half)) for half in Half)

    def next_school_day(self, after: date, horizon: int = 400) -> date | None:
        """The first school day after ``after`` within ``horizon`` days (None without one)."""
        for offset in range(1, horizon + 1):
            day = after + timedelta(days=offset)
            if self.is_school_day(day):
                return day
        return None

    def lesson_at(self, moment: datetime) -> Interval | None:
        """The timetable slot (aware UTC bounds) running at ``moment``, if any."""
        require_aware(moment, "moment")
        local = moment.astimezone(self.tz)
        wall = local.time().replace(tzinfo=None)
        for slot in self.slots:
            if slot.weekday == local.weekday() and slot.start <= wall < slot.end:
                return self.to_utc(local.date(), slot.start), self.to_utc(local.date(), slot.end)
        return None


def default_slots() -> tuple[Slot, ...]:
    """Monday–Friday one-hour slots from 8:00 to 17:00; Wednesday only 8:00–12:00."""
    slots: list[Slot] = []
    for weekday in range(5):
        last_hour = 12 if weekday == 2 else 17
        slots.extend(Slot(weekday, time(hour), time(hour + 1)) for hour in range(8, last_hour))
    return tuple(slots)


def parse_hhmm(value: str) -> time:
    """A local wall time from ``HH:MM``."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first moment of ``day`` in ``tz``, in UTC (SQLite compares datetimes as text)."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def local_date(dt: datetime, tz: ZoneInfo) -> date:
    """The calendar date of an aware moment in the zone `tz`."""
    require_aware(dt)
    return dt.astimezone(tz).date()


def month_label(moment: date, tz: ZoneInfo | None = None) -> str:
    """``YYYY-MM``: the month of a day, or of an aware moment in the school's zone ``tz`` (the
    key of a month's letters and alerts; its words are ``notice_labels.month_year``)."""
    if tz is not None and isinstance(moment, datetime):
        moment = local_date(moment, tz)
    return f"{moment.year:04d}-{moment.month:02d}"


def half_of(dt: datetime, tz: ZoneInfo, midday: time) -> HalfDayKey:
    """The half-day an aware moment falls in: before midday local is the morning."""
    require_aware(dt)
    _require_naive_time(midday, "midday")
    local = dt.astimezone(tz)
    half = Half.MORNING if local.time() < midday else Half.AFTERNOON
    return HalfDayKey(local.date(), half)


# The school year. Year N (written N-N+1, SIECLE's ANNEE_SCOLAIRE N) holds every day from
# 1 August N to 31 July N+1, so the end of the summer belongs to the year about to start. Its
# lessons run between the school's own dates (set at its creation, then by SIECLE's Communs.xml)
# and, for a year the school has no dates for, from 1 September N to 4 July N+1.
YEAR_TURN_MONTH = 8
DEFAULT_FIRST_DAY = (9, 1)
DEFAULT_LAST_DAY = (7, 4)


def school_year_of(day: date) -> int:
    """The first year of the school year that holds ``day`` (2025 for 2025-26).

    The year turns on 1 August: 31 July 2026 is in 2025-26, 1 August 2026 in 2026-27.
    """
    return day.year if day.month >= YEAR_TURN_MONTH else day.year - 1


def year_bounds(start_year: int, own: tuple[date, date] | None = None) -> tuple[date, date]:
    """The first and last day of lessons of the school year ``start_year``.

    ``own``: the school's dates for that year when it has them (they win); else 1 September to
    4 July.
    """
    if own is not None:
        return own
    return (
        date(start_year, *DEFAULT_FIRST_DAY),
        date(start_year + 1, *DEFAULT_LAST_DAY),
    )
