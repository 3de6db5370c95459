"""Closed days and half-days: added by hand, or imported from the national calendars.

School holidays for metropolitan zones A, B and C come from the ``vacances-scolaires-france``
package, which ships the Ministry's calendar as data (no network); French public holidays
from the ``holidays`` package. Half-days with no lesson do not count (domain.md §2), so the
counting rules and the entry grid read these rows through ``load_calendar``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import holidays
from tortoise.transactions import in_transaction
from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException

from core.errors import Conflict, Invalid, NotFound
from core.models import ClosedDay, School, SchoolYear
from core.models.school import HalfField
from core.services import audit
from core.services.audit import Actor
from core.services.schools.school import school_year_of

ZONES = ("A", "B", "C")
MAX_LABEL = 120


async def add_closed_day(
    school: School, day: date, half: str, label: str, actor: Actor
) -> ClosedDay:
    """Close a whole day (``half="day"``) or a half-day (``"am"``, ``"pm"``)."""
    try:
        which = HalfField(half)
    except ValueError:
        raise Invalid(f"invalid half {half!r}: day, am or pm", code="half") from None
    async with in_transaction():
        taken = {
            str(h)
            for h in await ClosedDay.filter(school=school, day=day).values_list("half", flat=True)
        }
        if "day" in taken or which.value in taken or (which is HalfField.FULL_DAY and taken):
            raise Conflict(f"{day} is already closed", code="closed_exists")
        row = await ClosedDay.create(
            school=school, day=day, half=which, label=label.strip()[:MAX_LABEL]
        )
        await audit.record(
            actor, "closed_day.add", row, school_id=school.id, after=audit.snapshot(row)
        )
    return row


async def remove_closed_day(school: School, closed_id: int, actor: Actor) -> None:
    async with in_transaction():
        row = await ClosedDay.get_or_none(id=closed_id, school=school)
        if row is None:
            raise NotFound(f"no closed day {closed_id} in {school.uai}")
        before = audit.snapshot(row)
        await row.delete()
        await audit.record(
            actor,
            "closed_day.remove",
            "closed_day",
            school_id=school.id,
            entity_id=closed_id,
            before=before,
        )


@dataclass(frozen=True, slots=True)
class HolidayImport:
    """What an import added: the days, between which dates."""

    zone: str
    added: int
    first: date
    last: date


async def year_bounds(school: School, today: date) -> tuple[date, date]:
    """The first and last day of the school year that contains ``today``."""
    start_year = school_year_of(today)
    year = await SchoolYear.get_or_none(school=school, start_year=start_year)
    if year is not None:
        return year.starts_on, year.ends_on
    return date(start_year, 9, 1), date(start_year + 1, 7, 4)


@lru_cache(maxsize=1)
def _calendar() -> Any:
    """The package's calendar, read once from the CSV it ships (no network)."""
    return SchoolHolidayDates()


def _school_holidays(zone: str, first: date, last: date) -> dict[date, str]:
    calendar = _calendar()
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        try:
            rows: dict[date, dict[str, Any]] = calendar.holidays_for_year_and_zone(year, zone)
        except UnsupportedYearException:
            raise Invalid(f"no holiday calendar for {year}", code="holidays_year") from None
        for day, row in rows.items():
            found[day] = f"{row['nom_vacances']} (zone {zone})"
    return found


def national_closures(zone: str, first: date, last: date) -> dict[date, str]:
    """School holidays of ``zone`` and public holidays between two dates, Monday to Saturday."""
    if zone not in ZONES:
        raise Invalid(f"unknown holiday zone {zone!r}: A, B or C", code="holiday_zone")
    days = _school_holidays(zone, first, last)
    public = holidays.country_holidays("FR", years=range(first.year, last.year + 1), language="fr")
    days.update({day: str(name) for day, name in public.items()})
    return {d: days[d] for d in sorted(days) if first <= d <= last and d.weekday() != 6}


async def import_holidays(
    school: School, zone: str, actor: Actor, *, today: date | None = None
) -> HolidayImport:
    """Close the school holidays and public holidays of the current school year.

    Days already closed for the whole day are kept as they are. The zone becomes the school's.
    """
    first, last = await year_bounds(school, today or date.today())
    closures = national_closures(zone, first, last)
    async with in_transaction():
        added = await _close_new_days(school, closures)
        before: dict[str, object] = {"holiday_zone": school.holiday_zone}
        await School.filter(id=school.id).update(holiday_zone=zone)
        school.holiday_zone = zone
        await audit.record(
            actor,
            "closed_day.import",
            school,
            school_id=school.id,
            before=before,
            after={"holiday_zone": zone, "added": added, "from": str(first), "to": str(last)},
        )
    return HolidayImport(zone, added, first, last)


async def _close_new_days(school: School, closures: dict[date, str]) -> int:
    """Close the days not closed yet for the whole day; how many were added."""
    closed = set(
        await ClosedDay.filter(school=school, half=HalfField.FULL_DAY).values_list("day", flat=True)
    )
    new = [
        ClosedDay(school=school, day=day, half=HalfField.FULL_DAY, label=label[:MAX_LABEL])
        for day, label in closures.items()
        if day not in closed
    ]
    await ClosedDay.bulk_create(new)
    return len(new)
