"""Shared pieces of the read side: pages of results, days in the school's zone, visibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from core.models import School, SchoolYear
from core.rules.calendar import day_start as day_start  # the queries' day bounds
from core.rules.calendar import year_bounds

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results: ``total`` is how many match, whatever the page."""

    items: list[T]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        following = self.offset + self.limit
        return following if following < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset > 0 else None

    @property
    def first(self) -> int:
        """1-based rank of the first item shown (0 when the page is empty)."""
        return self.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.items)


def zone(school: School) -> ZoneInfo:
    """The zone the school's days are counted and its times shown in."""
    return ZoneInfo(school.timezone)


def local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An aware moment in the school's zone (None stays None)."""
    return None if moment is None else moment.astimezone(tz)


def chunks(values: list[int], size: int = 500) -> list[list[int]]:
    """``values`` in lists of at most ``size``: ``IN (…)`` stays under every backend's limit."""
    return [values[i : i + size] for i in range(0, len(values), size)]


async def school_year_dates(school: School, start_year: int) -> tuple[date, date]:
    """The first and last day of lessons of a school year: the school's own, else the default."""
    row = await SchoolYear.get_or_none(school=school, start_year=start_year)
    return year_bounds(start_year, (row.starts_on, row.ends_on) if row is not None else None)
