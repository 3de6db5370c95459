"""A school's closed days filled from its holiday zone and the public holidays: at creation,
again without change, around the days staff closed by hand, and anew when the zone changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.errors import Conflict, Invalid
from core.models import AuditEntry, ClosedDay, School
from core.services.audit import Actor
from core.services.schools import closed_days
from core.services.schools.school import create_school, parse_settings_patch, update_settings

SEPTEMBER = date(2026, 9, 10)  # in the school year 2026-2027


def days(first: date, last: date) -> list[date]:
    """The days from ``first`` to ``last``, Sundays left out (a Sunday is never a closed day)."""
    span = (first + timedelta(n) for n in range((last - first).days + 1))
    return [d for d in span if d.weekday() != 6]


async def closed(school: School) -> dict[date, tuple[str, bool]]:
    rows = await ClosedDay.filter(school=school).order_by("day")
    return {r.day: (r.label, r.national) for r in rows}


async def test_a_zone_c_school_is_closed_for_its_holidays_and_public_holidays(
    db: str, system: Actor
) -> None:
    school = await create_school(
        "0750001A", "Collège Alpha", system, today=SEPTEMBER, holiday_zone="C"
    )
    found = await closed(school)
    toussaint = days(date(2026, 10, 17), date(2026, 10, 31))
    christmas = days(date(2026, 12, 19), date(2027, 1, 2))
    for day in toussaint:
        assert found[day] == ("Vacances de la Toussaint", True), day
    for day in christmas:
        assert found[day][1] and found[day][0] in ("Vacances de Noël", "Noël", "Jour de l'an")
    assert found[date(2026, 12, 25)] == ("Noël", True)
    assert found[date(2026, 11, 11)] == ("Armistice", True)
    assert date(2026, 11, 2) not in found and date(2026, 10, 16) not in found
    assert date(2026, 10, 18) not in found  # a Sunday
    assert date(2027, 2, 8) in found and date(2027, 2, 22) not in found  # zone C's winter
    assert all(day.weekday() != 6 for day in found)
    assert min(found) >= date(2026, 9, 1) and max(found) <= date(2027, 7, 4)
    fill = await AuditEntry.get(action="closed_day.fill", school_id=school.id)
    assert fill.after is not None and fill.after["added"] == len(found)

    audited = await AuditEntry.all().count()
    again = await closed_days.fill_closed_days(school, system, today=SEPTEMBER)
    assert not again.changed and (again.added, again.removed) == (0, 0)
    assert await closed(school) == found
    assert await AuditEntry.all().count() == audited  # nothing changed, nothing said


async def test_days_closed_by_hand_stay_and_a_new_zone_replaces_the_former(
    db: str, system: Actor
) -> None:
    school = await create_school(
        "0750001A", "Collège Alpha", system, today=SEPTEMBER, holiday_zone="C"
    )
    open_day = await closed_days.add_closed_day(
        school, date(2026, 9, 18), "pm", "Journée pédagogique", system
    )
    with pytest.raises(Conflict):  # already closed by the zone: refused, not doubled
        await closed_days.add_closed_day(school, date(2026, 10, 20), "day", "x", system)
    # a day of zone A's winter closed by hand before the zone changes
    await closed_days.add_closed_day(school, date(2027, 2, 24), "day", "Sortie", system)
    patch = parse_settings_patch({"holiday_zone": "A"})
    await update_settings(school, patch, system, today=SEPTEMBER)
    found = await closed(school)
    assert found[date(2026, 9, 18)] == ("Journée pédagogique", False)
    assert found[date(2027, 2, 24)] == ("Sortie", False)  # kept as it was, not doubled
    assert await ClosedDay.filter(school=school, day=date(2027, 2, 24)).count() == 1
    assert found[date(2027, 2, 15)] == ("Vacances d'hiver", True)  # zone A's winter
    assert date(2027, 2, 8) not in found  # zone C's winter is gone
    assert found[date(2026, 10, 20)] == ("Vacances de la Toussaint", True)
    assert await ClosedDay.exists(id=open_day.id)
    entry = await AuditEntry.filter(action="closed_day.fill").order_by("-id").first()
    assert entry is not None and entry.after is not None
    assert entry.after["holiday_zone"] == "A" and entry.after["removed"] > 0

    await update_settings(school, parse_settings_patch({"holiday_zone": None}), system)
    assert await closed(school) == {
        date(2026, 9, 18): ("Journée pédagogique", False),
        date(2027, 2, 24): ("Sortie", False),
    }


async def test_local_public_holidays_and_zones_without_a_calendar(db: str, system: Actor) -> None:
    strasbourg = await create_school(
        "0671234X", "Collège Strasbourg", system, today=SEPTEMBER, holiday_zone="B"
    )
    found = await closed(strasbourg)
    assert found[date(2027, 3, 26)] == ("Vendredi saint", True)
    assert found[date(2026, 12, 26)] == ("Saint-Étienne", True)
    paris = await create_school("0751234X", "Collège Paris", system, today=SEPTEMBER)
    assert await closed(paris) == {}  # no zone given: nothing filled
    await closed_days.import_holidays(paris, "C", system, today=SEPTEMBER)
    assert date(2027, 3, 26) not in await closed(paris)
    pointe = await create_school(
        "9711234X", "Collège Pointe-à-Pitre", system, today=SEPTEMBER, holiday_zone="Guadeloupe"
    )
    found = await closed(pointe)
    assert found[date(2027, 5, 27)] == ("Abolition de l'esclavage", True)
    assert found[date(2026, 11, 11)] == ("Armistice", True)
    assert date(2026, 10, 20) not in found  # its holidays are set by its recteur: by hand


async def test_unknown_zones_and_years_are_refused(school_a: School, system: Actor) -> None:
    for zone in ("D", "", "zone C", "c"):
        with pytest.raises(Invalid) as refused:
            await closed_days.import_holidays(school_a, zone, system, today=SEPTEMBER)
        assert refused.value.code == "holiday_zone"
    with pytest.raises(Invalid) as refused:
        await closed_days.import_holidays(school_a, "A", system, today=date(2040, 1, 5))
    assert refused.value.code == "holidays_year"
    assert (await School.get(id=school_a.id)).holiday_zone is None  # nothing half-applied
    assert await ClosedDay.filter(school=school_a).count() == 0
    # a school is created all the same in a year the calendar does not know
    later = await create_school(
        "0751235X", "Collège futur", system, today=date(2040, 9, 10), holiday_zone="C"
    )
    assert (await closed(later))[date(2040, 12, 25)] == ("Noël", True)  # its public holidays
