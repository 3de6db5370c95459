"""What the bot tells Telegram about itself: its menu of commands (French, and English for
users whose Telegram speaks English) and where to post its updates."""

from __future__ import annotations

from aiogram import Bot

from bot.routers.help import menu
from core.i18n import words

UPDATES = ["message", "callback_query"]


async def register_menu(bot: Bot) -> None:
    await bot.set_my_commands(menu(words("fr")))
    await bot.set_my_commands(menu(words("en")), language_code="en")


async def register_webhook(bot: Bot, url: str, secret: str) -> None:
    """Telegram posts the updates to ``url`` with ``secret`` in its header; the menu set."""
    await bot.set_webhook(url, secret_token=secret, allowed_updates=UPDATES)
    await register_menu(bot)
