"""Replies from families by SMS: stored once, matched to a guardian, a student and their open
absences, read in French (the reason it gives, how sure), or taken as an opt-out.

A reply is matched by its sender's number to the usable mobile contact points that were
verified or imported (several persons, even of several schools, may share a number): the person
a notice was recently sent to at that number comes first. STOP / ARRET / ARRÊT alone opts the
number out (audited) and asks for a confirmation, which the webhook returns as its reply.

The text is read by :func:`core.rules.replies.read_reply`: the child it names among the
guardian's (else the one of the latest notice), and the national generic reason it gives, kept
with its confidence and as the school's own reason under it (:func:`school_reason`) for the
CPE to accept or correct.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.i18n import N_, words
from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Event,
    GuardianLink,
    InboundMessage,
    InboundStatus,
    Person,
    Reason,
    School,
    Student,
    Usability,
)
from core.rules.calendar import day_start
from core.rules.conversation import may_acknowledge
from core.rules.counting import EventKind
from core.rules.replies import Intent, Reading, ReasonChoice, read_reply, school_reason
from core.services import audit
from core.siecle.phones import normalise_phone

STOP_WORDS = frozenset({"stop", "arret"})
RECENT_NOTICE = timedelta(days=30)  # a notice sent this recently names whom a reply is from
OPEN_ABSENCES = timedelta(days=7)  # absences a reply may justify
ACTOR = audit.Actor.system("inbound sms")
THANKS = N_("Merci, votre réponse est transmise à la vie scolaire ({school}).")
CONFIRMATION = N_(
    "Vous ne recevrez plus de SMS de l'établissement à ce numéro. "
    "Pour les recevoir à nouveau, contactez la vie scolaire."
)


@dataclass(frozen=True, slots=True)
class Received:
    """The stored message; ``created`` False for a provider's repeat; ``reply`` to send back."""

    message: InboundMessage
    created: bool
    reply: str | None = None


def is_stop(text: str) -> bool:
    """STOP, ARRET or ARRÊT alone (any case, accents and surrounding punctuation ignored)."""
    plain = unicodedata.normalize("NFKD", text.strip().strip(".!").strip().casefold())
    return "".join(c for c in plain if not unicodedata.combining(c)) in STOP_WORDS


def e164(sender: str) -> str:
    """The sender's number in E.164 when it reads as one, else as given."""
    return normalise_phone(sender).e164 or sender.strip()


async def receive_sms(
    provider: str,
    provider_ref: str,
    sender: str,
    text: str,
    at: datetime,
    raw: dict[str, object],
    *,
    recipient: str | None = None,
) -> Received:
    """Store an inbound SMS once per (provider, provider_ref) and match or apply it;
    ``recipient`` is the number (or sender name) it was sent to, when the provider says."""
    existing = await InboundMessage.get_or_none(provider=provider, provider_ref=provider_ref)
    if existing is not None:
        return Received(existing, created=False)
    number, at = e164(sender), at.astimezone(UTC)
    message = InboundMessage(
        channel="sms",
        provider=provider[:20],
        provider_ref=provider_ref[:100],
        sender=number,
        recipient=e164(recipient)[:254] if recipient else None,
        text=text,
        received_at=at,
        raw_data=raw,
    )
    try:
        async with in_transaction():
            reply = await _apply(message, number, at)
            await message.save()
    except IntegrityError:  # the same message, stored by a concurrent request
        found = await InboundMessage.get(provider=provider, provider_ref=provider_ref)
        return Received(found, created=False)
    return Received(message, created=True, reply=reply)


async def _apply(message: InboundMessage, number: str, at: datetime) -> str | None:
    stop = is_stop(message.text)
    persons = await _ranked_persons(number, at, include_unusable=stop)
    if stop:
        message.status = InboundStatus.OPT_OUT
        if persons:
            message.person, message.school_id = persons[0], persons[0].school_id
        reply = words(persons[0].language if persons else None).gettext(CONFIRMATION)
        await _opt_out(number, at, reply)
        return reply
    if not persons:  # kept with its reading, for whoever attaches it by hand
        await _propose(message, read_reply(message.text), None)
        message.status = InboundStatus.UNMATCHED
        return None
    person = persons[0]
    message.person, message.school_id = person, person.school_id
    students = await _students_of(person, number, at)
    names = dict(await Student.filter(id__in=students).values_list("first_name", "id"))
    reading = read_reply(message.text, children=list(names))
    named = [names[n] for n in reading.children]
    chosen = named[0] if len(named) == 1 else students[0] if students else None
    message.student_id = chosen
    message.event_ids = await open_absences([chosen] if chosen else [], at)
    await _propose(message, reading, person.school_id)
    message.status = InboundStatus.PENDING
    return await _thanks(message, person, number, at)


