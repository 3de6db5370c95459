"""Tests of core.rules.counting: coverage of an interval, counting modes, lateness."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from core.rules.calendar import Slot, SlotAssignment
from core.rules.counting import (
    CountingMode,
    Coverage,
    EventKind,
    classify_duration,
    coverage,
    half_day_count,
)
from tests.core.rules.support import (
    GEPI_MIDDAY,
    REUNION,
    am,
    local,
    pm,
    school,
    utc,
)

RAW, COMPLETE, PROPORTIONAL = CountingMode.RAW, CountingMode.COMPLETE, CountingMode.PROPORTIONAL
MON, TUE, WED, THU, FRI, SAT, SUN = (f"2026-01-{d}" for d in range(12, 19))
NEXT_MON = "2026-01-19"
H = 3600


def counts(covs: list[Coverage]) -> tuple[float, float, float]:
    return (
        half_day_count(covs, RAW),
        half_day_count(covs, COMPLETE),
        half_day_count(covs, PROPORTIONAL),
    )


# --- enums and Coverage ----------------------------------------------------------------------


def test_enum_values() -> None:
    assert [m.value for m in CountingMode] == ["raw", "complete", "proportional"]
    assert EventKind.EARLY_DEPARTURE.value == "early_departure"
    assert EventKind.LEFT_CLASS.value == "left_class"
    assert str(EventKind.ABSENCE) == "absence"
    assert len(EventKind) == 7


def test_coverage_properties() -> None:
    assert Coverage(am(MON), 4 * H, 4 * H).complete
    assert not Coverage(am(MON), 4 * H, 4 * H - 1).complete
    assert Coverage(am(MON), 4 * H, H).fraction == 0.25
    empty = Coverage(am(MON), 0, 0)
    assert not empty.complete
    assert empty.fraction == 0.0
    assert empty.value(RAW) == 0.0


@pytest.mark.parametrize(("lesson", "missed"), [(10, 11), (10, -1), (-1, -1)])
def test_coverage_rejects_impossible_values(lesson: int, missed: int) -> None:
    with pytest.raises(ValueError):
        Coverage(am(MON), lesson, missed)


# --- coverage of one interval --------------------------------------------------------------


def test_coverage_rejects_empty_or_reversed_and_naive() -> None:
    cal = school()
    with pytest.raises(ValueError):
        coverage(cal, local(MON, 9), local(MON, 9))
    with pytest.raises(ValueError):
        coverage(cal, local(MON, 10), local(MON, 9))
    with pytest.raises(ValueError, match="aware"):
        coverage(cal, datetime(2026, 1, 12, 8), local(MON, 9))
    with pytest.raises(ValueError, match="aware"):
        coverage(cal, local(MON, 8), datetime(2026, 1, 12, 9))


def test_coverage_of_two_morning_hours() -> None:
    covs = coverage(school(), local(MON, 8), local(MON, 10))
    assert covs == [Coverage(am(MON), 4 * H, 2 * H)]
    assert not covs[0].complete
    assert covs[0].fraction == 0.5
    assert counts(covs) == (1, 0, 0.5)


def test_coverage_of_a_whole_day() -> None:
    covs = coverage(school(), local(MON, 0), local(TUE, 0))
    assert covs == [Coverage(am(MON), 4 * H, 4 * H), Coverage(pm(MON), 5 * H, 5 * H)]
    assert counts(covs) == (2, 2, 2)


def test_coverage_outside_lessons_is_empty() -> None:
    cal = school()
    assert coverage(cal, local(MON, 17), local(TUE, 8)) == []  # evening and night
    assert coverage(cal, local(MON, 7), local(MON, 8)) == []  # ends when lessons start
    assert coverage(cal, local(WED, 12), local(WED, 18)) == []  # free Wednesday afternoon
    assert coverage(cal, local(SAT, 0), local(NEXT_MON, 0)) == []  # weekend


def test_coverage_of_one_second() -> None:
    covs = coverage(school(), local(MON, 8), local(MON, 8) + timedelta(seconds=1))
    assert covs == [Coverage(am(MON), 4 * H, 1)]


def test_absence_on_wednesday_counts_one_half_day() -> None:
    covs = coverage(school(), local(WED, 8), local(WED, 17))
    assert [c.key for c in covs] == [am(WED)]
    assert counts(covs) == (1, 1, 1)


def test_friday_afternoon_to_monday_morning_skips_the_weekend() -> None:
    covs = coverage(school(), local(FRI, 15), local(NEXT_MON, 10))
    assert covs == [Coverage(pm(FRI), 5 * H, 2 * H), Coverage(am(NEXT_MON), 4 * H, 2 * H)]
    assert counts(covs) == (2, 0, 0.9)


def test_whole_friday_to_whole_monday_is_four_complete_half_days() -> None:
    covs = coverage(school(), local(FRI, 8), local(NEXT_MON, 17))
    assert [c.key for c in covs] == [am(FRI), pm(FRI), am(NEXT_MON), pm(NEXT_MON)]
    assert counts(covs) == (4, 4, 4)


def test_closed_days_and_half_days_do_not_count() -> None:
    cal = school(
        closed_days=frozenset({date.fromisoformat(TUE)}),
        closed_half_days=frozenset({am(THU)}),
    )
    covs = coverage(cal, local(MON, 8), local(FRI, 17))
    assert [c.key for c in covs] == [am(MON), pm(MON), am(WED), pm(THU), am(FRI), pm(FRI)]
    assert coverage(cal, local(TUE, 8), local(TUE, 17)) == []


def test_midday_noon_versus_1155() -> None:
    noon, gepi = school(), school(midday=GEPI_MIDDAY)
    eleven_to_noon = (local(MON, 11), local(MON, 12))
    assert coverage(noon, *eleven_to_noon) == [Coverage(am(MON), 4 * H, H)]
    assert coverage(gepi, *eleven_to_noon) == [
        Coverage(am(MON), 4 * H - 5 * 60, 55 * 60),
        Coverage(pm(MON), 5 * H + 5 * 60, 5 * 60),
    ]
    assert half_day_count(coverage(gepi, *eleven_to_noon), RAW) == 2
    assert coverage(gepi, local(MON, 8), local(MON, 11, 55))[0].complete
    assert not coverage(noon, local(MON, 8), local(MON, 11, 55))[0].complete
    assert coverage(gepi, local(MON, 12), local(MON, 13)) == [Coverage(pm(MON), 5 * H + 300, H)]


def test_by_start_avoids_the_five_minute_wednesday_afternoon() -> None:
    split = school(midday=GEPI_MIDDAY)
    by_start = school(midday=GEPI_MIDDAY, slot_assignment=SlotAssignment.BY_START)
    wednesday = (local(WED, 8), local(WED, 12))
    assert half_day_count(coverage(split, *wednesday), RAW) == 2
    assert coverage(by_start, *wednesday) == [Coverage(am(WED), 4 * H, 4 * H)]


def test_a_whole_morning_past_midday_by_a_few_minutes_counts_one_half_day() -> None:
    slots = (
        Slot(0, time(8, 5), time(9, 5)),
        Slot(0, time(9, 5), time(11, 5)),
        Slot(0, time(11, 5), time(12, 5)),
        Slot(0, time(13, 30), time(16, 30)),
    )
    morning = (local(MON, 8, 5), local(MON, 12, 5))
    split = school(slots=slots)
    assert counts(coverage(split, *morning)) == (2, 1, 1.03)  # five minutes of afternoon
    tolerant = school(slots=slots, tolerance_minutes=10)
    assert coverage(tolerant, *morning) == [Coverage(am(MON), 4 * H, 4 * H)]
    assert counts(coverage(tolerant, *morning)) == (1, 1, 1)
    afternoon = (local(MON, 13, 30), local(MON, 16, 30))
    assert counts(coverage(tolerant, *afternoon)) == (1, 1, 1)
    # gone from 12:00, he missed the last 5 minutes of the morning's lesson: that is the morning's
    assert counts(coverage(tolerant, local(MON, 12), local(MON, 16, 30))) == (2, 1, 1.02)


# --- daylight saving and overseas ----------------------------------------------------------


@pytest.mark.parametrize(
    ("friday", "monday"), [("2026-03-27", "2026-03-30"), ("2026-10-23", "2026-10-26")]
)
def test_friday_to_monday_across_a_dst_weekend(friday: str, monday: str) -> None:
    cal = school()
    full = coverage(cal, local(friday, 8), local(monday, 17))
    assert [c.key for c in full] == [am(friday), pm(friday), am(monday), pm(monday)]
    assert [(c.lesson_seconds, c.missed_seconds) for c in full] == [
        (4 * H, 4 * H),
        (5 * H, 5 * H),
    ] * 2
    assert counts(full) == (4, 4, 4)
    partial = coverage(cal, local(friday, 15), local(monday, 10))
    assert counts(partial) == (2, 0, 0.9)


def test_same_utc_hours_mean_different_lessons_before_and_after_spring_change() -> None:
    cal = school()
    after = coverage(cal, utc("2026-03-30", 6), utc("2026-03-30", 10))
    before = coverage(cal, utc("2026-03-23", 6), utc("2026-03-23", 10))
    assert after == [Coverage(am("2026-03-30"), 4 * H, 4 * H)]
    assert before == [Coverage(am("2026-03-23"), 4 * H, 3 * H)]


def test_autumn_monday_morning_in_utc() -> None:
    covs = coverage(school(), utc("2026-10-26", 7), utc("2026-10-26", 11))
    assert covs == [Coverage(am("2026-10-26"), 4 * H, 4 * H)]


@pytest.mark.parametrize("monday", ["2026-01-12", "2026-07-06"])
def test_reunion_school(monday: str) -> None:
    cal = school(tz=REUNION)
    covs = coverage(cal, utc(monday, 4), utc(monday, 8))
    assert covs == [Coverage(am(monday), 4 * H, 4 * H)]
    friday = date.fromisoformat(monday) - timedelta(days=3)
    weekend = coverage(
        cal, local(friday.isoformat(), 15, tz=REUNION), local(monday, 10, tz=REUNION)
    )
    assert counts(weekend) == (2, 0, 0.9)


# --- half_day_count ------------------------------------------------------------------------


def test_half_day_count_modes() -> None:
    covs = [
        Coverage(am(MON), 4 * H, 4 * H),
        Coverage(pm(MON), 3 * H, H),
        Coverage(am(TUE), 3 * H, 2 * H),
        Coverage(pm(TUE), 4 * H, 0),
    ]
    assert half_day_count(covs, RAW) == 3
    assert half_day_count(covs, COMPLETE) == 1
    assert half_day_count(covs, PROPORTIONAL) == 2.0
    assert half_day_count(covs[1:2], PROPORTIONAL) == 0.33
    assert half_day_count(covs[2:3], PROPORTIONAL) == 0.67
    assert half_day_count([], RAW) == 0
    assert half_day_count(iter(covs), RAW) == 3


# --- classify_duration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "kind"),
    [
        (timedelta(minutes=1), EventKind.LATENESS),
        (timedelta(minutes=29), EventKind.LATENESS),
        (timedelta(minutes=29, seconds=59), EventKind.LATENESS),
        (timedelta(minutes=30), EventKind.ABSENCE),
        (timedelta(minutes=31), EventKind.ABSENCE),
        (timedelta(days=2), EventKind.ABSENCE),
    ],
)
def test_classify_duration_threshold(duration: timedelta, kind: EventKind) -> None:
    start = local(MON, 8)
    assert classify_duration(start, start + duration, 30) is kind


def test_classify_duration_open_ended_and_zero_threshold() -> None:
    assert classify_duration(local(MON, 8), None, 30) is EventKind.ABSENCE
    assert classify_duration(local(MON, 8), local(MON, 8, 1), 0) is EventKind.ABSENCE


def test_classify_duration_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        classify_duration(local(MON, 8), local(MON, 9), -1)
    with pytest.raises(ValueError):
        classify_duration(local(MON, 8), local(MON, 8), 30)
    with pytest.raises(ValueError, match="aware"):
        classify_duration(datetime(2026, 1, 12, 8), None, 30)
    with pytest.raises(ValueError, match="aware"):
        classify_duration(local(MON, 8), datetime(2026, 1, 12, 9), 30)
