"""Schools: what a new school starts with, its settings, and the calendar the rules read."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import Conflict, Invalid
from core.models import (
    ActionType,
    AuditEntry,
    ClosedDay,
    GenericReason,
    JustificationType,
    Reason,
    School,
    SchoolYear,
    TimetableSlot,
)
from core.queries.calendar import load_calendar
from core.rules.calendar import Half, HalfDayKey
from core.rules.channels import CHANNELS, ChannelKind
from core.rules.notices import QuietHours
from core.services.audit import Actor
from core.services.schools.school import (
    create_school,
    parse_settings_patch,
    quiet_hours,
    read_settings,
    update_settings,
)

NATIONAL_CODES = {
    "MALADIE",
    "RDV_MEDICAL",
    "MALADIE_FAMILLE",
    "FAMILLE_SOLENNELLE",
    "TRANSPORT",
    "SUIVI_RESPONSABLES",
    "CONVOCATION",
    "FETE_RELIGIEUSE",
    "ACTIVITE_ETAB",
    "INTERNE",
    "CONVENANCE",
    "AUTRE_IRRECEVABLE",
    "INCONNU",
    "REFUS",
}
MONDAY = date(2026, 3, 2)  # a known school week, winter time in Paris
TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + timedelta(days=n) for n in (1, 2, 3))
SATURDAY = MONDAY + timedelta(days=5)


async def fresh(school: School) -> School:
    return await School.get(id=school.id)


async def settings_audit(school: School) -> list[AuditEntry]:
    return await AuditEntry.filter(school_id=school.id, action="school.settings").order_by("id")


# create_school


async def test_it_gives_a_new_school_forty_one_hour_slots_from_eight_to_five_wednesday_to_noon(
    school_a: School,
) -> None:
    slots = await TimetableSlot.filter(school=school_a)
    assert len(slots) == 9 * 4 + 4
    assert Counter(s.weekday for s in slots) == {0: 9, 1: 9, 2: 4, 3: 9, 4: 9}
    for slot in slots:
        assert slot.end_minute - slot.start_minute == 60
        assert slot.starts_at.minute == 0
        assert slot.label == f"{slot.starts_at.hour:02d}h"
    hours = {
        weekday: (
            min(s.starts_at for s in slots if s.weekday == weekday),
            max(s.ends_at for s in slots if s.weekday == weekday),
        )
        for weekday in range(5)
    }
    assert hours == {
        0: (time(8), time(17)),
        1: (time(8), time(17)),
        2: (time(8), time(12)),
        3: (time(8), time(17)),
        4: (time(8), time(17)),
    }


async def test_it_creates_the_fourteen_national_reasons_once_for_two_schools(
    school_a: School, school_b: School
) -> None:
    codes = await GenericReason.all().values_list("code", flat=True)
    assert sorted(codes) == sorted(NATIONAL_CODES)


async def test_it_gives_each_school_its_own_local_reason_per_national_code(
    school_a: School, school_b: School
) -> None:
    for school in (school_a, school_b):
        reasons = await Reason.filter(school=school).prefetch_related("generic")
        assert sorted(r.generic.code for r in reasons) == sorted(NATIONAL_CODES)
    a_ids = set(await Reason.filter(school=school_a).values_list("id", flat=True))
    b_ids = set(await Reason.filter(school=school_b).values_list("id", flat=True))
    assert not a_ids & b_ids


async def test_the_reasons_carry_the_legal_defaults(school_a: School) -> None:
    generics = {g.code: g for g in await GenericReason.all()}
    assert (generics["MALADIE"].legitimate_by_default, generics["MALADIE"].counts) == (True, True)
    assert generics["RDV_MEDICAL"].legitimate_by_default is None
    assert generics["CONVENANCE"].legitimate_by_default is False
    assert (generics["ACTIVITE_ETAB"].counts, generics["INTERNE"].counts) == (False, False)
    assert generics["REFUS"].counts is True
    local = await Reason.filter(school=school_a).prefetch_related("generic")
    for reason in local:
        assert reason.legitimate_by_default == reason.generic.legitimate_by_default, reason.code
        assert reason.counts == reason.generic.counts, reason.code
        assert reason.active
    choosable = {r.generic.code for r in local if r.parents_may_choose}
    assert "MALADIE" in choosable
    assert not choosable & {"CONVENANCE", "REFUS", "INCONNU", "ACTIVITE_ETAB"}


async def test_it_gives_a_new_school_the_justification_and_action_types(
    school_a: School,
) -> None:
    types = {j.code: j for j in await JustificationType.filter(school=school_a)}
    assert {"MOT_PARENTS", "CERTIFICAT_MEDICAL", "APPEL_TELEPHONIQUE"} <= set(types)
    assert types["APPEL_TELEPHONIQUE"].provisional
    assert not types["MOT_PARENTS"].provisional
    actions = set(await ActionType.filter(school=school_a).values_list("code", flat=True))
    assert {"APPEL", "COMMISSION_EDUCATIVE", "SIGNALEMENT_DASEN"} <= actions


async def test_it_opens_the_school_year_that_contains_today(school_a: School) -> None:
    years = await SchoolYear.filter(school=school_a)
    assert [(y.start_year, y.starts_on, y.ends_on, y.current) for y in years] == [
        (2025, date(2025, 9, 1), date(2026, 7, 4), True)
    ]


async def test_it_records_the_creation_in_the_audit_log(school_a: School) -> None:
    entry = await AuditEntry.get(action="school.create")
    assert entry.school_id == school_a.id
    assert (entry.entity, entry.entity_id) == ("school", str(school_a.id))
    assert (entry.actor_id, entry.actor_label) == (None, "tests")
    assert entry.before is None
    assert entry.after is not None
    assert entry.after["uai"] == "0750001A"
    assert entry.after["name"] == "Collège Alpha"


async def test_it_starts_with_the_default_settings(school_a: School) -> None:
    settings = read_settings(school_a)
    assert settings.timezone == "Europe/Paris"
    assert settings.counting_mode == "raw"
    assert settings.absence_threshold_half_days == 4
    assert settings.persistent_threshold_half_days == 10
    assert settings.quiet_hours is not None
    assert settings.channel_order == ["chat", "sms", "call", "email", "letter"]


async def test_it_refuses_an_invalid_uai(db: str, system: Actor) -> None:
    for uai in ("", "075000A", "07500011", "A7500011", "0750001AB", "075 001A"):
        with pytest.raises(Invalid, match="UAI"):
            await create_school(uai, "Collège", system, today=MONDAY)
    assert await School.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_it_normalises_the_uai_and_refuses_a_duplicate(
    school_a: School, system: Actor
) -> None:
    assert school_a.uai == "0750001A"
    gamma = await create_school(" 0750003c ", "Collège Gamma", system, today=MONDAY)
    assert gamma.uai == "0750003C"
    with pytest.raises(Conflict):
        await create_school("0750001a", "Un autre collège", system, today=MONDAY)
    assert await School.all().count() == 2
    assert await TimetableSlot.all().count() == 80


async def test_it_refuses_an_unknown_time_zone_but_accepts_an_overseas_one(
    db: str, system: Actor
) -> None:
    with pytest.raises(Invalid, match="time zone"):
        await create_school("0750003C", "Collège", system, timezone="Europe/Lutece")
    assert await School.all().count() == 0
    school = await create_school(
        "9740001A", "Collège de La Réunion", system, timezone="Indian/Reunion"
    )
    assert (await load_calendar(school)).tz == ZoneInfo("Indian/Reunion")


# update_settings


async def test_it_changes_only_the_given_settings(school_a: School, system: Actor) -> None:
    patch = parse_settings_patch({"midday": "11:55", "notice_delay_minutes": 5})
    await update_settings(school_a, patch, system)
    school = await fresh(school_a)
    assert (school.midday, school.notice_delay_minutes) == ("11:55", 5)
    assert school.name == "Collège Alpha"
    assert school.absence_threshold_half_days == 4
    assert school.quiet_hours == {"start": "20:00", "end": "08:00", "sundays": True}
    assert school.channel_order == ["chat", "sms", "call", "email", "letter"]


async def test_it_writes_the_settings_before_and_after_in_the_audit(
    school_a: School, system: Actor
) -> None:
    patch = parse_settings_patch({"midday": "11:55", "notice_delay_minutes": 5})
    await update_settings(school_a, patch, system)
    [entry] = await settings_audit(school_a)
    assert entry.before == {"midday": "12:00", "notice_delay_minutes": 20}
    assert entry.after == {"midday": "11:55", "notice_delay_minutes": 5}
    assert entry.actor_label == "tests"


async def test_an_explicit_null_turns_the_quiet_hours_off(school_a: School, system: Actor) -> None:
    await update_settings(school_a, parse_settings_patch({"quiet_hours": None}), system)
    school = await fresh(school_a)
    assert school.quiet_hours is None
    assert read_settings(school).quiet_hours is None
    assert quiet_hours(school) is None
    [entry] = await settings_audit(school_a)
    assert entry.before == {"quiet_hours": {"start": "20:00", "end": "08:00", "sundays": True}}
    assert entry.after == {"quiet_hours": None}


async def test_the_rules_read_the_schools_quiet_hours(school_a: School, system: Actor) -> None:
    assert quiet_hours(school_a) == QuietHours(time(20), time(8), sundays=True)
    change = {"quiet_hours": {"start": "21:30", "end": "07:15", "sundays": False}}
    await update_settings(school_a, parse_settings_patch(change), system)
    assert quiet_hours(await fresh(school_a)) == QuietHours(time(21, 30), time(7, 15), False)


async def test_it_stores_new_quiet_hours_and_channel_order(school_a: School, system: Actor) -> None:
    patch = parse_settings_patch(
        {
            "quiet_hours": {"start": "21:30", "end": "07:45", "sundays": False},
            "channel_order": ["sms", "email"],
            "counting_mode": "complete",
        }
    )
    await update_settings(school_a, patch, system)
    school = await fresh(school_a)
    assert school.quiet_hours == {"start": "21:30", "end": "07:45", "sundays": False}
    assert school.channel_order == ["sms", "email"]
    assert read_settings(school).counting_mode == "complete"


def test_a_channel_order_names_only_channels_of_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Invalid, match="unknown channel 'fax'"):
        parse_settings_patch({"channel_order": ["sms", "fax"]})
    monkeypatch.setitem(CHANNELS, "fax", ChannelKind("fax", ("landline",)))  # a row: known
    assert parse_settings_patch({"channel_order": ["sms", "fax"]}).channel_order == ["sms", "fax"]


@pytest.mark.parametrize(
    "name",
    ["name", "timezone", "midday", "counting_mode", "channel_order", "absence_threshold_half_days"],
)
def test_it_refuses_an_explicit_null_on_a_required_setting(name: str) -> None:
    with pytest.raises(Invalid, match=name):
        parse_settings_patch({name: None})


@pytest.mark.parametrize(
    "data",
    [
        {"midday": "25:00"},
        {"midday": "11h55"},
        {"timezone": "Mars/Olympus"},
        {"channel_order": ["sms", "sms"]},
        {"channel_order": []},
        {"channel_order": ["pigeon"]},
        {"quiet_hours": {"start": "8pm"}},
        {"quiet_hours": {"start": "20:00", "colour": "red"}},
        {"counting_mode": "rounded"},
        {"lateness_threshold_minutes": 0},
        {"holiday_zone": "D"},
        {"colours": {"absence": "#000000"}},
    ],
)
def test_it_refuses_an_invalid_setting(data: dict[str, object]) -> None:
    with pytest.raises(Invalid):
        parse_settings_patch(data)


def test_it_names_an_unknown_setting_in_its_refusal() -> None:
    with pytest.raises(Invalid, match="uai"):
        parse_settings_patch({"uai": "0750002B"})


async def test_it_refuses_a_persistent_threshold_below_the_monthly_one_and_changes_nothing(
    school_a: School, system: Actor
) -> None:
    for data in (
        {"persistent_threshold_half_days": 3},
        {"absence_threshold_half_days": 12},
        {"midday": "11:30", "persistent_threshold_half_days": 2},
    ):
        with pytest.raises(Invalid, match="persistent"):
            await update_settings(school_a, parse_settings_patch(data), system)
    school = await fresh(school_a)
    assert (school.absence_threshold_half_days, school.persistent_threshold_half_days) == (4, 10)
    assert school.midday == "12:00"
    assert await settings_audit(school_a) == []


async def test_it_accepts_raising_both_thresholds_together(school_a: School, system: Actor) -> None:
    patch = parse_settings_patch(
        {"absence_threshold_half_days": 12, "persistent_threshold_half_days": 15}
    )
    await update_settings(school_a, patch, system)
    school = await fresh(school_a)
    assert (school.absence_threshold_half_days, school.persistent_threshold_half_days) == (12, 15)


# load_calendar


async def test_the_calendar_has_the_schools_zone_midday_and_slots(school_a: School) -> None:
    calendar = await load_calendar(school_a)
    assert calendar.tz == ZoneInfo("Europe/Paris")
    assert calendar.midday == time(12, 0)
    assert len(calendar.slots) == 40
    assert calendar.closed_days == frozenset()
    assert calendar.closed_half_days == frozenset()
    assert calendar.is_school_half_day(HalfDayKey(MONDAY, Half.AFTERNOON))
    assert calendar.is_school_half_day(HalfDayKey(WEDNESDAY, Half.MORNING))
    assert not calendar.is_school_half_day(HalfDayKey(WEDNESDAY, Half.AFTERNOON))
    assert not calendar.is_school_half_day(HalfDayKey(SATURDAY, Half.MORNING))


async def test_the_calendar_follows_a_new_midday_of_that_school_only(
    school_a: School, school_b: School, system: Actor
) -> None:
    await update_settings(school_a, parse_settings_patch({"midday": "11:55"}), system)
    assert (await load_calendar(await fresh(school_a))).midday == time(11, 55)
    assert (await load_calendar(await fresh(school_b))).midday == time(12, 0)


async def test_the_calendar_leaves_out_closed_days_and_closed_half_days(
    school_a: School, school_b: School
) -> None:
    await ClosedDay.create(school=school_a, day=TUESDAY, half="day", label="Grève")
    await ClosedDay.create(school=school_a, day=THURSDAY, half="pm", label="Conseils de classe")
    await ClosedDay.create(school=school_b, day=MONDAY, half="day", label="Pont")
    calendar = await load_calendar(school_a)
    assert calendar.closed_days == frozenset({TUESDAY})
    assert calendar.closed_half_days == frozenset({HalfDayKey(THURSDAY, Half.AFTERNOON)})
    assert calendar.is_school_half_day(HalfDayKey(MONDAY, Half.MORNING))
    assert not calendar.is_school_half_day(HalfDayKey(TUESDAY, Half.MORNING))
    assert not calendar.is_school_half_day(HalfDayKey(TUESDAY, Half.AFTERNOON))
    assert calendar.is_school_half_day(HalfDayKey(THURSDAY, Half.MORNING))
    assert not calendar.is_school_half_day(HalfDayKey(THURSDAY, Half.AFTERNOON))