async def _thanks(message: InboundMessage, person: Person, number: str, at: datetime) -> str | None:
    """The acknowledgement to send back: once a day to a number, never to an auto-responder."""
    school = await School.get(id=person.school_id)
    since = day_start(at.astimezone(ZoneInfo(school.timezone)).date(), ZoneInfo(school.timezone))
    thanked = await InboundMessage.filter(
        sender=number, acknowledged_at__gte=since, received_at__lt=at + timedelta(seconds=1)
    ).count()
    if not may_acknowledge(
        message.text, acknowledged_today=thanked > 0, acknowledgements_to_number_today=thanked
    ):
        return None
    message.acknowledged_at = at
    return words(person.language).gettext(THANKS).format(school=school.name)


async def _propose(message: InboundMessage, reading: Reading, school_id: int | None) -> None:
    """What the reply was read as, and the school's reason under it (for the CPE)."""
    if reading.intent != Intent.REASON:
        return
    message.proposed_generic, message.confidence = reading.generic, reading.confidence
    if school_id is None:
        return
    reasons = [
        ReasonChoice(r.id, r.generic.code, r.code, r.parents_may_choose, r.for_absence)
        for r in await Reason.filter(school_id=school_id, active=True).prefetch_related("generic")
    ]
    chosen = school_reason(reading, reasons)
    message.proposed_reason_id = chosen.id if chosen is not None else None


def _points(number: str, *, include_unusable: bool = False) -> Q:
    query = Q(kind=ContactKind.MOBILE, value=number) & (
        Q(verified=True) | Q(siecle_field__isnull=False)
    )
    if not include_unusable:
        query &= Q(usability=Usability.OK, consent=True)
    return query


async def _ranked_persons(number: str, at: datetime, *, include_unusable: bool) -> list[Person]:
    """The persons with that number, those a notice recently went to at it first."""
    ids = await ContactPoint.filter(_points(number, include_unusable=include_unusable))
    person_ids = sorted({point.person_id for point in ids})
    if not person_ids:
        return []
    recent = await _recent_deliveries(number, at, person_ids)
    order = {pid: rank for rank, pid in enumerate(dict.fromkeys(p for p, _ in recent))}
    persons = await Person.filter(id__in=person_ids)
    return sorted(persons, key=lambda p: (order.get(p.id, len(order)), p.id))


async def _recent_deliveries(
    number: str, at: datetime, person_ids: list[int]
) -> list[tuple[int, int]]:
    """(person id, student id) of the notices sent to ``number`` lately, newest first."""
    rows = (
        await Delivery.filter(
            to=number,
            person_id__in=person_ids,
            status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
            sent_at__gte=at - RECENT_NOTICE,  # UTC: SQLite compares text
        )
        .order_by("-sent_at", "-id")
        .values_list("person_id", "notice__student_id")
    )
    return [(int(person), int(student)) for person, student in rows]


async def _students_of(person: Person, number: str, at: datetime) -> list[int]:
    """The person's students, the one of the latest notice sent to ``number`` first."""
    recent = [s for p, s in await _recent_deliveries(number, at, [person.id]) if p == person.id]
    linked = await GuardianLink.filter(person_id=person.id, student__active=True).values_list(
        "student_id", flat=True
    )
    return list(dict.fromkeys([*recent, *cast("list[int]", linked)]))


async def open_absences(student_ids: list[int], at: datetime) -> list[int]:
    """The students' absences of the last days not justified yet, oldest first."""
    if not student_ids:
        return []
    rows = (
        await Event.filter(
            Q(accepted__isnull=True) | Q(accepted=False),
            student_id__in=student_ids,
            kind=EventKind.ABSENCE,
            deleted=False,
            settled=False,
            starts_at__gte=(at - OPEN_ABSENCES).astimezone(UTC),
        )
        .order_by("starts_at", "id")
        .values_list("id", flat=True)
    )
    return list(cast("list[int]", rows))


async def _opt_out(number: str, at: datetime, confirmation: str) -> None:
    """Every verified or imported mobile point with that number stops receiving SMS and calls."""
    points = await ContactPoint.filter(
        _points(number, include_unusable=True), ~Q(usability=Usability.OPTED_OUT)
    ).prefetch_related("person")
    for point in points:
        before = audit.snapshot(point, ("usability", "usability_note"))
        point.usability, point.usability_note = Usability.OPTED_OUT, "STOP reply"
        point.usability_changed_at = at
        await point.save(update_fields=["usability", "usability_note", "usability_changed_at"])
        after = audit.snapshot(point, ("usability", "usability_note"))
        await audit.record(
            ACTOR,
            "contact_point.opt_out",
            point,
            school_id=point.person.school_id,
            before=before,
            after={**after, "confirmation": confirmation},
        )
