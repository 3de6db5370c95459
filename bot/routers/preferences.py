"""``/preferences``: the guardian's preferred channel (tried first for every notice) and the
language the school writes to them in; ``/langue`` (``/language``): the language alone. The
languages offered are the school's (French, English and those it wrote templates in)."""

from __future__ import annotations

from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.texts import CHANNELS, say
from core.errors import Invalid
from core.i18n import N_, Words
from core.i18n import words as words_of
from core.models import Person
from core.queries.languages import school_languages
from core.rules.languages import language_name
from core.services.notices.chat_replies import set_preferences

CURRENT = N_("Canal préféré : {channel}\nLangue : {language}")
AUTOMATIC = N_("celui que choisit l'établissement")
CHOOSE = N_("Choisissez :")
CHOOSE_LANGUAGE = N_("Langue des messages de l'établissement : {language}\nChoisissez :")
SAVED = N_("C'est noté.")


class Choice(CallbackData, prefix="pref"):
    what: str  # channel, language
    value: str  # a channel, "auto", a language


def _keyboard(words: Words, languages: list[str], *, channels: bool = True) -> InlineKeyboardMarkup:
    keys = InlineKeyboardBuilder()
    if channels:
        for channel, label in CHANNELS.items():
            keys.button(text=say(words, label), callback_data=Choice(what="channel", value=channel))
        keys.button(text=say(words, AUTOMATIC), callback_data=Choice(what="channel", value="auto"))
    for language in languages:
        keys.button(
            text=language_name(language), callback_data=Choice(what="language", value=language)
        )
    keys.adjust(2)
    return keys.as_markup()


def _current(words: Words, person: Person) -> str:
    channel = person.preferred_channel
    shown = say(words, CHANNELS[channel]) if channel in CHANNELS else say(words, AUTOMATIC)
    return say(words, CURRENT, channel=shown, language=language_name(person.language))


async def preferences(message: Message, guardians: list[Person], words: Words) -> None:
    text = _current(words, guardians[0]) + "\n" + say(words, CHOOSE)
    languages = await school_languages(guardians[0].school_id)
    await message.answer(text, reply_markup=_keyboard(words, languages))


async def language(message: Message, guardians: list[Person], words: Words) -> None:
    person = guardians[0]
    text = say(words, CHOOSE_LANGUAGE, language=language_name(person.language))
    languages = await school_languages(person.school_id)
    await message.answer(text, reply_markup=_keyboard(words, languages, channels=False))


async def chosen(query: CallbackQuery, callback_data: Choice, guardians: list[Person]) -> None:
    """The choice applies to every guardian this chat follows (one family, one chat)."""
    channel = language = None
    if callback_data.what == "channel" and (
        callback_data.value in CHANNELS or callback_data.value == "auto"
    ):
        channel = "" if callback_data.value == "auto" else callback_data.value
    elif callback_data.what == "language":
        language = callback_data.value
    chat_id = str(query.message.chat.id) if query.message is not None else ""
    person = guardians[0]
    languages = await school_languages(person.school_id)
    for guardian in guardians:  # a language the school does not offer: nothing changes
        with suppress(Invalid):
            person = await set_preferences(guardian.id, chat_id, channel=channel, language=language)
    words = words_of(person.language)
    await query.answer(say(words, SAVED))
    if isinstance(query.message, Message):
        text = _current(words, person) + "\n" + say(words, CHOOSE)
        with suppress(TelegramBadRequest):  # "message is not modified": the same choice again
            await query.message.edit_text(text, reply_markup=_keyboard(words, languages))


def router() -> Router:
    r = Router(name="preferences")
    r.message.register(preferences, Command("preferences"))
    r.message.register(language, Command("langue", "language"))
    r.callback_query.register(chosen, Choice.filter(F.what.in_({"channel", "language"})))
    return r
