"""``/historique``: the latest notices the school sent the guardian, newest first."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.texts import CHANNELS, say, when
from core.i18n import N_, Words
from core.models import Person
from core.queries.family import history_of

TITLE = N_("Derniers messages de l'établissement :")
NOTHING = N_("Aucun message envoyé pour le moment.")
BY = N_("par {channel}")
KINDS = {  # a notice's kind as the family reads it
    "absence": N_("Absence"),
    "lateness": N_("Retard"),
    "reminder": N_("Relance"),
    "threshold": N_("Seuil de demi-journées atteint"),
    "persistent": N_("Absentéisme persistant"),
    "weekly_summary": N_("Récapitulatif de la semaine"),
    "convocation": N_("Convocation"),
    "answer": N_("Réponse de la vie scolaire"),
    "thanks": N_("Accusé de réception de votre message"),
}


async def history(message: Message, guardians: list[Person], words: Words, now: datetime) -> None:
    sent = [notice for person in guardians for notice in await history_of(person, now)]
    if not sent:
        await message.answer(say(words, NOTHING))
        return
    sent.sort(key=lambda n: n.at, reverse=True)
    lines = [say(words, TITLE)]
    for notice in sent[:20]:
        kind = say(words, KINDS[notice.kind]) if notice.kind in KINDS else notice.kind
        channel = say(words, CHANNELS.get(notice.channel, notice.channel))
        by = say(words, BY, channel=channel)
        lines.append(f"• {when(words, notice.at)} — {notice.first_name} : {kind}, {by}")
    await message.answer("\n".join(lines))


def router() -> Router:
    r = Router(name="history")
    r.message.register(history, Command("historique"))
    return r
