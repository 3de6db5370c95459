"""The monthly quota of paid messages, as pure arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rules.calendar import month_label
from core.rules.quota import alert_levels, check_quota, month_start


def test_no_quota_lets_everything_through_without_alerts() -> None:
    assert check_quota(None, 10_000, 50, 80) == (check := check_quota(None, 0, 50, 80))
    assert (check.allowed, check.alerts) == (50, ())


@pytest.mark.parametrize(
    ("used", "requested", "allowed", "alerts"),
    [
        (0, 5, 5, ()),  # 5 of 10: below 80 %
        (7, 1, 1, (80,)),  # 8 of 10: the warning
        (7, 3, 3, (80, 100)),  # both at once
        (8, 1, 1, ()),  # already warned, 9 of 10
        (9, 3, 1, (100,)),  # one fits, two refused
        (10, 2, 0, (100,)),  # used up: refused, 100 % again (idempotent downstream)
        (12, 1, 0, (100,)),  # over (a concurrent batch overshot): still refused
    ],
)
def test_the_quota_lets_through_what_fits(
    used: int, requested: int, allowed: int, alerts: tuple[int, ...]
) -> None:
    check = check_quota(10, used, requested, 80)
    assert (check.allowed, check.alerts) == (allowed, alerts)
    assert check.refused(requested) == requested - allowed


def test_a_zero_quota_sends_nothing() -> None:
    assert check_quota(0, 0, 3, 80).allowed == 0
    assert check_quota(0, 0, 3, 80).alerts == (100,)
    assert check_quota(0, 0, 0, 80).alerts == ()


def test_the_warning_level_is_only_kept_between_1_and_99() -> None:
    assert alert_levels(80) == (80, 100)
    assert alert_levels(0) == alert_levels(100) == alert_levels(150) == (100,)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        check_quota(10, -1, 1, 80)


@given(
    quota=st.integers(0, 500),
    used=st.integers(0, 600),
    requested=st.integers(0, 300),
    percent=st.integers(0, 120),
)
def test_never_more_than_the_quota(quota: int, used: int, requested: int, percent: int) -> None:
    check = check_quota(quota, used, requested, percent)
    assert 0 <= check.allowed <= requested
    assert used + check.allowed <= max(quota, used)
    assert set(check.alerts) <= set(alert_levels(percent))


def test_the_month_is_the_schools() -> None:
    paris = ZoneInfo("Europe/Paris")
    # 30 November 23:30 UTC is already 1 December in Paris
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert month_label(late, paris) == "2026-12"
    assert month_start(late, paris) == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    reunion = ZoneInfo("Indian/Reunion")
    assert month_start(datetime(2026, 3, 15, tzinfo=UTC), reunion) == datetime(
        2026, 2, 28, 20, 0, tzinfo=UTC
    )
