"""A chat that follows nobody sees nothing of any student: whatever it sends (but ``/start``
and ``/stop``, handled before) gets one line saying how to get a code."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.context import not_linked
from bot.texts import NOT_LINKED, say
from core.i18n import Words


async def explain(message: Message, words: Words) -> None:
    await message.answer(say(words, NOT_LINKED))


async def explain_button(query: CallbackQuery, words: Words) -> None:
    await query.answer(say(words, NOT_LINKED), show_alert=True)


def router() -> Router:
    r = Router(name="unlinked")
    r.message.register(explain, not_linked)
    r.callback_query.register(explain_button, not_linked)
    return r
