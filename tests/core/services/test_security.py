"""Login with throttling, counted in the database: lockout, recovery, what is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.models import LoginAttempt, School
from core.services.access.login import Throttled, log_in, login_blocked_until
from core.services.audit import Actor
from core.services.schools.users import add_user

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PASSWORD = "a long enough password"
EMAIL = "cpe@alpha.example"


@pytest.fixture
async def account(school_a: School) -> str:
    await add_user(EMAIL, PASSWORD, school_a, "cpe", Actor.system("tests"))
    return EMAIL


async def fail(
    times: int, *, email: str = EMAIL, ip: str = "10.0.0.1", start: datetime = T0
) -> None:
    for i in range(times):
        moment = start + timedelta(seconds=10 * i)
        assert await log_in(email, "wrong password!", ip, now=moment) is None


async def test_a_good_login_is_recorded_as_a_success(account: str) -> None:
    user = await log_in(" CPE@alpha.example ", PASSWORD, "10.0.0.1", now=T0)
    assert user is not None and user.email == EMAIL
    row = await LoginAttempt.get()
    assert (row.email, row.ip, row.success, row.at) == (EMAIL, "10.0.0.1", True, T0)


async def test_five_failures_lock_the_pair_even_with_the_right_password(account: str) -> None:
    await fail(5)
    later = T0 + timedelta(minutes=2)
    with pytest.raises(Throttled) as refused:
        await log_in(EMAIL, PASSWORD, "10.0.0.1", now=later)
    assert refused.value.until == T0 + timedelta(seconds=40) + timedelta(minutes=15)
    assert await LoginAttempt.all().count() == 5  # the refused attempt is not recorded


async def test_failures_from_elsewhere_do_not_lock_the_owner_out(account: str) -> None:
    """Someone guessing from another address (even from many) never locks the account."""
    for n in range(6):
        await fail(5, ip=f"198.51.100.{n}", start=T0 + timedelta(minutes=n))
    later = T0 + timedelta(minutes=7)
    assert await login_blocked_until(EMAIL, "10.0.0.1", later) is None
    assert await log_in(EMAIL, PASSWORD, "10.0.0.1", now=later) is not None
    assert await login_blocked_until(EMAIL, "198.51.100.0", later) is not None


async def test_the_lock_ends_after_fifteen_minutes(account: str) -> None:
    await fail(5)
    until = await login_blocked_until(EMAIL, "10.0.0.1", T0 + timedelta(minutes=1))
    assert until is not None
    user = await log_in(EMAIL, PASSWORD, "10.0.0.1", now=until)
    assert user is not None
    assert await login_blocked_until(EMAIL, "10.0.0.1", until) is None


async def test_twenty_failures_from_one_address_lock_that_address_only(account: str) -> None:
    for n in range(4):
        await fail(5, email=f"guess{n}@alpha.example", start=T0 + timedelta(minutes=n))
    later = T0 + timedelta(minutes=5)
    with pytest.raises(Throttled):
        await log_in(EMAIL, PASSWORD, "10.0.0.1", now=later)
    assert await log_in(EMAIL, PASSWORD, "10.0.0.9", now=later) is not None


async def test_a_success_forgets_the_failures_of_the_pair(account: str) -> None:
    await fail(4)
    assert await log_in(EMAIL, PASSWORD, "10.0.0.1", now=T0 + timedelta(minutes=1)) is not None
    await fail(4, start=T0 + timedelta(minutes=2))
    assert await login_blocked_until(EMAIL, "10.0.0.1", T0 + timedelta(minutes=3)) is None


async def test_attempts_older_than_a_day_are_forgotten(account: str) -> None:
    await fail(3)
    await log_in(EMAIL, PASSWORD, "10.0.0.1", now=T0 + timedelta(days=2))
    assert await LoginAttempt.all().count() == 1
