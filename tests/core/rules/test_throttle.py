"""Login throttling as a pure rule: counts, windows, lockouts, and what a success forgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.rules.throttle import (
    Attempt,
    ThrottlePolicy,
    blocked_until,
    failures_since_last_success,
    locked_until,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
POLICY = ThrottlePolicy()


def failures(*minutes: float) -> list[Attempt]:
    return [Attempt(T0 + timedelta(minutes=m), success=False) for m in minutes]


def test_four_failures_do_not_lock() -> None:
    assert blocked_until(failures(0, 1, 2, 3), [], T0 + timedelta(minutes=4)) is None


def test_the_fifth_failure_locks_the_pair_for_fifteen_minutes() -> None:
    attempts = failures(0, 1, 2, 3, 4)
    until = T0 + timedelta(minutes=19)
    assert blocked_until(attempts, [], T0 + timedelta(minutes=5)) == until
    assert blocked_until(attempts, [], until - timedelta(seconds=1)) == until
    assert blocked_until(attempts, [], until) is None


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    assert blocked_until(failures(0, 4, 8, 12, 16), [], T0 + timedelta(minutes=17)) is None


def test_a_success_forgets_the_earlier_failures_of_that_pair() -> None:
    attempts = [*failures(0, 1, 2, 3), Attempt(T0 + timedelta(minutes=3.5), True), *failures(4)]
    assert failures_since_last_success(attempts) == [T0 + timedelta(minutes=4)]
    assert blocked_until(attempts, [], T0 + timedelta(minutes=5)) is None


def test_twenty_failures_from_one_address_lock_it_whatever_the_emails() -> None:
    from_ip = failures(*[i * 0.5 for i in range(19)])
    assert blocked_until([], from_ip, T0 + timedelta(minutes=10)) is None
    from_ip += failures(9.5)
    assert blocked_until([], from_ip, T0 + timedelta(minutes=10)) == T0 + timedelta(minutes=24.5)


def test_a_success_does_not_reset_the_count_of_an_address() -> None:
    half_minutes = [i * 0.5 for i in range(19)]
    from_ip = [*failures(*half_minutes), Attempt(T0 + timedelta(minutes=1), True), *failures(12)]
    assert blocked_until([], from_ip, T0 + timedelta(minutes=13)) is not None


def test_the_latest_lockout_wins_and_a_small_policy_is_honoured() -> None:
    policy = ThrottlePolicy(per_pair=2, per_ip=3, window=timedelta(minutes=1))
    stamps = [T0, T0 + timedelta(seconds=30), T0 + timedelta(minutes=20, seconds=10)]
    assert locked_until(stamps, 2, policy) == T0 + timedelta(seconds=30) + policy.lockout
    assert locked_until([], 2, policy) is None
    assert policy.lookback == timedelta(minutes=16)
