"""The bounds of every value that comes from outside: ids, counts, days, moments, texts.

Defined once here and used at the edge (the API's pydantic models, the panel's readers), so
that a value the database cannot hold — an id past its 32-bit column, a day in year 9999, a
code longer than its column — is a clear refusal, never a driver's error or an overflow.

Days and moments lie in one window, :data:`FIRST_DAY`–:data:`LAST_DAY`: wide enough for any
school year a school keeps, narrow enough that adding a week or a year stays a valid date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field
from tortoise import Model

MAX_ID = 2**31 - 1  # the largest value of an integer column (ids are 32-bit)
MAX_OFFSET = 1_000_000  # skipping more than this many rows of a list means nothing
MAX_COUNT = 1_000_000  # a quota, a number of messages or days: more is a typing slip
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
WINDOW = f"{FIRST_DAY.isoformat()} … {LAST_DAY.isoformat()}"
_FIRST_MOMENT = datetime.combine(FIRST_DAY, time(), tzinfo=UTC)
_LAST_MOMENT = datetime.combine(LAST_DAY, time.max, tzinfo=UTC)


def day_in_window(day: date) -> bool:
    """Whether ``day`` lies in the window every day of the application lies in."""
    return FIRST_DAY <= day <= LAST_DAY


def moment_in_window(moment: datetime) -> bool:
    """Whether an aware ``moment`` lies in the window (naive ones are taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return _FIRST_MOMENT <= aware <= _LAST_MOMENT


def id_in_range(value: int) -> bool:
    """Whether ``value`` may be the id of a row."""
    return 1 <= value <= MAX_ID


def fits(model: type[Model], field: str, text: str) -> bool:
    """Whether ``text`` may be stored in (or looked up by) that text column of ``model``."""
    return len(text) <= column_length(model, field) and storable(text)


def storable(text: str) -> bool:
    """Whether a text may be stored or compared: PostgreSQL refuses the NUL character."""
    return "\x00" not in text


def parse_id(raw: str) -> int | None:
    """The id written in ``raw`` (plain ASCII digits), or None when no row can have it."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        return None
    value = int(raw)
    return value if id_in_range(value) else None


def _day(day: date) -> date:
    if not day_in_window(day):
        raise ValueError(f"must lie between {WINDOW}")
    return day


def _moment(moment: datetime) -> datetime:
    if not moment_in_window(moment):
        raise ValueError(f"must lie between {WINDOW}")
    return moment


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Day = Annotated[date, AfterValidator(_day)]
Moment = Annotated[datetime, AfterValidator(_moment)]
AwareMoment = Annotated[AwareDatetime, AfterValidator(_moment)]


def column_length(model: type[Model], field: str) -> int:
    """The ``max_length`` of a text column of ``model`` (the model says it, not the edge)."""
    length = getattr(model._meta.fields_map[field], "max_length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{field} has no max_length")
    return length
