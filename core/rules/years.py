"""School years as a school lives them: their names, when the next may start, which years a
closed one locks, which are kept (pure values)."""

from __future__ import annotations

from datetime import date

from core.rules.calendar import YEAR_TURN_MONTH, school_year_of

RETENTION_DEFAULT = 3  # the current year and the previous two
RETENTION_MIN = 1
RETENTION_MAX = 10


def year_label(start_year: int) -> str:
    """``2026-2027`` for the school year that starts in 2026."""
    return f"{start_year}-{start_year + 1}"


def year_turn(start_year: int) -> date:
    """The first day counted in the school year ``start_year`` (1 August: see
    :func:`core.rules.calendar.school_year_of`)."""
    return date(start_year, YEAR_TURN_MONTH, 1)


def may_start(current: int, wanted: int) -> bool:
    """Only the year that follows the current one can start."""
    return wanted == current + 1


def is_closed(day: date, closed_through: int | None) -> bool:
    """Whether ``day`` falls in a closed school year (``closed_through``: the latest one closed,
    None when none is)."""
    return closed_through is not None and school_year_of(day) <= closed_through


def first_kept(current: int, retention_years: int) -> int:
    """The oldest school year kept when ``retention_years`` are (the current one counts)."""
    return current - max(retention_years, RETENTION_MIN) + 1
