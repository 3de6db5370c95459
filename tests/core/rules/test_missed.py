"""Tests of core.rules.counting: union of events, filters, monthly counts, alert thresholds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from core.rules.calendar import Half, HalfDayKey, Slot
from core.rules.counting import (
    CountingMode,
    Coverage,
    EventKind,
    alert_level,
    coverage,
    missed_coverage,
    missed_half_days,
    monthly_counts,
)
from tests.core.rules.support import (
    MARTINIQUE,
    NOUMEA,
    am,
    event,
    local,
    pm,
    school,
    utc,
)

COMPLETE, PROPORTIONAL = CountingMode.COMPLETE, CountingMode.PROPORTIONAL
MON, TUE, _, THU, FRI = (f"2026-01-{d}" for d in range(12, 17))
NEXT_MON = "2026-01-19"
LATER = local("2026-12-31", 23)  # a `now` after every test event
H = 3600


# --- CountableEvent ------------------------------------------------------------------------


def test_countable_event_validation() -> None:
    with pytest.raises(ValueError, match="aware"):
        event(datetime(2026, 1, 12, 8), None)
    with pytest.raises(ValueError, match="aware"):
        event(local(MON, 8), datetime(2026, 1, 12, 9))
    with pytest.raises(ValueError):
        event(local(MON, 9), local(MON, 9))
    assert not event(local(MON, 8), None).deleted


def test_countable_event_interval() -> None:
    open_ended = event(local(MON, 8), None)
    assert open_ended.interval(local(MON, 9)) == (local(MON, 8), local(MON, 9))
    assert open_ended.interval(local(MON, 8)) is None
    closed = event(local(MON, 8), local(MON, 10))
    assert closed.interval(local(MON, 9)) == (local(MON, 8), local(MON, 10))


# --- missed_half_days ----------------------------------------------------------------------


def test_no_events() -> None:
    assert missed_half_days(school(), [], now=LATER) == {}
    assert monthly_counts(school(), [], now=LATER) == {}


def test_overlapping_events_count_a_half_day_once() -> None:
    events = [event(local(MON, 8), local(MON, 10)), event(local(MON, 9), local(MON, 11))]
    cal = school()
    assert missed_half_days(cal, events, now=LATER) == {am(MON): 1.0}
    assert missed_half_days(cal, events, now=LATER, mode=PROPORTIONAL) == {am(MON): 0.75}
    assert missed_half_days(cal, events, now=LATER, mode=COMPLETE) == {}
    assert missed_half_days(cal, events * 3, now=LATER) == {am(MON): 1.0}


def test_complete_is_computed_on_the_union_of_events() -> None:
    events = [event(local(MON, 8), local(MON, 10)), event(local(MON, 10), local(MON, 12))]
    cal = school()
    for single in events:
        assert missed_half_days(cal, [single], now=LATER, mode=COMPLETE) == {}
    assert missed_half_days(cal, events, now=LATER, mode=COMPLETE) == {am(MON): 1.0}
    assert missed_coverage(cal, events, now=LATER) == [Coverage(am(MON), 4 * H, 4 * H)]


def test_two_events_on_the_same_half_day_without_overlap() -> None:
    events = [event(local(MON, 13), local(MON, 14)), event(local(MON, 16), local(MON, 17))]
    cal = school()
    assert missed_half_days(cal, events, now=LATER) == {pm(MON): 1.0}
    assert missed_half_days(cal, events, now=LATER, mode=PROPORTIONAL) == {pm(MON): 0.4}


@pytest.mark.parametrize(
    ("options", "included"),
    [
        ({}, True),
        ({"accepted": None}, True),
        ({"accepted": False}, True),
        ({"accepted": True}, False),
        ({"counts": False}, False),
        ({"deleted": True}, False),
        ({"kind": EventKind.LATENESS}, False),
        ({"kind": EventKind.EARLY_DEPARTURE}, False),
        ({"kind": EventKind.INFIRMARY}, False),
    ],
)
def test_which_events_count(options: dict[str, object], included: bool) -> None:
    one = event(local(MON, 8), local(MON, 9), **options)  # type: ignore[arg-type]
    expected = {am(MON): 1.0} if included else {}
    assert missed_half_days(school(), [one], now=LATER) == expected


def test_justified_too_includes_accepted_but_not_deleted_or_non_counting() -> None:
    cal = school()
    accepted = event(local(MON, 8), local(MON, 9), accepted=True)
    deleted = event(local(TUE, 8), local(TUE, 9), accepted=True, deleted=True)
    not_counting = event(local(THU, 8), local(THU, 9), counts=False)
    events = [accepted, deleted, not_counting]
    assert missed_half_days(cal, events, now=LATER) == {}
    assert missed_half_days(cal, events, now=LATER, justified_too=True) == {am(MON): 1.0}


def test_kinds_parameter() -> None:
    cal = school()
    events = [
        event(local(MON, 8), local(MON, 9)),
        event(local(MON, 15), local(MON, 17), kind=EventKind.EARLY_DEPARTURE),
        event(local(TUE, 10), local(TUE, 11), kind=EventKind.LEFT_CLASS),
    ]
    kinds = frozenset({EventKind.ABSENCE, EventKind.EARLY_DEPARTURE})
    assert missed_half_days(cal, events, now=LATER) == {am(MON): 1.0}
    assert missed_half_days(cal, events, now=LATER, kinds=kinds) == {am(MON): 1.0, pm(MON): 1.0}
    assert missed_half_days(cal, events, now=LATER, kinds=frozenset()) == {}


def test_open_ended_event_runs_until_now() -> None:
    cal = school()
    ongoing = [event(local(MON, 8), None)]
    now = local(TUE, 9, 30)
    assert missed_half_days(cal, ongoing, now=now) == {am(MON): 1, pm(MON): 1, am(TUE): 1}
    assert missed_half_days(cal, ongoing, now=now, mode=COMPLETE) == {am(MON): 1, pm(MON): 1}
    assert missed_half_days(cal, ongoing, now=now, mode=PROPORTIONAL) == {
        am(MON): 1.0,
        pm(MON): 1.0,
        am(TUE): 0.375,
    }
    assert missed_half_days(cal, ongoing, now=local(MON, 8)) == {}
    assert missed_half_days(cal, ongoing, now=local(MON, 7)) == {}
    later = missed_half_days(cal, ongoing, now=local(NEXT_MON, 0))
    assert len(later) == 9


def test_closed_events_are_not_cut_at_now() -> None:
    announced = [event(local(NEXT_MON, 8), local(NEXT_MON, 17))]
    result = missed_half_days(school(), announced, now=local(MON, 8))
    assert result == {am(NEXT_MON): 1.0, pm(NEXT_MON): 1.0}


def test_missed_half_days_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        missed_half_days(school(), [], now=datetime(2026, 1, 12, 8))


def test_missed_half_days_accepts_any_iterable() -> None:
    events = (event(local(d, 8), local(d, 9)) for d in (MON, TUE))
    assert missed_half_days(school(), events, now=LATER) == {am(MON): 1.0, am(TUE): 1.0}


# --- monthly_counts ------------------------------------------------------------------------


def test_monthly_split_at_month_end_in_paris() -> None:
    absence = [event(local("2026-01-30", 8), local("2026-02-02", 17))]  # Friday to Monday
    assert monthly_counts(school(), absence, now=LATER) == {(2026, 1): 2.0, (2026, 2): 2.0}


def test_monthly_uses_local_month_in_noumea() -> None:
    cal = school(tz=NOUMEA)
    start, end = local("2026-06-01", 8, tz=NOUMEA), local("2026-06-01", 12, tz=NOUMEA)
    assert (start.astimezone(UTC).month, end.month) == (5, 6)
    assert monthly_counts(cal, [event(start, end)], now=LATER) == {(2026, 6): 1.0}
    friday = local("2026-05-29", 8, tz=NOUMEA)
    assert monthly_counts(cal, [event(friday, end)], now=LATER) == {(2026, 5): 2.0, (2026, 6): 1.0}


def test_monthly_uses_local_month_in_martinique() -> None:
    evening = (Slot(4, time(18), time(21)),)  # Friday evening classes
    cal = school(tz=MARTINIQUE, slots=evening)
    start, end = local("2026-07-31", 20, tz=MARTINIQUE), local("2026-07-31", 21, tz=MARTINIQUE)
    assert start == utc("2026-08-01", 0)
    in_utc = coverage(cal, utc("2026-08-01", 0), utc("2026-08-01", 1))
    assert in_utc == [Coverage(pm("2026-07-31"), 3 * H, H)]
    counted = monthly_counts(cal, [event(start, end)], now=LATER, mode=PROPORTIONAL)
    assert counted == {(2026, 7): 0.33}


def test_monthly_counts_modes_and_rounding() -> None:
    events = [
        event(local(MON, 8), local(MON, 17)),
        event(local(TUE, 13), local(TUE, 14)),
        event(local(THU, 8), local(THU, 9), accepted=True),
    ]
    cal = school()
    assert monthly_counts(cal, events, now=LATER) == {(2026, 1): 3.0}
    assert monthly_counts(cal, events, now=LATER, mode=COMPLETE) == {(2026, 1): 2.0}
    assert monthly_counts(cal, events, now=LATER, mode=PROPORTIONAL) == {(2026, 1): 2.2}
    assert monthly_counts(cal, events, now=LATER, justified_too=True) == {(2026, 1): 4.0}


def test_monthly_counts_sorted_by_month() -> None:
    events = [
        event(local("2026-03-02", 8), local("2026-03-02", 9)),
        event(local("2026-01-05", 8), local("2026-01-05", 9)),
        event(local("2025-12-01", 8), local("2025-12-01", 9)),
    ]
    assert list(monthly_counts(school(), events, now=LATER)) == [(2025, 12), (2026, 1), (2026, 3)]


def test_four_unjustified_half_days_in_a_month_reach_the_threshold() -> None:
    events = [event(local(d, 8), local(d, 9)) for d in (MON, TUE, THU, FRI)]
    total = monthly_counts(school(), events, now=LATER)[(2026, 1)]
    assert total == 4
    assert alert_level(total) == "threshold"


# --- thresholds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "level"),
    [
        (0, "none"),
        (3.99, "none"),
        (4, "threshold"),
        (9.5, "threshold"),
        (10, "persistent"),
        (25, "persistent"),
    ],
)
def test_alert_level_defaults(count: float, level: str) -> None:
    assert alert_level(count) == level


def test_alert_level_custom_and_invalid() -> None:
    assert alert_level(2, threshold=2, persistent=6) == "threshold"
    assert alert_level(6, threshold=2, persistent=6) == "persistent"
    assert alert_level(4, threshold=4, persistent=4) == "persistent"
    with pytest.raises(ValueError):
        alert_level(1, threshold=5, persistent=4)


def test_half_day_key_in_results_uses_enum() -> None:
    result = missed_half_days(school(), [event(local(MON, 13), local(MON, 14))], now=LATER)
    (key,) = result
    assert key == HalfDayKey(date(2026, 1, 12), Half.AFTERNOON)
    assert key.half is Half.AFTERNOON
