"""``/absences``: the open absences of the guardian's own children (date, times, state)."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.texts import NOTHING_OPEN, say, when
from core.i18n import N_, Words
from core.models import Person
from core.queries.family import FamilyAbsence, open_absences

TITLE = N_("Absences en cours :")
STATES = {
    "to_justify": N_("à justifier"),
    "reply_sent": N_("réponse reçue, la vie scolaire l'examine"),
    "reason_given": N_("motif donné, en attente de validation"),
    "not_accepted": N_("motif non accepté"),
}
JUSTIFY = N_("Pour en justifier une : /justifier")


def absence_line(words: Words, absence: FamilyAbsence) -> str:
    """« Léa — lundi 7 décembre, 08:00 → 12:00 »."""
    span = when(words, absence.starts_at)
    if absence.ends_at is not None:
        span += " → " + words.format_datetime(absence.ends_at, "HH:mm")
    return f"{absence.first_name} — {span}"


async def absences(message: Message, guardians: list[Person], words: Words, now: datetime) -> None:
    found = await open_absences(guardians, now)
    if not found:
        await message.answer(say(words, NOTHING_OPEN))
        return
    lines = [say(words, TITLE)]
    lines += [
        f"• {absence_line(words, a)} : {say(words, STATES.get(a.state, a.state))}" for a in found
    ]
    if any(a.state in ("to_justify", "not_accepted") for a in found):
        lines.append(say(words, JUSTIFY))
    await message.answer("\n".join(lines))


def router() -> Router:
    r = Router(name="absences")
    r.message.register(absences, Command("absences"))
    return r
