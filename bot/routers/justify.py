"""``/justifier``: pick an absence (a button), pick a reason among those the school lets families
give (a button), optionally send a photo or a PDF of the document, then confirm. The reply
lands in the CPE's queue with the reason, the absence and the document. The steps are kept in
the FSM storage (Redis or the database): a restart in the middle loses nothing."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from io import BytesIO
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.routers.absences import absence_line
from bot.texts import say
from core.errors import DomainError
from core.i18n import N_, Words
from core.models import Person
from core.queries.family import FamilyAbsence, family_reasons, open_absences
from core.services.notices.chat_replies import Document, justify_from_chat

JUSTIFIABLE = ("to_justify", "not_accepted")
MAX_SIZE = 10 * 1024 * 1024  # bytes
TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

PICK_ABSENCE = N_("Quelle absence voulez-vous justifier ?")
NOTHING_TO_JUSTIFY = N_("Aucune absence à justifier.")
GONE = N_("Cette absence n'est plus à justifier.")
NO_REASONS = N_(
    "L'établissement ne propose pas de motif ici : écrivez votre explication dans un message."
)
PICK_REASON = N_("Motif de l'absence — {absence} :")
UNKNOWN_REASON = N_("Ce motif n'est plus proposé : recommencez avec /justifier.")
ASK_DOCUMENT = N_(
    "Vous pouvez envoyer une photo ou un PDF du justificatif (10 Mo au plus), ou continuer sans."
)
WITHOUT = N_("Continuer sans document")
CANCEL = N_("Annuler")
SEND = N_("Envoyer")
NOT_A_DOCUMENT = N_("Envoyez une photo ou un PDF, ou appuyez sur « Continuer sans document ».")
BAD_TYPE = N_("Seuls une photo (JPEG, PNG) ou un PDF sont acceptés.")
TOO_BIG = N_("Ce fichier dépasse 10 Mo : envoyez une photo ou un PDF plus léger.")
SUMMARY = N_("Absence : {absence}\nMotif : {reason}")
WITH_FILE = N_("Document : {name}")
NO_FILE = N_("Sans document")
CONFIRM = N_("Envoyer cette justification à la vie scolaire ?")
THANKS = N_("Merci : la vie scolaire a reçu votre justification.")
CANCELLED = N_("Justification annulée.")
EXPIRED = N_("Cette étape a expiré : recommencez avec /justifier.")
REFUSALS = {
    "bad_document": BAD_TYPE,
    "too_large": TOO_BIG,
    "unknown_reason": UNKNOWN_REASON,
    "unknown_event": GONE,
}


class Justify(StatesGroup):
    absence = State()
    reason = State()
    document = State()
    confirm = State()


class PickAbsence(CallbackData, prefix="jabs"):
    event_id: int
    person_id: int


class PickReason(CallbackData, prefix="jrsn"):
    code: str


class Step(CallbackData, prefix="jstp"):
    action: str  # skip, send, cancel


def _steps(words: Words, *actions: tuple[str, str]) -> InlineKeyboardMarkup:
    keys = InlineKeyboardBuilder()
    for action, text in actions:
        keys.button(text=say(words, text), callback_data=Step(action=action))
    keys.adjust(1)
    return keys.as_markup()


async def _justifiable(guardians: list[Person], now: datetime) -> list[FamilyAbsence]:
    return [a for a in await open_absences(guardians, now) if a.state in JUSTIFIABLE]


async def _show(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """The step's message replaced by the next one (sent anew if Telegram lost it)."""
    await query.answer()
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):  # "message is not modified": a button pressed twice
            await query.message.edit_text(text, reply_markup=markup)
    elif query.message is not None and query.bot is not None:
        await query.bot.send_message(query.message.chat.id, text, reply_markup=markup)


async def begin(
    message: Message, state: FSMContext, guardians: list[Person], words: Words, now: datetime
) -> None:
    """The absences to justify, one button each."""
    await state.clear()
    found = await _justifiable(guardians, now)
    if not found:
        await message.answer(say(words, NOTHING_TO_JUSTIFY))
        return
    keys = InlineKeyboardBuilder()
    for absence in found[:30]:
        data = PickAbsence(event_id=absence.event_id, person_id=absence.person_id)
        keys.button(text=absence_line(words, absence), callback_data=data)
    keys.button(text=say(words, CANCEL), callback_data=Step(action="cancel"))
    keys.adjust(1)
    await state.set_state(Justify.absence)
    await message.answer(say(words, PICK_ABSENCE), reply_markup=keys.as_markup())


async def absence_picked(
    query: CallbackQuery,
    callback_data: PickAbsence,
    state: FSMContext,
    guardians: list[Person],
    words: Words,
    now: datetime,
) -> None:
    """Only an absence of the guardian's own children, still open, is taken."""
    found = {(a.event_id, a.person_id): a for a in await _justifiable(guardians, now)}
    absence = found.get((callback_data.event_id, callback_data.person_id))
    if absence is None:
        await state.clear()
        await _show(query, say(words, GONE))
        return
    school_id = next(p.school_id for p in guardians if p.id == absence.person_id)
    reasons = await family_reasons(school_id)
    if not reasons:
        await state.clear()
        await _show(query, say(words, NO_REASONS))
        return
    label = absence_line(words, absence)
    await state.set_data({"event_id": absence.event_id, "person_id": absence.person_id})
    await state.update_data(absence=label, school_id=school_id)
    keys = InlineKeyboardBuilder()
    for reason in reasons:
        keys.button(text=reason.label, callback_data=PickReason(code=reason.code))
    keys.button(text=say(words, CANCEL), callback_data=Step(action="cancel"))
    keys.adjust(1)
    await state.set_state(Justify.reason)
    await _show(query, say(words, PICK_REASON, absence=label), keys.as_markup())


