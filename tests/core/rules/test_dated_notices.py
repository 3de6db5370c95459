"""The dated notices as pure rules: when a reminder is due, which letter a month calls for, which
week a summary covers, and their keys — month and year boundaries included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.rules import dated_notices as dated
from core.rules.calendar import HalfDayKey
from core.rules.counting import CountableEvent, EventKind, monthly_counts
from core.rules.notices import channel_order_for
from tests.core.rules.support import PARIS, am, local, school

D = date.fromisoformat


def test_a_reminder_is_due_after_days_and_a_missed_week_is_caught_up() -> None:
    assert dated.reminder_window(D("2026-03-12"), 3) == (D("2026-03-02"), D("2026-03-09"))
    assert dated.reminder_window(D("2026-03-01"), 1) == (D("2026-02-21"), D("2026-02-28"))


@pytest.mark.parametrize("after_days", [0, -1])
def test_no_reminder_when_the_school_turned_them_off(after_days: int) -> None:
    assert dated.reminder_window(D("2026-03-12"), after_days) is None


@pytest.mark.parametrize(
    ("kind", "accepted", "counts", "deleted", "source", "wanted"),
    [
        ("absence", None, True, False, "desk", True),  # undecided is not justified
        ("absence", False, True, False, "roll_call", True),  # a reason refused
        ("absence", True, True, False, "desk", False),  # justified (even later: checked again)
        ("absence", None, False, False, "desk", False),  # a school trip does not count
        ("absence", None, True, True, "desk", False),  # entered by mistake
        ("absence", None, True, False, "family_notice", False),  # the family told us
        ("lateness", None, True, False, "desk", False),  # lateness has no reminder
    ],
)
def test_which_events_call_for_a_reminder(
    kind: str, accepted: bool | None, counts: bool, deleted: bool, source: str, wanted: bool
) -> None:
    found = dated.reminder_wanted(
        kind, accepted=accepted, counts=counts, deleted=deleted, source=source
    )
    assert found is wanted


@pytest.mark.parametrize(
    ("count", "letter"),
    [
        (0, None),
        (3, None),
        (3.99, None),
        (4, "threshold"),
        (9.5, "threshold"),
        (10, "persistent"),  # reaching both at once: the persistent letter says it all
        (31, "persistent"),
    ],
)
def test_which_letter_a_month_calls_for(count: float, letter: str | None) -> None:
    assert dated.month_letter(count, 4, 10) == letter


def test_thresholds_set_equal_give_the_persistent_letter() -> None:
    assert dated.month_letter(5, 5, 5) == "persistent"
    assert dated.month_letter(4, 5, 5) is None


@pytest.mark.parametrize(
    ("today", "months"),
    [
        ("2026-03-15", [(2026, 2), (2026, 3)]),
        ("2026-01-01", [(2025, 12), (2026, 1)]),  # the year changes
        ("2026-03-31", [(2026, 2), (2026, 3)]),
    ],
)
def test_the_months_looked_at_are_the_previous_and_the_current(
    today: str, months: list[tuple[int, int]]
) -> None:
    assert dated.months_to_check(D(today)) == months


def test_months_between_cross_the_year() -> None:
    assert dated.months_between(D("2026-10-30"), D("2027-01-02")) == [
        (2026, 10),
        (2026, 11),
        (2026, 12),
        (2027, 1),
    ]
    assert dated.months_between(D("2026-10-30"), D("2026-10-30")) == [(2026, 10)]
    assert dated.months_between(D("2026-11-01"), D("2026-10-30")) == []


def test_the_months_planned_reach_back_to_any_month_changed_but_not_a_closed_year() -> None:
    today = D("2026-12-03")
    assert dated.months_to_plan(today, [], None) == [(2026, 11), (2026, 12)]
    touched = [(2026, 10), (2027, 1), (2026, 6), (2026, 11)]
    assert dated.months_to_plan(today, touched, None) == [
        (2026, 6),
        (2026, 10),
        (2026, 11),
        (2026, 12),
    ]  # not January, still to come
    # 2025-2026 closed: June 2026 is in it, October 2026 is not
    assert dated.months_to_plan(today, touched, 2025) == [(2026, 10), (2026, 11), (2026, 12)]
    september = D("2026-09-02")  # August belongs to the new year: it is planned
    assert dated.months_to_plan(september, [(2026, 7)], 2025) == [(2026, 8), (2026, 9)]


@pytest.mark.parametrize(
    ("kind", "standing", "written"),
    [
        ("threshold", [], "threshold"),
        ("threshold", ["threshold"], None),
        ("threshold", ["persistent"], None),  # the persistent letter said it all
        ("persistent", ["threshold"], "persistent"),
        ("persistent", ["persistent"], None),
        (None, [], None),
    ],
)
def test_a_month_letter_is_written_once_and_never_after_the_persistent_one(
    kind: str | None, standing: list[str], written: str | None
) -> None:
    assert dated.letter_to_write(kind, standing) == written


@pytest.mark.parametrize(
    ("accepted", "reason_given", "legitimate", "waits"),
    [
        (None, True, None, True),  # a medical appointment, case by case: the CPE decides
        (None, True, True, True),  # legitimate by default, its decision withdrawn
        (None, True, False, False),  # a reason refused by default: it counts
        (None, False, None, False),  # no reason: what the letter is about
        (False, True, None, False),  # refused
        (True, True, True, False),  # accepted: it does not count anyway
    ],
)
def test_an_undecided_absence_with_a_reason_that_may_be_legitimate_waits(
    accepted: bool | None, reason_given: bool, legitimate: bool | None, waits: bool
) -> None:
    assert (
        dated.awaits_decision(
            accepted=accepted, reason_given=reason_given, legitimate_by_default=legitimate
        )
        is waits
    )


def test_month_bounds_know_december_and_leap_years() -> None:
    assert dated.month_bounds((2025, 12)) == (D("2025-12-01"), D("2025-12-31"))
    assert dated.month_bounds((2028, 2)) == (D("2028-02-01"), D("2028-02-29"))
    assert dated.month_bounds((2026, 2)) == (D("2026-02-01"), D("2026-02-28"))


def test_keys_are_one_per_student_and_month_week_event_or_meeting() -> None:
    assert dated.month_key("threshold", 12, (2026, 3)) == "threshold:12:2026-03"
    assert dated.month_key("persistent", 12, (2025, 12)) == "persistent:12:2025-12"
    assert dated.reminder_key(345) == "reminder:345"
    assert dated.weekly_key(12, D("2026-03-02")) == "weekly:12:2026-W10"
    meeting = local("2026-03-10", 14, 30)
    assert dated.convocation_key(12, meeting) == "convocation:12:2026-03-10T13:30Z"
    assert dated.convocation_key(12, meeting.astimezone(UTC)) == dated.convocation_key(12, meeting)
    with pytest.raises(ValueError, match="aware"):
        dated.convocation_key(12, datetime(2026, 3, 10, 14, 30))


@pytest.mark.parametrize(
    ("today", "monday", "week"),
    [
        ("2026-03-09", "2026-03-02", "2026-W10"),  # a Monday: last week
        ("2026-03-15", "2026-03-02", "2026-W10"),  # a Sunday: still last week, not this one
        ("2026-01-05", "2025-12-29", "2026-W01"),  # ISO week 1 of 2026 starts in 2025
        ("2027-01-04", "2026-12-28", "2026-W53"),  # 2026 has 53 ISO weeks
    ],
)
def test_the_summary_covers_the_iso_week_before(today: str, monday: str, week: str) -> None:
    first, last = dated.week_to_summarise(D(today))
    assert (first, last) == (D(monday), D(monday) + timedelta(days=6))
    assert first.weekday() == 0 and dated.iso_week(first) == week


def test_a_count_prints_as_a_whole_number_unless_proportional() -> None:
    assert dated.shown_count(4.0) == 4 and isinstance(dated.shown_count(4.0), int)
    assert dated.shown_count(4.333333) == 4.33


def test_letters_go_by_letter_then_email_and_the_summary_by_email_first() -> None:
    school_order = ["chat", "sms", "call", "email", "letter"]
    assert channel_order_for("threshold", school_order) == ["letter", "email"]
    assert channel_order_for("persistent", school_order) == ["letter", "email"]
    assert channel_order_for("weekly_summary", school_order) == ["email", "letter"]
    for kind in ("absence", "lateness", "reminder", "convocation"):
        assert channel_order_for(kind, ["sms", "letter"]) == ["sms", "letter"]


def _absence(start: datetime, end: datetime, accepted: bool | None = None) -> CountableEvent:
    return CountableEvent(start, end, EventKind.ABSENCE, counts=True, accepted=accepted)


def _letters(
    events: list[CountableEvent], closed_days: frozenset[date] = frozenset()
) -> dict[tuple[int, int], str]:
    calendar = school(closed_days=closed_days)
    counts = monthly_counts(calendar, events, now=local("2026-04-30", 18))
    return {
        month: letter
        for month, count in counts.items()
        if (letter := dated.month_letter(count, 4, 10)) is not None
    }


def test_an_absence_across_the_month_end_counts_in_each_month() -> None:
    # Friday 27 February to Tuesday 3 March 2026 at noon: 2 half-days in February, 3 in March.
    events = [_absence(local("2026-02-27", 8), local("2026-03-03", 12))]
    assert _letters(events) == {}
    later = [*events, _absence(local("2026-03-05", 8), local("2026-03-05", 10))]
    assert _letters(later) == {(2026, 3): "threshold"}


def test_justified_half_days_no_longer_count_toward_the_letter() -> None:
    monday = [_absence(local("2026-03-02", 8), local("2026-03-02", 17))]
    tuesday = _absence(local("2026-03-03", 8), local("2026-03-03", 17))
    assert _letters([*monday, tuesday]) == {(2026, 3): "threshold"}
    justified = _absence(local("2026-03-03", 8), local("2026-03-03", 17), accepted=True)
    assert _letters([*monday, justified]) == {}


def test_closed_days_are_not_half_days_missed() -> None:
    week = [_absence(local("2026-03-02", 8), local("2026-03-03", 17))]
    assert _letters(week) == {(2026, 3): "threshold"}
    assert _letters(week, closed_days=frozenset({D("2026-03-03")})) == {}


def test_a_half_day_belongs_to_its_local_month() -> None:
    key = am("2026-03-31")
    assert dated.in_month(key, (2026, 3)) and not dated.in_month(key, (2026, 4))
    first_of_april = HalfDayKey(D("2026-04-01"), key.half)
    assert dated.in_month(first_of_april, (2026, 4))


def test_dated_notices_leave_from_eight_in_the_morning_local_time() -> None:
    assert dated.leaves_at(local("2026-03-09", 0, 1), PARIS) == local("2026-03-09", 8)
    assert dated.leaves_at(local("2026-03-09", 9, 30), PARIS) == local("2026-03-09", 9, 30)
    # the night summer time starts (29 March 2026): 00:01 is UTC+1, 08:00 is UTC+2
    found = dated.leaves_at(local("2026-03-29", 0, 1), PARIS)
    assert found == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    noumea = ZoneInfo("Pacific/Noumea")  # an overseas school: its own morning
    assert dated.leaves_at(local("2026-03-09", 0, 1, noumea), noumea) == local(
        "2026-03-09", 8, 0, noumea
    )
