"""Login throttling as a pure rule: too many failures lock an account *from one address*, or
an address, for a while.

After ``per_pair`` failed attempts for one email from one client address, or ``per_ip`` from
one address whatever the emails, within ``window``, further attempts are refused for
``lockout`` from the failure that crossed the limit. Failures are never counted per email
alone: someone guessing a colleague's password from elsewhere must not lock the colleague out.
A success for the pair forgets that pair's earlier failures (not the address's: one valid
account must not let an attacker reset the count of the address it attacks from). Refused
attempts are not recorded by the caller, so a lockout ends on time even under attack.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    per_pair: int = 5  # failures for one email from one address
    per_ip: int = 20  # failures from one address, whatever the emails
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    @property
    def lookback(self) -> timedelta:
        """How far back attempts can still matter."""
        return self.window + self.lockout


DEFAULT_POLICY = ThrottlePolicy()


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    success: bool


def failures_since_last_success(attempts: Iterable[Attempt]) -> list[datetime]:
    """The failures after the latest success, in time order."""
    failures: list[datetime] = []
    for attempt in sorted(attempts, key=lambda a: a.at):
        if attempt.success:
            failures.clear()
        else:
            failures.append(attempt.at)
    return failures


def locked_until(
    failures: Sequence[datetime], limit: int, policy: ThrottlePolicy
) -> datetime | None:
    """The end of the latest lockout these failures caused, or None if they caused none."""
    ordered = sorted(failures)
    end: datetime | None = None
    for last in range(limit - 1, len(ordered)):
        if ordered[last] - ordered[last - limit + 1] < policy.window:
            end = ordered[last] + policy.lockout
    return end


def blocked_until(
    pair_attempts: Iterable[Attempt],
    ip_attempts: Iterable[Attempt],
    now: datetime,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> datetime | None:
    """When the next attempt may be made, or None if it may be made ``now``.

    ``pair_attempts``: those for this email from this address; ``ip_attempts``: all those
    from this address.
    """
    ends = [
        locked_until(failures_since_last_success(pair_attempts), policy.per_pair, policy),
        locked_until([a.at for a in ip_attempts if not a.success], policy.per_ip, policy),
    ]
    latest = max((end for end in ends if end is not None), default=None)
    return latest if latest is not None and latest > now else None
