"""Letters to families after the letter channel made their PDF: one merged document to print,
then staff mark them printed, then posted.

Marking posted is the letter's delivery: the delivery moves sent → delivered with the source
"staff" in its history, and its notice is done. A selection is checked whole before anything
changes: one id of another school (or unknown) is :class:`NotFound`, one delivery that is not
a letter is :class:`Invalid`, one letter whose PDF was never made is :class:`Conflict` — and
then nothing is marked. Marking again what is already marked changes nothing and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from html import escape

from tortoise.transactions import in_transaction

from core.errors import Conflict, Invalid, NotFound
from core.models import Channel, Delivery, DeliveryStatus, Notice, School
from core.queries.common import chunks
from core.queries.letters import READY, LetterRow, letters_by_id, letters_of_day
from core.rules import postal
from core.services.audit import Actor, plain, record
from core.services.delivery.rows import move, settle_notice
from core.services.ports import (
    FilesFailed,
    LetterFiles,
    Message,
    RenderFailed,
    SendFailed,
    SendRenderer,
)
from core.services.schools.years import refuse_closed
from core.services.templates.failures import record_failure
from core.services.templates.messages import Composed, compose_checked

MARKS = ("printed", "posted")
MAX_SELECTION = 2000
AUDITED = ("status", "printed_at", "posted_at")


@dataclass(frozen=True, slots=True)
class Marked:
    """What a mark did: the deliveries it changed and those already marked (left alone)."""

    mark: str
    changed: tuple[int, ...]
    unchanged: tuple[int, ...]


def _ids(delivery_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(delivery_ids))
    if not ids:
        raise Invalid("choose at least one letter", code="letters_none")
    if len(ids) > MAX_SELECTION:
        raise Invalid(
            f"at most {MAX_SELECTION} letters at once", code="letters_too_many", most=MAX_SELECTION
        )
    if any(isinstance(i, bool) or not isinstance(i, int) or i < 1 for i in ids):
        raise Invalid("a delivery id is a positive integer", code="bad_id")
    return ids


async def _checked(school: School, ids: list[int], *, lock: bool = False) -> list[Delivery]:
    """The deliveries of ``ids``, every one a letter of this school whose PDF was made
    (``lock``: held until the caller's transaction ends, PostgreSQL only)."""
    rows: dict[int, Delivery] = {}
    for part in chunks(ids):
        found = Delivery.filter(id__in=part, notice__school_id=school.id)
        rows.update({d.id: d for d in await (found.select_for_update() if lock else found)})
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(f"no delivery {missing[0]} in school {school.uai}")
    others = [i for i in ids if rows[i].channel != Channel.LETTER]
    if others:
        raise Invalid(
            f"delivery {others[0]} is not a letter ({rows[others[0]].channel})", code="not_a_letter"
        )
    unready = [i for i in ids if rows[i].status not in READY]
    if unready:
        status = rows[unready[0]].status
        raise Conflict(
            f"letter {unready[0]} is {status}: its PDF has not been made", code="letter_not_ready"
        )
    return [rows[i] for i in ids]


def _state(delivery: Delivery) -> dict[str, object]:
    return {name: plain(getattr(delivery, name)) for name in AUDITED}


async def _print(delivery: Delivery, now: datetime) -> bool:
    if delivery.printed_at is not None:
        return False
    rows = await Delivery.filter(id=delivery.id, printed_at__isnull=True).update(
        printed_at=now, updated_at=now
    )
    return bool(rows)


async def _post(delivery: Delivery, now: datetime) -> bool:
    if delivery.posted_at is not None:
        return False
    changes = {"posted_at": now, "printed_at": delivery.printed_at or now}
    if delivery.status == DeliveryStatus.SENT:
        moved = await move(
            delivery.id,
            DeliveryStatus.SENT,
            DeliveryStatus.DELIVERED,
            at=now,
            source="staff",
            raw={"mark": "posted"},
            final_at=now,
            **changes,
        )
        if moved:
            notice = await Notice.get(id=delivery.notice_id)
            await settle_notice(notice)
            return True
    rows = await Delivery.filter(id=delivery.id, posted_at__isnull=True).update(
        updated_at=now, **changes
    )
    return bool(rows)


async def mark_letters(
    school: School, actor: Actor, delivery_ids: Sequence[int], mark: str, *, now: datetime
) -> Marked:
    """Mark the letters ``delivery_ids`` "printed" or "posted", all or none (see the module).

    One transaction; one audit row per letter changed (``letter.printed`` / ``letter.posted``,
    with its status and marks before and after). Posting a letter never marked printed marks it
    printed too.
    """
    if mark not in MARKS:
        raise Invalid(f"mark must be one of {', '.join(MARKS)}, not {mark!r}", code="letter_mark")
    ids = _ids(delivery_ids)
    now = now.astimezone(UTC)
    changed: list[int] = []
    async with in_transaction():
        deliveries = await _checked(school, ids, lock=True)
        await refuse_closed(school, *(d.created_at for d in deliveries))
        for delivery in deliveries:
            before = _state(delivery)
            done = await (_print if mark == "printed" else _post)(delivery, now)
            if not done:
                continue
            changed.append(delivery.id)
            after = _state(await Delivery.get(id=delivery.id))
            await record(
                actor,
                f"letter.{mark}",
                "delivery",
                school_id=school.id,
                entity_id=delivery.id,
                before=before,
                after=after,
            )
    moved = set(changed)
    unchanged = tuple(i for i in ids if i not in moved)
    return Marked(mark, tuple(changed), unchanged)


# --- one PDF for the printer ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrintBatch:
    """The merged PDF, the letters in it (in order), those whose file was made again, and the
    envelopes they fill (the letters to one home are one letter)."""

    pdf: bytes
    letters: tuple[LetterRow, ...]
    regenerated: tuple[int, ...]
    envelopes: int = 0


async def letters_to_print(
    school: School, *, day: date | None = None, delivery_ids: Sequence[int] | None = None
) -> list[LetterRow]:
    """The letters of a batch: the ones chosen (checked like a mark), else those of ``day``
    not yet printed. Raises :class:`NotFound` when nothing is left to print."""
    if delivery_ids:
        ids = _ids(delivery_ids)
        await _checked(school, ids)
        return await letters_by_id(school, ids)
    if day is None:
        raise Invalid("choose a day or letters", code="letters_choose")
    rows = [row for row in await letters_of_day(school, day) if row.state == "to_print"]
    if not rows:
        raise NotFound(f"no letter left to print on {day.isoformat()}")
    return rows


async def _composed(letter: LetterRow, render: SendRenderer) -> tuple[Delivery, Composed]:
    """The letter's message made again from its notice (raises as ``compose_checked``)."""
    delivery = await Delivery.get(id=letter.id).prefetch_related("person", "contact")
    notice = await Notice.get(id=delivery.notice_id).prefetch_related("school", "student", "event")
    return delivery, await compose_checked(delivery, notice, render)


def _missing(letter: LetterRow, error: object = None) -> Conflict:
    what = f"the letter to {letter.guardian} about {letter.student} (delivery {letter.id})"
    said = f": {error}" if error is not None else ""
    return Conflict(f"{what} is missing and could not be made again{said}", code="letter_missing")


async def _remake(letter: LetterRow, files: LetterFiles, render: SendRenderer) -> bytes:
    """The letter's PDF rendered again from its notice (its file was deleted or lost)."""
    try:
        delivery, composed = await _composed(letter, render)
        await files.write(composed.message)
        if composed.failure is not None:  # made from the default letter: its history says so
            await record_failure(delivery.id, str(delivery.status), composed.failure)
        pdf = await files.read(letter.uuid)
    except (RenderFailed, LookupError, SendFailed, FilesFailed) as error:
        raise _missing(letter, error) from None
    if pdf is None:
        raise _missing(letter)
    return pdf


async def _stored(letter: LetterRow, files: LetterFiles) -> bytes | None:
    """The stored PDF of ``letter``; None when it had to be made again (then it is stored)."""
    try:
        pdf = await files.read(letter.uuid)
    except FilesFailed as error:
        raise Conflict(
            f"the letter of delivery {letter.id} cannot be read: {error}", code="letter_unreadable"
        ) from None
    return pdf


def _section(message: Message) -> str:
    content = message.html or "<p>" + escape(message.body).replace("\n", "<br>") + "</p>"
    return f'<section class="household-part">{content}</section>'


async def _household(home: list[LetterRow], files: LetterFiles, render: SendRenderer) -> bytes:
    """One letter for every letter of ``home`` (one postal address): the address once with
    every guardian named, then each notice in its section, in order (a notice sent to both
    parents there is said once)."""
    messages: dict[int, Message] = {}  # by notice: one notice to both parents is one section
    names: list[str] = []
    street: tuple[str, ...] = ()
    for letter in home:
        try:
            delivery, composed = await _composed(letter, render)
        except (RenderFailed, LookupError) as error:
            raise _missing(letter, error) from None
        messages.setdefault(letter.notice_id, composed.message)
        person, contact = delivery.person, delivery.contact
        names.append(person.display_name if person is not None else "")
        if not street and contact is not None:
            street = postal.address_lines(None, contact.address, contact.value)
    first = next(iter(messages.values()))
    address = postal.household_envelope(names, street)
    together = replace(
        first,
        html="".join(_section(message) for message in messages.values()),
        extra={**first.extra, "address": "\n".join(address)},
        attachment=None,
    )
    try:
        return await files.pdf(together)
    except SendFailed as error:
        raise Conflict(
            f"the letters to {home[0].guardian} cannot be put together: {error}",
            code="household_failed",
        ) from None


async def print_batch(
    school: School,
    files: LetterFiles,
    render: SendRenderer,
    *,
    day: date | None = None,
    delivery_ids: Sequence[int] | None = None,
) -> PrintBatch:
    """One PDF of the chosen letters (or of ``day``'s letters not yet printed), in print order.

    The letters to one postal address print as one letter (one envelope): the address once,
    every guardian named, each letter in its section. A stored PDF that has gone missing is
    made again from the notice and stored (and named in ``regenerated``); one that cannot be
    made again stops the batch with :class:`Conflict` naming the letter. Nothing is marked:
    printing is confirmed with :func:`mark_letters`.
    """
    letters = await letters_to_print(school, day=day, delivery_ids=delivery_ids)
    homes = postal.households(letters, lambda row: row.household)
    pdfs: list[bytes] = []
    regenerated: list[int] = []
    for home in homes:
        if len(home) > 1:
            pdfs.append(await _household(home, files, render))
            continue
        [letter] = home
        pdf = await _stored(letter, files)
        if pdf is None:
            pdf = await _remake(letter, files, render)
            regenerated.append(letter.id)
        pdfs.append(pdf)
    try:
        merged = await files.merge(pdfs)
    except FilesFailed as error:
        raise Conflict(f"the letters cannot be merged: {error}", code="letters_merge") from None
    ordered = tuple(row for home in homes for row in home)
    return PrintBatch(merged, ordered, tuple(regenerated), envelopes=len(homes))
