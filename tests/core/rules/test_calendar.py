"""Tests of core.rules.calendar: slots, halves, closures, time zones, daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from core.rules.calendar import (
    Half,
    HalfDayKey,
    SchoolCalendar,
    Slot,
    SlotAssignment,
    default_slots,
    half_of,
    local_date,
    merge_intervals,
    school_year_of,
    year_bounds,
)
from tests.core.rules.support import (
    GEPI_MIDDAY,
    NOON,
    NOUMEA,
    PARIS,
    REUNION,
    am,
    local,
    pm,
    school,
    utc,
)

# 2026-01-12 is a Monday; the week runs Monday 12 to Sunday 18 January (winter time, UTC+1).
MON, TUE, WED, THU, FRI, SAT, SUN = (f"2026-01-{d}" for d in range(12, 19))


def seconds(intervals: list[tuple[datetime, datetime]]) -> int:
    return int(sum((e - s for s, e in intervals), timedelta()).total_seconds())


# --- values -------------------------------------------------------------------------------


def test_half_values() -> None:
    assert Half.MORNING.value == "am"
    assert Half.AFTERNOON.value == "pm"
    assert [h.value for h in Half] == ["am", "pm"]
    assert f"{Half.MORNING}" == "am"


def test_half_day_keys_sort_by_day_then_morning_first() -> None:
    keys = [pm(TUE), am(TUE), pm(MON), am(MON)]
    assert sorted(keys) == [am(MON), pm(MON), am(TUE), pm(TUE)]
    assert am(MON) < pm(MON) < am(TUE)


def test_half_day_key_is_hashable_and_equal_by_value() -> None:
    assert HalfDayKey(date(2026, 1, 12), Half.MORNING) == am(MON)
    assert len({am(MON), am(MON), pm(MON)}) == 2


@pytest.mark.parametrize("weekday", [0, 6])
def test_slot_accepts_weekday_bounds(weekday: int) -> None:
    assert Slot(weekday, time(8), time(9)).weekday == weekday


@pytest.mark.parametrize("weekday", [-1, 7])
def test_slot_rejects_bad_weekday(weekday: int) -> None:
    with pytest.raises(ValueError, match="weekday"):
        Slot(weekday, time(8), time(9))


@pytest.mark.parametrize(("start", "end"), [(time(9), time(9)), (time(10), time(9))])
def test_slot_rejects_start_not_before_end(start: time, end: time) -> None:
    with pytest.raises(ValueError, match="before"):
        Slot(0, start, end)


def test_slot_rejects_aware_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        Slot(0, time(8, tzinfo=UTC), time(9))


def test_calendar_rejects_midnight_or_aware_midday() -> None:
    with pytest.raises(ValueError, match="midday"):
        school(midday=time(0))
    with pytest.raises(ValueError, match="naive"):
        school(midday=time(12, tzinfo=UTC))


def test_default_slots() -> None:
    slots = default_slots()
    assert len(slots) == 4 * 9 + 4
    assert all(s.weekday in range(5) for s in slots)
    assert all(
        datetime.combine(date.min, s.end) - datetime.combine(date.min, s.start)
        == timedelta(hours=1)
        for s in slots
    )
    for weekday in (0, 1, 3, 4):
        assert [s.start.hour for s in slots if s.weekday == weekday] == list(range(8, 17))
    assert [(s.start, s.end) for s in slots if s.weekday == 2] == [
        (time(8), time(9)),
        (time(9), time(10)),
        (time(10), time(11)),
        (time(11), time(12)),
    ]


# --- lesson intervals ----------------------------------------------------------------------


def test_monday_morning_and_afternoon_in_utc() -> None:
    cal = school()
    assert cal.lesson_intervals(am(MON)) == [(utc(MON, 7), utc(MON, 11))]
    assert cal.lesson_intervals(pm(MON)) == [(utc(MON, 11), utc(MON, 16))]
    for start, end in cal.lesson_intervals(am(MON)):
        assert start.utcoffset() == timedelta(0)
        assert end.tzinfo is UTC


def test_default_timetable_school_half_days_of_a_week() -> None:
    cal = school()
    school_days = {am(d) for d in (MON, TUE, WED, THU, FRI)} | {pm(d) for d in (MON, TUE, THU, FRI)}
    for day in (MON, TUE, WED, THU, FRI, SAT, SUN):
        for key in (am(day), pm(day)):
            assert cal.is_school_half_day(key) is (key in school_days), key
    assert cal.school_half_days(date(2026, 1, 12), date(2026, 1, 18)) == sorted(school_days)


def test_wednesday_afternoon_and_weekends_have_no_lessons() -> None:
    cal = school()
    for key in (pm(WED), am(SAT), pm(SAT), am(SUN), pm(SUN)):
        assert cal.lesson_intervals(key) == []
        assert not cal.is_school_half_day(key)
    assert cal.lesson_intervals(am(WED)) == [(utc(WED, 7), utc(WED, 11))]


def test_midday_1155_splits_the_eleven_o_clock_slot() -> None:
    cal = school(midday=GEPI_MIDDAY)
    assert cal.lesson_intervals(am(MON)) == [(utc(MON, 7), utc(MON, 10, 55))]
    assert cal.lesson_intervals(pm(MON)) == [(utc(MON, 10, 55), utc(MON, 16))]
    assert seconds(cal.lesson_intervals(am(MON))) == 3 * 3600 + 55 * 60
    assert seconds(cal.lesson_intervals(pm(MON))) == 5 * 3600 + 5 * 60


def test_midday_1155_gives_wednesday_afternoon_five_minutes_when_splitting() -> None:
    # A documented consequence of SPLIT with the default timetable: use BY_START or 12:00.
    cal = school(midday=GEPI_MIDDAY)
    assert cal.lesson_intervals(pm(WED)) == [(utc(WED, 10, 55), utc(WED, 11))]


def test_by_start_keeps_a_slot_whole_in_the_half_where_it_starts() -> None:
    cal = school(midday=GEPI_MIDDAY, slot_assignment=SlotAssignment.BY_START)
    assert cal.lesson_intervals(am(MON)) == [(utc(MON, 7), utc(MON, 11))]
    assert cal.lesson_intervals(pm(MON)) == [(utc(MON, 11), utc(MON, 16))]
    assert not cal.is_school_half_day(pm(WED))
    late = school(midday=time(11, 30), slot_assignment=SlotAssignment.BY_START)
    assert late.lesson_intervals(am(MON)) == [(utc(MON, 7), utc(MON, 11))]


def test_a_slot_a_few_minutes_past_midday_belongs_whole_to_the_half_it_mostly_lies_in() -> None:
    # 11:05-12:05, 13:30-16:30: the last morning lesson runs 5 minutes past 12:00
    slots = (
        Slot(0, time(8, 5), time(11, 5)),
        Slot(0, time(11, 5), time(12, 5)),
        Slot(0, time(13, 30), time(16, 30)),
    )
    split = school(slots=slots)
    assert split.lesson_intervals(pm(MON))[0] == (utc(MON, 11), utc(MON, 11, 5))
    cal = school(slots=slots, tolerance_minutes=10)
    assert cal.lesson_intervals(am(MON)) == [(utc(MON, 7, 5), utc(MON, 11, 5))]
    assert cal.lesson_intervals(pm(MON)) == [(utc(MON, 12, 30), utc(MON, 15, 30))]
    # and one starting 10 minutes before midday is the afternoon's, whole
    early = (Slot(1, time(8), time(11, 50)), Slot(1, time(11, 50), time(12, 50)))
    cal = school(slots=early, tolerance_minutes=10)
    assert cal.lesson_intervals(am(TUE)) == [(utc(TUE, 7), utc(TUE, 10, 50))]
    assert cal.lesson_intervals(pm(TUE)) == [(utc(TUE, 10, 50), utc(TUE, 11, 50))]


def test_a_slot_further_over_midday_than_the_tolerance_is_still_shared() -> None:
    slots = (Slot(0, time(11, 30), time(12, 30)),)  # 30 minutes each side
    cal = school(slots=slots, tolerance_minutes=10)
    assert cal.lesson_intervals(am(MON)) == [(utc(MON, 10, 30), utc(MON, 11))]
    assert cal.lesson_intervals(pm(MON)) == [(utc(MON, 11), utc(MON, 11, 30))]
    eleven = (Slot(0, time(11, 45), time(12, 15)),)  # 15 minutes each side: over 10
    assert len(school(slots=eleven, tolerance_minutes=10).lesson_intervals(pm(MON))) == 1
    even = (Slot(0, time(11, 55), time(12, 5)),)  # an even split within it: the morning
    cal = school(slots=even, tolerance_minutes=10)
    assert cal.lesson_intervals(am(MON)) == [(utc(MON, 10, 55), utc(MON, 11, 5))]
    assert cal.lesson_intervals(pm(MON)) == []


def test_the_gepi_midday_with_the_tolerance_leaves_wednesday_without_afternoon() -> None:
    cal = school(midday=GEPI_MIDDAY, tolerance_minutes=10)
    assert cal.lesson_intervals(am(MON)) == [(utc(MON, 7), utc(MON, 11))]
    assert not cal.is_school_half_day(pm(WED))
    with pytest.raises(ValueError, match="tolerance"):
        SchoolCalendar(PARIS, NOON, (), midday_tolerance=timedelta(minutes=-1))


def test_midday_noon_does_not_split_and_slot_ending_at_midday_is_morning() -> None:
    cal = school(midday=NOON)
    assert cal.lesson_intervals(am(MON))[-1][1] == utc(MON, 11)
    assert cal.lesson_intervals(pm(MON))[0][0] == utc(MON, 11)


def test_closed_day_and_closed_half_day() -> None:
    closed_day = date.fromisoformat(TUE)
    cal = school(closed_days=frozenset({closed_day}), closed_half_days=frozenset({pm(THU)}))
    assert cal.lesson_intervals(am(TUE)) == []
    assert cal.lesson_intervals(pm(TUE)) == []
    assert cal.is_closed(am(TUE)) and cal.is_closed(pm(TUE))
    assert cal.lesson_intervals(pm(THU)) == []
    assert cal.is_school_half_day(am(THU))
    assert cal.is_school_half_day(am(MON)) and cal.is_school_half_day(pm(MON))


def test_intervals_are_merged_and_sorted_gaps_kept() -> None:
    slots = (
        Slot(0, time(10), time(11)),
        Slot(0, time(8), time(9)),
        Slot(0, time(8, 30), time(9, 30)),  # overlaps 8-9
        Slot(0, time(9, 30), time(9, 45)),  # touches 8:30-9:30
        Slot(0, time(14), time(15)),
        Slot(1, time(8), time(9)),
    )
    cal = school(slots=slots)
    assert cal.lesson_intervals(am(MON)) == [
        (utc(MON, 7), utc(MON, 8, 45)),
        (utc(MON, 9), utc(MON, 10)),
    ]
    assert cal.lesson_intervals(pm(MON)) == [(utc(MON, 13), utc(MON, 14))]
    assert cal.lesson_intervals(pm(TUE)) == []


def test_slot_ending_just_before_midnight_is_afternoon() -> None:
    cal = school(slots=(Slot(5, time(20), time(23, 59, 59)),))
    assert cal.lesson_intervals(pm(SAT)) == [(utc(SAT, 19), utc(SAT, 22, 59, 59))]
    assert cal.lesson_intervals(am(SAT)) == []


# --- time zones and daylight saving --------------------------------------------------------


@pytest.mark.parametrize(
    ("monday", "utc_hour"),
    [
        ("2026-03-23", 7),  # before the spring change (UTC+1)
        ("2026-03-30", 6),  # after it (UTC+2)
        ("2026-10-19", 6),  # before the autumn change (UTC+2)
        ("2026-10-26", 7),  # after it (UTC+1)
    ],
)
def test_eight_o_clock_in_paris_across_dst(monday: str, utc_hour: int) -> None:
    start, end = school().lesson_intervals(am(monday))[0]
    assert start == utc(monday, utc_hour)
    assert end - start == timedelta(hours=4)


def test_lessons_on_dst_sundays_last_real_elapsed_time() -> None:
    cal = school(slots=(Slot(6, time(1), time(4)),))
    spring = cal.lesson_intervals(am("2026-03-29"))
    autumn = cal.lesson_intervals(am("2026-10-25"))
    assert spring == [(utc("2026-03-29", 0), utc("2026-03-29", 2))]
    assert autumn == [(utc("2026-10-24", 23), utc("2026-10-25", 3))]


@pytest.mark.parametrize("monday", ["2026-01-12", "2026-07-06"])
def test_reunion_has_no_dst(monday: str) -> None:
    cal = school(tz=REUNION)
    assert cal.lesson_intervals(am(monday)) == [(utc(monday, 4), utc(monday, 8))]
    assert cal.lesson_intervals(pm(monday)) == [(utc(monday, 8), utc(monday, 13))]


def test_noumea_morning_starts_the_previous_utc_day() -> None:
    cal = school(tz=NOUMEA)
    assert cal.lesson_intervals(am("2026-06-01")) == [(utc("2026-05-31", 21), utc("2026-06-01", 1))]


# --- local_date and half_of ----------------------------------------------------------------


def test_local_date() -> None:
    moment = utc("2026-01-31", 23, 30)
    assert local_date(moment, PARIS) == date(2026, 2, 1)
    assert local_date(moment, REUNION) == date(2026, 2, 1)
    assert local_date(utc("2026-01-31", 12), NOUMEA) == date(2026, 1, 31)
    assert local_date(utc("2026-01-31", 13), NOUMEA) == date(2026, 2, 1)
    other_zone = datetime(2026, 2, 1, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert local_date(other_zone, PARIS) == date(2026, 1, 31)


def test_local_date_rejects_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 1, 1, 12), PARIS)


@pytest.mark.parametrize(
    ("hour", "minute", "second", "midday", "half"),
    [
        (11, 54, 59, GEPI_MIDDAY, Half.MORNING),
        (11, 55, 0, GEPI_MIDDAY, Half.AFTERNOON),
        (11, 59, 59, NOON, Half.MORNING),
        (12, 0, 0, NOON, Half.AFTERNOON),
        (0, 0, 0, NOON, Half.MORNING),
        (23, 59, 59, NOON, Half.AFTERNOON),
    ],
)
def test_half_of_boundaries(hour: int, minute: int, second: int, midday: time, half: Half) -> None:
    moment = datetime(2026, 1, 12, hour, minute, second, tzinfo=PARIS)
    assert half_of(moment, PARIS, midday) == HalfDayKey(date(2026, 1, 12), half)


def test_half_of_uses_the_school_zone() -> None:
    # 10:30 UTC is 11:30 in winter (morning) and 12:30 in summer (afternoon) in Paris.
    assert half_of(utc("2026-01-12", 10, 30), PARIS, NOON) == am("2026-01-12")
    assert half_of(utc("2026-07-06", 10, 30), PARIS, NOON) == pm("2026-07-06")
    assert half_of(utc("2026-07-06", 10, 30), REUNION, NOON) == pm("2026-07-06")
    assert half_of(utc("2026-07-05", 22), NOUMEA, NOON) == am("2026-07-06")


def test_half_of_rejects_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        half_of(datetime(2026, 1, 12, 9), PARIS, NOON)


def test_to_utc() -> None:
    cal = school()
    assert cal.to_utc(date(2026, 7, 6), time(8)) == utc("2026-07-06", 6)
    assert local("2026-07-06", 8) == utc("2026-07-06", 6)


# --- merge_intervals -----------------------------------------------------------------------


def test_merge_intervals() -> None:
    a, b, c, d = (utc(MON, h) for h in (8, 9, 10, 11))
    assert merge_intervals([]) == []
    assert merge_intervals([(b, a), (a, a)]) == []
    assert merge_intervals([(c, d), (a, b)]) == [(a, b), (c, d)]
    assert merge_intervals([(a, b), (b, c)]) == [(a, c)]
    assert merge_intervals([(a, d), (b, c)]) == [(a, d)]
    assert merge_intervals([(a, c), (b, d)]) == [(a, d)]


def test_calendar_is_frozen() -> None:
    cal: SchoolCalendar = school()
    with pytest.raises(AttributeError):
        cal.midday = time(13)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "start_year"),
    [
        (date(2026, 3, 2), 2025),
        (date(2026, 7, 4), 2025),  # the last day of lessons
        (date(2026, 7, 31), 2025),  # July is the end of the year that started the autumn before
        (date(2026, 8, 1), 2026),  # the year turns on 1 August
        (date(2026, 8, 31), 2026),  # the end of the summer belongs to the coming year
        (date(2026, 9, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
    ],
)
def test_a_day_belongs_to_one_school_year_turning_on_1_august(day: date, start_year: int) -> None:
    assert school_year_of(day) == start_year


def test_a_year_runs_on_the_schools_own_dates_else_september_to_4_july() -> None:
    assert year_bounds(2025) == (date(2025, 9, 1), date(2026, 7, 4))
    own = (date(2025, 9, 2), date(2026, 7, 3))
    assert year_bounds(2025, own) == own
    first, last = year_bounds(2026)
    assert school_year_of(first) == school_year_of(last) == 2026


def test_the_next_school_day_skips_weekends_closed_days_and_holidays() -> None:
    holidays = frozenset(date(2026, 1, 19) + timedelta(days=i) for i in range(7))
    calendar = school(closed_days=holidays)
    assert calendar.next_school_day(date.fromisoformat(FRI)) == date(2026, 1, 26)
    assert calendar.next_school_day(date.fromisoformat(TUE)) == date.fromisoformat(WED)
    assert not calendar.is_school_day(date.fromisoformat(SUN))
    assert calendar.is_school_day(date.fromisoformat(WED))  # its morning has lessons
    assert school(slots=()).next_school_day(date.fromisoformat(MON)) is None


def test_the_lesson_at_a_moment_is_its_slot_in_utc() -> None:
    calendar = school()
    assert calendar.lesson_at(local(MON, 9, 41)) == (utc(MON, 8), utc(MON, 9))
    assert calendar.lesson_at(local(MON, 9)) == (utc(MON, 8), utc(MON, 9))
    assert calendar.lesson_at(local(WED, 14)) is None
    assert calendar.lesson_at(local(MON, 7, 59)) is None
