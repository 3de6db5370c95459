"""Closed days and half-days: added by hand, or filled from the school's holiday zone.

School holidays for metropolitan zones A, B and C come from the ``vacances-scolaires-france``
package, which ships the Ministry's calendar as a CSV (no network at run time); French public
holidays, with the département's own (Alsace-Moselle, overseas), from the ``holidays`` package.
Corse and the overseas académies set their own school holidays each year and neither package
has them: their schools get the public holidays, and close their holidays by hand.
Half-days with no lesson do not count (domain.md §2), so the counting rules and the entry grid
read these rows through ``load_calendar``.

The rows filled from the zone are marked ``national``: a new fill (the zone changed, the
button pressed again) replaces them and never touches the days staff added by hand.
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
from core.models import ClosedDay, School
from core.models.school import HalfField
from core.queries.calendar import forget_calendars
from core.queries.common import school_year_dates
from core.rules.calendar import school_year_of
from core.rules.holiday_zones import METROPOLITAN_ZONES, ZONES, public_holiday_subdivision
from core.services import audit
from core.services.audit import Actor

MAX_LABEL = 120


async def add_closed_day(
    school: School, day: date, half: str, label: str, actor: Actor
) -> ClosedDay:
    """Close a whole day (``half="day"``) or a half-day (``"am"``, ``"pm"``)."""
    forget_calendars()
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
    forget_calendars()
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
class CalendarFill:
    """What a fill changed in the school's national closed days, between which dates."""

    zone: str | None
    added: int
    removed: int
    relabelled: int
    first: date
    last: date

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.relabelled)


@lru_cache(maxsize=1)
def _calendar() -> Any:
    """The package's calendar, read once from the CSV it ships (no network)."""
    return SchoolHolidayDates()


def _school_holidays(zone: str, first: date, last: date, *, strict: bool) -> dict[date, str]:
    """The zone's school holidays (none for Corse and overseas: no package has them); a year
    the package does not know is refused, or without ``strict`` has none."""
    if zone not in METROPOLITAN_ZONES:
        return {}
    calendar = _calendar()
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        try:
            rows: dict[date, dict[str, Any]] = calendar.holidays_for_year_and_zone(year, zone)
        except UnsupportedYearException:
            if not strict:
                continue
            raise Invalid(f"no holiday calendar for {year}", code="holidays_year") from None
        for day, row in rows.items():
            found[day] = str(row["nom_vacances"])
    return found


def check_zone(zone: str) -> str:
    """``zone`` if it is a holiday zone (A, B, C, Corse or an overseas académie)."""
    if zone not in ZONES:
        raise Invalid(f"unknown holiday zone {zone[:40]!r}", code="holiday_zone")
    return zone


def national_closures(
    zone: str, first: date, last: date, *, subdivision: str | None = None, strict: bool = True
) -> dict[date, str]:
    """School holidays of ``zone`` and public holidays (France's, and those of the
    `holidays` package's ``subdivision``) between two dates, Monday to Saturday; a public
    holiday's name wins over the holidays it falls in."""
    days = _school_holidays(check_zone(zone), first, last, strict=strict)
    public = holidays.country_holidays(
        "FR", subdiv=subdivision, years=range(first.year, last.year + 1), language="fr"
    )
    days.update({day: str(name) for day, name in public.items()})
    return {d: days[d][:MAX_LABEL] for d in sorted(days) if first <= d <= last and d.weekday() != 6}


async def fill_closed_days(
    school: School, actor: Actor, *, today: date | None = None
) -> CalendarFill:
    """Make the school's national closed days of the current school year those of its zone
    and its public holidays, in one transaction (audited when something changed). Days
    staff closed by hand are kept and not doubled; running it again changes nothing. A
    school without a zone keeps no national day. Raises :class:`Invalid` (``holidays_year``)
    when the packages have no calendar for the year."""
    async with in_transaction():
        return await fill_within(school, actor, today or date.today())


async def fill_within(
    school: School, actor: Actor, today: date, *, strict: bool = True
) -> CalendarFill:
    """:func:`fill_closed_days` inside the caller's transaction; without ``strict``, a year
    whose school holidays are not known gets its public holidays only (a school is created
    all the same)."""
    forget_calendars()
    first, last = await school_year_dates(school, school_year_of(today))
    zone = school.holiday_zone
    local = public_holiday_subdivision(school.uai)
    wanted = national_closures(zone, first, last, subdivision=local, strict=strict) if zone else {}
    rows = await ClosedDay.filter(school=school, day__gte=first, day__lte=last)
    by_hand = {row.day for row in rows if not row.national}
    filled = {row.day: row for row in rows if row.national}
    stale = [row.id for day, row in filled.items() if day not in wanted or day in by_hand]
    relabel = [
        row for day, row in filled.items() if row.id not in stale and row.label != wanted[day]
    ]
    new = [
        ClosedDay(school=school, day=day, half=HalfField.FULL_DAY, label=label, national=True)
        for day, label in wanted.items()
        if day not in by_hand and day not in filled
    ]
    if stale:
        await ClosedDay.filter(id__in=stale).delete()
    for row in relabel:
        row.label = wanted[row.day]
        await row.save(update_fields=["label"])
    await ClosedDay.bulk_create(new)
    fill = CalendarFill(zone, len(new), len(stale), len(relabel), first, last)
    if fill.changed:
        await audit.record(
            actor,
            "closed_day.fill",
            school,
            school_id=school.id,
            after={
                "holiday_zone": zone,
                "added": fill.added,
                "removed": fill.removed,
                "relabelled": fill.relabelled,
                "from": str(first),
                "to": str(last),
            },
        )
    return fill


async def import_holidays(
    school: School, zone: str, actor: Actor, *, today: date | None = None
) -> CalendarFill:
    """The zone becomes the school's and its closed days are filled again (one transaction)."""
    check_zone(zone)
    async with in_transaction():
        if zone != school.holiday_zone:
            before: dict[str, object] = {"holiday_zone": school.holiday_zone}
            await School.filter(id=school.id).update(holiday_zone=zone)
            school.holiday_zone = zone
            await audit.record(
                actor,
                "school.settings",
                school,
                school_id=school.id,
                before=before,
                after={"holiday_zone": zone},
            )
        return await fill_within(school, actor, today or date.today())
