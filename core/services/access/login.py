"""Login with throttling: attempts are counted in the database, the rule is pure.

See :mod:`core.rules.throttle` for the policy (5 failures for one email from one address, or
20 from one address, within 15 minutes lock that pair or that address for 15 minutes; never an
email alone, so nobody can lock a colleague out from elsewhere).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.errors import DomainError
from core.models import LoginAttempt, User
from core.rules.throttle import DEFAULT_POLICY, Attempt, ThrottlePolicy, blocked_until
from core.services.schools.school import now_utc
from core.services.schools.users import authenticate

KEEP_ATTEMPTS = timedelta(days=1)


class Throttled(DomainError):
    """Too many failed logins: no attempt is made before ``until``."""

    code = "throttled"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many failed logins: try again after {until.isoformat()}")
        self.until = until


def _key(email: str) -> str:
    return email.strip().lower()[:254]


async def _attempts(since: datetime, **where: str) -> list[Attempt]:
    rows = await LoginAttempt.filter(at__gte=since, **where).values_list("at", "success")
    return [Attempt(at, bool(success)) for at, success in rows]


async def login_blocked_until(
    email: str, ip: str, now: datetime, policy: ThrottlePolicy = DEFAULT_POLICY
) -> datetime | None:
    """When the next login for this email from this address may be tried (None: now)."""
    since = now - policy.lookback
    by_pair = await _attempts(since, email=_key(email), ip=ip[:64])
    by_ip = await _attempts(since, ip=ip[:64])
    return blocked_until(by_pair, by_ip, now, policy)


async def record_attempt(email: str, ip: str, *, success: bool, now: datetime) -> None:
    """Write one attempt and forget those too old to matter."""
    await LoginAttempt.create(email=_key(email), ip=ip[:64], at=now, success=success)
    await LoginAttempt.filter(at__lt=now - KEEP_ATTEMPTS).delete()


async def log_in(
    email: str,
    password: str,
    ip: str,
    *,
    now: datetime | None = None,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> User | None:
    """The user these credentials belong to, or None; :class:`Throttled` while locked out.

    A refused attempt is not checked nor recorded: the lockout ends on time even under attack.
    """
    moment = now or now_utc()
    until = await login_blocked_until(email, ip, moment, policy)
    if until is not None:
        raise Throttled(until)
    user = await authenticate(email, password)
    await record_attempt(email, ip, success=user is not None, now=moment)
    return user
