"""The Bot (pointed at ``ABSENCES_TELEGRAM_API_URL``), its conversation storage and the
Dispatcher with one router per feature. The order of the routers is the order of the checks:
linking first (open to every chat), then the one line a chat not linked gets for anything
else, then the features of a linked chat, free text last."""

from __future__ import annotations

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.utils.token import TokenValidationError

from bot.context import FamilyContext
from bot.routers import absences, free_text, help, history, justify, linking, preferences, unlinked
from bot.storage import DatabaseStorage
from core.settings import Settings, SettingsError
from workers.queue import Queue


def build_bot(settings: Settings) -> Bot:
    """The Bot API client; a missing or malformed token is a :class:`SettingsError` (one line
    for the admin)."""
    if not settings.telegram_token:
        raise SettingsError("the Telegram bot needs ABSENCES_TELEGRAM_TOKEN (from BotFather)")
    server = TelegramAPIServer.from_base(settings.telegram_api_url)
    try:
        return Bot(settings.telegram_token, session=AiohttpSession(api=server))
    except TokenValidationError:
        raise SettingsError(
            "bad setting ABSENCES_TELEGRAM_TOKEN: not a bot token (123456:ABC… from BotFather)"
        ) from None


def build_storage(settings: Settings) -> BaseStorage:
    """Redis when configured, else the database: either survives a restart."""
    if settings.redis_url:
        keys = DefaultKeyBuilder(prefix="absences:bot", with_bot_id=True, with_destiny=True)
        return RedisStorage.from_url(settings.redis_url, key_builder=keys)
    return DatabaseStorage()


def build_dispatcher(settings: Settings, queue: Queue, storage: BaseStorage) -> Dispatcher:
    """A Dispatcher with fresh routers; handlers take ``queue`` (to schedule what a service
    wrote) and ``var_dir`` (where families' documents are kept) as parameters."""
    dp = Dispatcher(storage=storage, queue=queue, var_dir=settings.var_dir)
    dp.message.filter(F.chat.type == "private")  # families write to the bot, not in groups
    context = FamilyContext()
    dp.message.outer_middleware(context)
    dp.callback_query.outer_middleware(context)
    dp.include_routers(
        linking.router(),
        unlinked.router(),
        help.router(),
        absences.router(),
        justify.router(),
        history.router(),
        preferences.router(),
        free_text.router(),
    )
    return dp
