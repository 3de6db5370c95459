"""The per-school monthly quota of paid messages (SMS, automated calls): pure arithmetic.

A school may cap the SMS and the calls it sends in a calendar month (its own time zone). A batch
of deliveries asks for ``requested`` messages when ``used`` already left this month: the quota
lets through what still fits, and says which alert levels this batch crosses (the school's
``quota_alert_percent``, then 100 %); refused messages fall back to the next channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

FULL = 100


@dataclass(frozen=True, slots=True)
class QuotaCheck:
    """How many of the requested messages may leave, and the alert levels (percent) reached."""

    allowed: int
    alerts: tuple[int, ...] = ()

    def refused(self, requested: int) -> int:
        """How many of ``requested`` the quota keeps back."""
        return requested - self.allowed


def alert_levels(alert_percent: int) -> tuple[int, ...]:
    """The levels that raise an alert: the school's warning level (when between 1 and 99), then
    100 %."""
    return (alert_percent, FULL) if 0 < alert_percent < FULL else (FULL,)


def check_quota(quota: int | None, used: int, requested: int, alert_percent: int) -> QuotaCheck:
    """What a batch of ``requested`` messages may send when ``used`` already left this month.

    ``quota`` None means no limit (no alert either); 0 means none at all. A level is reported
    when this batch takes the month's use from below it to at or above it, and 100 % is
    reported again whenever messages are refused (alerts are idempotent on their key, so
    repeating a level costs nothing).
    """
    if requested < 0 or used < 0:
        raise ValueError("counts cannot be negative")
    if quota is None:
        return QuotaCheck(requested)
    allowed = max(0, min(requested, quota - used))
    after = used + allowed
    if quota == 0:
        return QuotaCheck(0, (FULL,) if requested else ())
    crossed = [
        level
        for level in alert_levels(alert_percent)
        if used * FULL < level * quota <= after * FULL
    ]
    if allowed < requested and FULL not in crossed:
        crossed.append(FULL)
    return QuotaCheck(allowed, tuple(crossed))


def month_start(now: datetime, tz: ZoneInfo) -> datetime:
    """The first instant of ``now``'s calendar month in the school's time zone, in UTC."""
    local = now.astimezone(tz)
    first = datetime.combine(date(local.year, local.month, 1), time(), tzinfo=tz)
    return first.astimezone(UTC)
