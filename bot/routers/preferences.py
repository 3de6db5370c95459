"""``/preferences``: the guardian's preferred channel (tried first for every notice) and the
language the school writes to them in."""

from __future__ import annotations

from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.texts import CHANNELS, LANGUAGES, say
from core.i18n import N_, Words
from core.i18n import words as words_of
from core.models import Person
from core.services.notices.chat_replies import set_preferences

CURRENT = N_("Canal préféré : {channel}\nLangue : {language}")
AUTOMATIC = N_("celui que choisit l'établissement")
CHOOSE = N_("Choisissez :")
SAVED = N_("C'est noté.")


class Choice(CallbackData, prefix="pref"):
    what: str  # channel, language
    value: str  # a channel, "auto", a language


def _keyboard(words: Words) -> InlineKeyboardMarkup:
    keys = InlineKeyboardBuilder()
    for channel, label in CHANNELS.items():
        keys.button(text=say(words, label), callback_data=Choice(what="channel", value=channel))
    keys.button(text=say(words, AUTOMATIC), callback_data=Choice(what="channel", value="auto"))
    for language, label in LANGUAGES.items():
        keys.button(text=label, callback_data=Choice(what="language", value=language))
    keys.adjust(2)
    return keys.as_markup()


def _current(words: Words, person: Person) -> str:
    channel = person.preferred_channel
    shown = say(words, CHANNELS[channel]) if channel in CHANNELS else say(words, AUTOMATIC)
    language = LANGUAGES.get(person.language, person.language)
    return say(words, CURRENT, channel=shown, language=language)


async def preferences(message: Message, guardians: list[Person], words: Words) -> None:
    text = _current(words, guardians[0]) + "\n" + say(words, CHOOSE)
    await message.answer(text, reply_markup=_keyboard(words))


async def chosen(query: CallbackQuery, callback_data: Choice, guardians: list[Person]) -> None:
    """The choice applies to every guardian this chat follows (one family, one chat)."""
    channel = language = None
    if callback_data.what == "channel" and (
        callback_data.value in CHANNELS or callback_data.value == "auto"
    ):
        channel = "" if callback_data.value == "auto" else callback_data.value
    elif callback_data.what == "language" and callback_data.value in LANGUAGES:
        language = callback_data.value
    chat_id = str(query.message.chat.id) if query.message is not None else ""
    person = guardians[0]
    for guardian in guardians:
        person = await set_preferences(guardian.id, chat_id, channel=channel, language=language)
    words = words_of(person.language)
    await query.answer(say(words, SAVED))
    if isinstance(query.message, Message):
        text = _current(words, person) + "\n" + say(words, CHOOSE)
        with suppress(TelegramBadRequest):  # "message is not modified": the same choice again
            await query.message.edit_text(text, reply_markup=_keyboard(words))


def router() -> Router:
    r = Router(name="preferences")
    r.message.register(preferences, Command("preferences"))
    r.callback_query.register(chosen, Choice.filter(F.what.in_({"channel", "language"})))
    return r