async def reason_picked(
    query: CallbackQuery, callback_data: PickReason, state: FSMContext, words: Words
) -> None:
    data = await state.get_data()
    reasons = {r.code: r.label for r in await family_reasons(int(data["school_id"]))}
    if callback_data.code not in reasons:
        await state.clear()
        await _show(query, say(words, UNKNOWN_REASON))
        return
    await state.update_data(reason=callback_data.code, reason_label=reasons[callback_data.code])
    await state.set_state(Justify.document)
    markup = _steps(words, ("skip", WITHOUT), ("cancel", CANCEL))
    await _show(query, say(words, ASK_DOCUMENT), markup)


def _document(message: Message) -> tuple[str, str, str, int | None]:
    """(file_id, file name, content type, size) of the photo or file sent."""
    if message.photo:
        photo = message.photo[-1]  # the largest size Telegram keeps
        name = f"photo-{photo.file_unique_id}.jpg"
        return photo.file_id, name, "image/jpeg", photo.file_size
    document = message.document
    assert document is not None
    kind = (document.mime_type or "").lower()
    name = document.file_name or f"document-{document.file_unique_id}{TYPES.get(kind, '')}"
    return document.file_id, name[:200], kind, document.file_size


def _summary(words: Words, data: dict[str, object]) -> str:
    lines = [
        say(words, SUMMARY, absence=data.get("absence", ""), reason=data.get("reason_label", ""))
    ]
    name = data.get("file_name")
    lines.append(say(words, WITH_FILE, name=name) if name else say(words, NO_FILE))
    lines.append(say(words, CONFIRM))
    return "\n".join(lines)


async def document_sent(message: Message, state: FSMContext, words: Words) -> None:
    """A photo or a PDF: its type and size checked before anything is downloaded."""
    file_id, name, kind, size = _document(message)
    if kind not in TYPES:
        await message.answer(say(words, BAD_TYPE))
        return
    if size is not None and size > MAX_SIZE:
        await message.answer(say(words, TOO_BIG))
        return
    data = await state.update_data(file_id=file_id, file_name=name, content_type=kind)
    await state.set_state(Justify.confirm)
    markup = _steps(words, ("send", SEND), ("cancel", CANCEL))
    await message.answer(_summary(words, data), reply_markup=markup)


async def not_a_document(message: Message, words: Words) -> None:
    await message.answer(say(words, NOT_A_DOCUMENT))


async def skipped(query: CallbackQuery, state: FSMContext, words: Words) -> None:
    data = await state.get_data()
    await state.set_state(Justify.confirm)
    markup = _steps(words, ("send", SEND), ("cancel", CANCEL))
    await _show(query, _summary(words, data), markup)


async def _download(bot: Bot, file_id: str) -> bytes | None:
    """The file's bytes (getFile, then the file's URL); None when it is too big."""
    found = await bot.get_file(file_id)
    if found.file_size is not None and found.file_size > MAX_SIZE:
        return None
    buffer = BytesIO()
    await bot.download(found, destination=buffer)
    content = buffer.getvalue()
    return None if len(content) > MAX_SIZE else content


async def send(
    query: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    guardians: list[Person],
    words: Words,
    now: datetime,
    var_dir: Path,
) -> None:
    """The justification to the CPE's queue, with its document."""
    data = await state.get_data()
    person_id = int(data["person_id"])
    if person_id not in {p.id for p in guardians} or query.message is None:
        await state.clear()
        await _show(query, say(words, EXPIRED))
        return
    document = None
    if data.get("file_id"):
        content = await _download(bot, str(data["file_id"]))
        if content is None:
            await _show(query, say(words, TOO_BIG))
            return
        document = Document(content, str(data["file_name"]))
    try:
        await justify_from_chat(
            person_id,
            str(query.message.chat.id),
            int(data["event_id"]),
            str(data["reason"]),
            now=now,
            var_dir=var_dir,
            document=document,
        )
    except DomainError as error:  # the service checked again: the absence, the reason, the file
        await state.clear()
        await _show(query, say(words, REFUSALS.get(error.code, EXPIRED)))
        return
    await state.clear()
    await _show(query, say(words, THANKS))


async def cancel(query: CallbackQuery, state: FSMContext, words: Words) -> None:
    await state.clear()
    await _show(query, say(words, CANCELLED))


async def stale(query: CallbackQuery, words: Words) -> None:
    """A button of a step already done or abandoned."""
    await query.answer(say(words, EXPIRED), show_alert=True)


def router() -> Router:
    r = Router(name="justify")
    r.message.register(begin, Command("justifier", "justify"))
    r.callback_query.register(cancel, Step.filter(F.action == "cancel"))
    r.callback_query.register(absence_picked, PickAbsence.filter(), StateFilter(Justify.absence))
    r.callback_query.register(reason_picked, PickReason.filter(), StateFilter(Justify.reason))
    r.callback_query.register(skipped, Step.filter(F.action == "skip"), Justify.document)
    r.callback_query.register(send, Step.filter(F.action == "send"), Justify.confirm)
    r.callback_query.register(stale, F.data.startswith(("jabs:", "jrsn:", "jstp:")))
    documents = F.photo | F.document
    r.message.register(document_sent, documents, StateFilter(Justify.document, Justify.confirm))
    r.message.register(not_a_document, Justify.document, F.text, ~F.text.startswith("/"))
    return r
