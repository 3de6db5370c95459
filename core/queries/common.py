"""Shared pieces of the read side: pages of results, days in the school's zone, an event as the
counting rules see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.queryset import QuerySet, ValuesListQuery

from core.models import Event, School, SchoolYear
from core.rules.calendar import day_start as day_start  # the queries' day bounds
from core.rules.calendar import year_bounds
from core.rules.counting import CountableEvent, EventKind

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


def overlapping(
    found: QuerySet[Event], first: date | None, last: date | None, tz: ZoneInfo
) -> QuerySet[Event]:
    """The events of ``found`` overlapping the days ``first``–``last`` (either may be open) in
    ``tz``: an open-ended absence goes on; others without end are instantaneous."""
    if last is not None:
        found = found.filter(starts_at__lt=day_start(last + timedelta(days=1), tz))
    if first is not None:
        start = day_start(first, tz)
        found = found.filter(
            Q(ends_at__gt=start)
            | Q(ends_at__isnull=True, starts_at__gte=start)
            | Q(ends_at__isnull=True, kind=EventKind.ABSENCE)
        )
    return found


def name_starts(word: str, via: str = "") -> Q:
    """A last, usual or first name starting with ``word`` (case-insensitive); ``via`` is the
    path to the student (``"student__"`` from an event)."""
    names = ("last_name", "usual_name", "first_name")
    return Q(*(Q(**{f"{via}{name}__istartswith": word}) for name in names), join_type="OR")


Chunked = TypeVar("Chunked")


def chunks(values: list[Chunked], size: int = 500) -> list[list[Chunked]]:
    """``values`` in lists of at most ``size``: ``IN (…)`` stays under every backend's limit."""
    return [values[i : i + size] for i in range(0, len(values), size)]


async def school_year_dates(school: School, start_year: int) -> tuple[date, date]:
    """The first and last day of lessons of a school year: the school's own, else the default."""
    row = await SchoolYear.get_or_none(school=school, start_year=start_year)
    return year_bounds(start_year, (row.starts_on, row.ends_on) if row is not None else None)


def countable(event: Event) -> CountableEvent | None:
    """The event as the counting rules see it (the dated notices and the student's file)."""
    end = event.ends_at
    if end is not None and end <= event.starts_at:
        return None  # an instantaneous record (a lateness without end) misses no lesson time
    return CountableEvent(
        start=event.starts_at,
        end=end,
        kind=EventKind(event.kind),
        counts=event.counts,
        accepted=event.accepted,
        deleted=event.deleted,
    )


async def driver_rows(query: ValuesListQuery[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver gives them, each value
    unconverted: for reads of many rows whose moments and days the caller reads with
    :func:`moment` and :func:`day_of` (tortoise reads SQLite's ISO text slowly)."""
    query.sql()  # makes the statement
    _, rows = await query.model._meta.db.execute_query(*query.query.get_parameterized_sql())
    columns = list(query.fields)  # the select's names of the fields asked, in their order
    return [tuple(row[column] for column in columns) for row in rows]


def moment(value: Any) -> datetime:
    """A datetime as the driver gives it (asyncpg: a datetime; SQLite: ISO text), in UTC."""
    found = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found


def day_of(value: Any) -> date:
    """A date as the driver gives it (asyncpg: a date; SQLite: ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)
