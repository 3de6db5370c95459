"""The app on loopback with the bot's webhook mounted, a local Bot API server playing Telegram,
and the in-process queue; updates are posted to ``/hooks/telegram`` as Telegram posts them."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.webhook import PATH, RUNTIME
from core.settings import Settings, load_settings
from tests.gateway.fakes.telegram import FakeTelegram
from web.app import create_app
from workers.queue import InlineQueue
from workers.senders import Channels, build_channels
from workers.tasks import FUNCTIONS

SECRET = "webhook-secret-for-tests"


def bot_settings(telegram: FakeTelegram, var_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_token": telegram.token,
        "telegram_api_url": telegram.url,
        "telegram_webhook_secret": SECRET,
        "var_dir": var_dir,
        "secret_key": "tests-secret",
        "redis_url": None,
    }
    return load_settings(**(values | overrides))


@dataclass
class Family:
    """A Telegram user writing to the bot from their private chat."""

    chat: int
    first_name: str = "Anne"
    language_code: str = "fr"

    def sender(self) -> dict[str, Any]:
        return {
            "id": self.chat,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }

    def chat_object(self) -> dict[str, Any]:
        return {"id": self.chat, "type": "private", "first_name": self.first_name}


@dataclass
class BotService:
    client: TestClient[Any, Any]
    app: web.Application
    telegram: FakeTelegram
    queue: InlineQueue
    _messages: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        """POST an update as Telegram does, then wait until it is handled; the status."""
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        response = await self.client.post(PATH, json=update, headers=headers)
        await self.settle()
        return response.status

    async def settle(self) -> None:
        await self.app[RUNTIME].drain()
        await self.queue.drain(timeout=10)

    def message(self, family: Family, **content: Any) -> dict[str, Any]:
        body = {
            "message_id": next(self._messages),
            "date": int(time.time()),
            "chat": family.chat_object(),
            "from": family.sender(),
            **content,
        }
        return self.telegram.update("message", body)

    async def say(self, family: Family, text: str) -> list[str]:
        """The family writes ``text``; what the bot said in answer."""
        before = len(self.telegram.texts(family.chat))
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        assert await self.post(self.message(family, **content)) == 200
        return self.telegram.texts(family.chat)[before:]

    async def send_file(self, family: Family, **content: Any) -> list[str]:
        before = len(self.telegram.texts(family.chat))
        assert await self.post(self.message(family, **content)) == 200
        return self.telegram.texts(family.chat)[before:]

    async def press(self, family: Family, data: str) -> list[str]:
        """The family presses an inline button carrying ``data``; what the bot said."""
        before = len(self.telegram.texts(family.chat))
        shown = {
            "message_id": 999,
            "date": int(time.time()),
            "chat": family.chat_object(),
            "text": "…",
        }
        body = {
            "id": f"cb-{next(self._messages)}",
            "from": family.sender(),
            "chat_instance": f"ci-{family.chat}",
            "message": shown,
            "data": data,
        }
        assert await self.post(self.telegram.update("callback_query", body)) == 200
        return self.telegram.texts(family.chat)[before:]

    def button(self, family: Family, label_part: str) -> str:
        """The callback data of the last shown button whose text contains ``label_part``."""
        for text, data in self.telegram.last_buttons(family.chat):
            if label_part in text:
                return data
        raise AssertionError(
            f"no button {label_part!r} in {self.telegram.last_buttons(family.chat)}"
        )


@asynccontextmanager
async def serving(settings: Settings, telegram: FakeTelegram) -> AsyncIterator[BotService]:
    """The app (its webhook, its bot) and the queue's worker sending through the gateway."""
    channels: Channels = build_channels(settings)
    ctx: dict[str, Any] = {"channels": channels}
    queue = InlineQueue(FUNCTIONS, ctx, max_concurrency=10)
    ctx["queue"] = queue
    await queue.start()
    app = create_app(settings, queue)
    server = TestServer(app, host="127.0.0.1")
    try:
        async with TestClient(server) as client:
            yield BotService(client, app, telegram, queue)
    finally:
        await queue.close()
        await channels.close()
