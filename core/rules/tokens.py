"""What an API token's dates say, as a pure rule: live, revoked or expired; its expiry."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_TOKEN_DAYS = 365
MAX_TOKEN_DAYS = 10 * 365


class TokenState(StrEnum):
    LIVE = "live"
    REVOKED = "revoked"
    EXPIRED = "expired"


def token_state(
    revoked_at: datetime | None, expires_at: datetime | None, now: datetime
) -> TokenState:
    """Revoked wins over expired (the owner's act is what they will remember)."""
    if revoked_at is not None:
        return TokenState.REVOKED
    if expires_at is not None and now >= expires_at:
        return TokenState.EXPIRED
    return TokenState.LIVE


def token_expiry(now: datetime, days: int | None) -> datetime | None:
    """The expiry of a token made ``now`` for ``days`` days (None: it never expires).

    ValueError for a number of days outside 1..``MAX_TOKEN_DAYS``.
    """
    if days is None:
        return None
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValueError(f"a token lasts from 1 to {MAX_TOKEN_DAYS} days, not {days}")
    return now + timedelta(days=days)
