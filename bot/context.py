"""Who is writing, decided once per update: the guardians the chat is linked to (none for a chat
never linked, or whose link ended: it sees nothing of any student), their words (the first
guardian's language; for a chat not linked, English only when Telegram says the user reads
English) and the time. Handlers take them as parameters: ``guardians``, ``words``, ``now``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

from core.i18n import words
from core.services.access.chat_links import chat_guardians


class FamilyContext(BaseMiddleware):
    """Outer middleware of messages and button presses."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        user: User | None = data.get("event_from_user")
        guardians = await chat_guardians(str(chat.id)) if chat is not None else []
        if guardians:
            language: str | None = guardians[0].language
        else:
            code = (user.language_code or "") if user is not None else ""
            language = "en" if code.startswith("en") else None
        data["guardians"] = guardians
        data["words"] = words(language)
        data["now"] = datetime.now(UTC)
        return await handler(event, data)


def linked(_: TelegramObject, guardians: list[Any]) -> bool:
    """A filter: the chat follows at least one guardian."""
    return bool(guardians)


def not_linked(_: TelegramObject, guardians: list[Any]) -> bool:
    """A filter: the chat follows nobody."""
    return not guardians
