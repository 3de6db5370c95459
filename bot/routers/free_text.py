"""Anything else a linked family writes is read like an SMS reply and lands in the CPE's queue
(channel ``chat``); the family is told it was passed on."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.types import Message

from bot.texts import say
from core.i18n import N_, Words
from core.models import Person
from core.services.notices.inbound import receive_chat
from workers.queue import Queue, enqueue_scheduled

PASSED_ON = N_("Merci, votre message a été transmis à la vie scolaire.")
UNKNOWN_COMMAND = N_("Commande inconnue : tapez /aide pour la liste.")
USE_JUSTIFY = N_("Pour envoyer un justificatif, commencez par /justifier.")


async def text(
    message: Message, guardians: list[Person], words: Words, now: datetime, queue: Queue
) -> None:
    body = message.text or ""
    if body.startswith("/"):
        await message.answer(say(words, UNKNOWN_COMMAND))
        return
    ref = f"{message.chat.id}:{message.message_id}"
    received = await receive_chat(guardians[0].id, str(message.chat.id), body, now, ref)
    await enqueue_scheduled(queue, received.due)
    await message.answer(say(words, PASSED_ON))


async def other(message: Message, words: Words) -> None:
    await message.answer(say(words, USE_JUSTIFY))


def router() -> Router:
    r = Router(name="free_text")
    r.message.register(text, F.text)
    r.message.register(other, F.photo | F.document)
    return r
