"""``/aide``: what a linked family can do here."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BotCommand, Message

from bot.texts import say
from core.i18n import N_, Words

COMMANDS = (
    ("absences", N_("Les absences en cours de vos enfants")),
    ("justifier", N_("Justifier une absence (motif, photo ou PDF)")),
    ("historique", N_("Les derniers messages de l'établissement")),
    ("preferences", N_("Votre canal préféré et votre langue")),
    ("langue", N_("La langue des messages de l'établissement")),
    ("aide", N_("Ce que vous pouvez faire ici")),
    ("stop", N_("Ne plus recevoir de messages ici")),
)
INTRO = N_("Ce que vous pouvez faire ici :")
WRITE = N_("Vous pouvez aussi écrire librement : la vie scolaire lit votre message.")


def menu(words: Words) -> list[BotCommand]:
    """The bot's menu (``setMyCommands``) in one language."""
    return [BotCommand(command=name, description=say(words, text)) for name, text in COMMANDS]


async def help_(message: Message, words: Words) -> None:
    lines = [say(words, INTRO)]
    lines += [f"/{name} — {say(words, text)}" for name, text in COMMANDS]
    lines.append(say(words, WRITE))
    await message.answer("\n".join(lines))


def router() -> Router:
    r = Router(name="help")
    r.message.register(help_, Command("aide", "help"))
    return r
