"""An API token's state and expiry, as a pure rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.rules.tokens import MAX_TOKEN_DAYS, TokenState, token_expiry, token_state

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_a_token_is_live_until_its_expiry() -> None:
    expires = T0 + timedelta(days=365)
    assert token_state(None, expires, expires - timedelta(seconds=1)) is TokenState.LIVE
    assert token_state(None, expires, expires) is TokenState.EXPIRED
    assert token_state(None, None, T0 + timedelta(days=5000)) is TokenState.LIVE


def test_revoked_is_said_before_expired() -> None:
    assert token_state(T0, T0, T0 + timedelta(days=1)) is TokenState.REVOKED


def test_the_expiry_is_counted_in_days_or_never() -> None:
    assert token_expiry(T0, 365) == T0 + timedelta(days=365)
    assert token_expiry(T0, None) is None
    for days in (0, -1, MAX_TOKEN_DAYS + 1):
        with pytest.raises(ValueError, match="from 1 to"):
            token_expiry(T0, days)
