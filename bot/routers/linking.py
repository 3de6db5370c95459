"""``/start CODE`` (or the deep link ``t.me/<bot>?start=CODE``) links the chat to the guardian
whose one-time code it is; ``/start`` alone says what the chat may do; ``/stop`` unlinks."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.context import not_linked
from bot.texts import NOT_LINKED, say
from core.errors import Invalid
from core.i18n import N_, Words
from core.i18n import words as words_of
from core.models import Person
from core.services.access.chat_links import (
    ALPHABET,
    CODE_LENGTH,
    normalise_code,
    redeem_code,
    unlink_chat,
)

GREETING = N_("Bonjour {name} ! Ce fil est maintenant relié à {school}.")
FOLLOWING = N_("Vous suivez : {children}.")
NO_CHILD = N_("Aucun élève n'est rattaché à ce responsable pour le moment.")
MENU = N_("Tapez /aide pour voir ce que vous pouvez faire ici.")
UNKNOWN_CODE = N_(
    "Ce code n'est pas valable (déjà utilisé, expiré ou mal recopié) : demandez-en un nouveau "
    "à la vie scolaire de l'établissement."
)
TOO_MANY = N_("Trop de codes essayés depuis ce fil : réessayez dans un quart d'heure.")
STOPPED = N_(
    "Ce fil n'est plus relié à Absences : vous ne recevrez plus rien ici. Un nouveau code de "
    "la vie scolaire le relie à nouveau."
)
ALREADY = N_("Ce fil est relié à : {names}. Tapez /aide pour voir ce que vous pouvez faire.")


def looks_like_code(text: str) -> bool:
    """A code pasted alone, without ``/start`` (as a family may): 10 characters of the code's
    alphabet, give or take spaces and dashes."""
    code = normalise_code(text)
    return len(text) <= CODE_LENGTH + 4 and len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)


async def start_with_code(
    message: Message, command: CommandObject, state: FSMContext, words: Words, now: datetime
) -> None:
    """``/start CODE`` or the deep link."""
    await link(message, command.args or "", state, words, now)


async def code_alone(message: Message, state: FSMContext, words: Words, now: datetime) -> None:
    """A chat that follows nobody pasted a code without ``/start``."""
    await link(message, message.text or "", state, words, now)


async def link(message: Message, code: str, state: FSMContext, words: Words, now: datetime) -> None:
    """Redeem the code; greet the guardian by name, in their language, with their children."""
    try:
        linked = await redeem_code(str(message.chat.id), code, now=now)
    except Invalid as error:
        await message.answer(say(words, TOO_MANY if error.code == "too_many" else UNKNOWN_CODE))
        return
    await state.clear()
    theirs = words_of(linked.person.language)
    children = ", ".join(child.first_name for child in linked.children)
    lines = [
        say(theirs, GREETING, name=linked.person.display_name, school=linked.school.name),
        say(theirs, FOLLOWING, children=children) if children else say(theirs, NO_CHILD),
        say(theirs, MENU),
    ]
    await message.answer("\n".join(lines))


async def start(message: Message, guardians: list[Person], words: Words) -> None:
    """``/start`` without a code."""
    if not guardians:
        await message.answer(say(words, NOT_LINKED))
        return
    names = ", ".join(person.display_name for person in guardians)
    await message.answer(say(words, ALREADY, names=names))


async def stop(message: Message, state: FSMContext, words: Words, now: datetime) -> None:
    """``/stop``: the chat follows nobody any more (audited by the service)."""
    await state.clear()
    ended = await unlink_chat(str(message.chat.id), now=now)
    await message.answer(say(words, STOPPED if ended else NOT_LINKED))


def router() -> Router:
    """Linking and unlinking: open to every chat."""
    r = Router(name="linking")
    r.message.register(start_with_code, CommandStart(deep_link=True))
    r.message.register(start, CommandStart())
    r.message.register(stop, Command("stop"))
    r.message.register(code_alone, not_linked, F.text.func(looks_like_code))
    return r
