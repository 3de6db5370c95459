"""A running bot: the Bot, the Dispatcher, and the updates being handled (webhook mode hands
each one over and answers Telegram at once)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import Update

from bot.factory import build_bot, build_dispatcher, build_storage
from core.services.access.bot_memory import forget_updates
from core.settings import Settings
from workers.queue import Queue

logger = logging.getLogger("absences.bot")
PRUNE_EVERY = 1000  # updates handled between two prunings of the update ids kept


class BotRuntime:
    def __init__(self, settings: Settings, queue: Queue, storage: BaseStorage | None = None):
        self.bot = build_bot(settings)
        self.dp = build_dispatcher(settings, queue, storage or build_storage(settings))
        self._tasks: set[asyncio.Task[None]] = set()
        self._handled = 0

    def handle(self, update: Update) -> None:
        """Handle ``update`` in the background (the webhook answers before it is done)."""
        task = asyncio.create_task(self._feed(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _feed(self, update: Update) -> None:
        try:
            await self.dp.feed_update(self.bot, update)
        except Exception:  # one family's update must not stop the others
            logger.exception("telegram update %s failed", update.update_id)
        self._handled += 1
        if self._handled % PRUNE_EVERY == 0:
            await forget_updates(now=datetime.now(UTC))

    async def drain(self) -> None:
        """Wait for the updates being handled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
        await self.dp.storage.close()
        await self.bot.session.close()
