"""What the bot remembers between updates: the updates already handled (Telegram retries a
webhook it thinks failed; each ``update_id`` is handled once) and each chat's conversation
state (which absence is being justified) when no Redis is configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.models import BotState, BotUpdate

PLATFORM = "telegram"
KEEP_UPDATES = timedelta(days=2)  # Telegram gives up retrying an update after a day


async def first_time(update_id: int, *, now: datetime, platform: str = PLATFORM) -> bool:
    """Record ``update_id``; False when it was recorded before (a repeat: do not handle it)."""
    try:
        async with in_transaction():
            await BotUpdate.create(
                platform=platform, update_id=update_id, received_at=now.astimezone(UTC)
            )
    except IntegrityError:
        return False
    return True


async def forget_updates(*, now: datetime, platform: str = PLATFORM) -> int:
    """Drop the update ids older than Telegram's retries; returns how many."""
    since = (now - KEEP_UPDATES).astimezone(UTC)
    return await BotUpdate.filter(platform=platform, received_at__lt=since).delete()


async def read_state(key: str) -> tuple[str | None, dict[str, object]]:
    """A conversation's state and data (none and empty when it has none)."""
    row = await BotState.get_or_none(key=key[:200])
    return (None, {}) if row is None else (row.state, dict(row.data or {}))


async def write_state(key: str, **values: Any) -> None:
    """Set ``state`` and/or ``data`` of a conversation (created on first use)."""
    key = key[:200]
    if await BotState.filter(key=key).update(**values):
        return
    try:
        async with in_transaction():
            await BotState.create(key=key, **values)
    except IntegrityError:  # created meanwhile by another update of the same chat
        await BotState.filter(key=key).update(**values)
