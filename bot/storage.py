"""Conversation state kept in the database (``BotState``) when no Redis is configured, so that a
justification half done survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from core.services.access.bot_memory import read_state, write_state


class DatabaseStorage(BaseStorage):
    """aiogram's storage over the ``bot_state`` table: one row per chat (and bot, user)."""

    def __init__(self) -> None:
        self._keys = DefaultKeyBuilder(prefix="fsm", with_bot_id=True, with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await write_state(self._key(key), state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await read_state(self._key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await write_state(self._key(key), data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await read_state(self._key(key))
        return dict(data)

    async def close(self) -> None:
        """Nothing to release: the database belongs to the process."""
