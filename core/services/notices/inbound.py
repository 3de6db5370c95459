"""Replies from families by SMS: stored once, matched to a guardian, a student and their open
absences, read in French (the reason it gives, how sure), or taken as an opt-out.

A reply is matched by its sender's number to the usable mobile contact points that were
verified or imported, and to the persons a notice was lately sent to at that number (several
persons, even of several schools, may share a number): those of the school whose own SMS
sender (``School.sms_sender``) it was sent to come first, then the person a notice recently
went to. STOP and its variants alone (ARRET, ARRÊT, STOPALL, UNSUBSCRIBE…) opt the number out,
START (UNSTOP…) opts it back in, both audited and confirmed in the webhook's answer.

The text is read by :func:`core.rules.replies.read_reply` and the conversation's rules
(:mod:`core.rules.conversation`): the child it names, else the only child with open absences,
else — several — the family is asked which one ("Répondez 1 pour Léa, 2 pour Hugo"; the
question, a :class:`ReplyQuestion`, is open a day and its answer attaches the first reply).
The national generic reason it gives is kept with its confidence and as the school's own
reason under it (:func:`school_reason`) for the CPE to accept or correct.

A reply from an unknown number is never lost and never shown to a school it does not concern:
it belongs to the school whose own sender it was sent to, else to none (the install's list,
``absences replies``); staff attach it to a guardian by hand (:mod:`replies`).
"""

from __future__ import annotations

from collections.abc import Sequence
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
    ReplyQuestion,
    School,
    Student,
    Usability,
)
from core.rules.calendar import day_start
from core.rules.conversation import (
    QUESTION_LIFETIME,
    Ask,
    Attach,
    Child,
    Question,
    decide,
    may_acknowledge,
    read_choice,
)
from core.rules.counting import EventKind
from core.rules.replies import Intent, Reading, ReasonChoice, read_reply, school_reason
from core.services import audit
from core.siecle.phones import normalise_phone

RECENT_NOTICE = timedelta(days=30)  # a notice sent this recently names whom a reply is from
OPEN_ABSENCES = timedelta(days=7)  # absences a reply may justify
ACTOR = audit.Actor.system("inbound sms")
THANKS = N_("Merci, votre réponse est transmise à la vie scolaire ({school}).")
CONFIRMATION = N_(
    "Vous ne recevrez plus de SMS de l'établissement à ce numéro. "
    "Pour les recevoir à nouveau, répondez START."
)
RESUMED = N_("Vous recevrez à nouveau les SMS de l'établissement à ce numéro.")
QUESTION = N_("Votre réponse concerne quel enfant ? Répondez {choices}.")
CHOICE = N_("{number} pour {name}")


@dataclass(frozen=True, slots=True)
class Received:
    """The stored message; ``created`` False for a provider's repeat; ``reply`` to send back."""

    message: InboundMessage
    created: bool
    reply: str | None = None


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
    except IntegrityError:  # the same message, stored by a concurrent request
        found = await InboundMessage.get(provider=provider, provider_ref=provider_ref)
        return Received(found, created=False)
    return Received(message, created=True, reply=reply)


async def _apply(message: InboundMessage, number: str, at: datetime) -> str | None:
    """Match, read and store ``message``; what to answer the family, if anything."""
    reading = read_reply(message.text)
    own = await _school_of_sender(message.recipient)
    if reading.intent in (Intent.OPT_OUT, Intent.OPT_IN) and reading.confidence >= 1:
        return await _opt(message, number, at, stop=reading.intent == Intent.OPT_OUT, own=own)
    persons = await _ranked_persons(number, at, own=own)
    if not persons:  # kept with its reading, for whoever attaches it by hand
        message.school_id = own
        await propose(message, reading, own)
        message.status = InboundStatus.UNMATCHED
        await message.save()
        return None
    person = persons[0]
    message.person, message.school_id = person, person.school_id
    return await attach_to_family(message, person, at)


async def attach_to_family(message: InboundMessage, person: Person, at: datetime) -> str | None:
    """Read ``message`` as a reply of ``person`` (matched by its number, or attached by hand)
    and store it: the child it is about, its open absences and the reason it gives — or a
    question to the family when it could be about several children. Returns what to send back."""
    children = await _children(person, message.sender, at)
    reading = read_reply(message.text, children=[c.first_name for c in children])
    question = await _open_question(message.sender, person, at)
    if question is not None:
        chosen = read_choice(message.text, _question(question), children)
        if chosen is not None:
            return await _answered(message, question, chosen, reading, person, at)
    decision = decide(message.text, children, None, at)
    message.status = InboundStatus.PENDING
    await propose(message, reading, person.school_id)
    if isinstance(decision, Ask):
        message.student_id, message.event_ids = None, []
        await message.save()
        await ReplyQuestion.create(
            school_id=person.school_id,
            person=person,
            message=message,
            sender=message.sender,
            choices=[c.student_id for c in decision.choices],
            asked_at=at,
        )
        return _asking(person.language, decision.choices)
    if isinstance(decision, Attach):
        message.student_id, message.event_ids = decision.student_id, list(decision.event_ids)
    else:  # no open absence: the child of the latest notice, for the CPE to see
        message.student_id, message.event_ids = (children[0].student_id if children else None), []
    await message.save()
    return await _thanks(message, person, message.sender, at)


async def _answered(
    message: InboundMessage,
    question: ReplyQuestion,
    chosen: Child,
    reading: Reading,
    person: Person,
    at: datetime,
) -> str | None:
    """The family's answer to the question: the reply that raised it is about ``chosen``; the
    answer itself waits for the CPE only if it gives a reason of its own."""
    asked = await InboundMessage.get(id=question.message_id)
    if asked.status == InboundStatus.PENDING and asked.student_id is None:
        asked.student_id, asked.event_ids = chosen.student_id, list(chosen.open_events)
        await asked.save(update_fields=["student_id", "event_ids"])
    question.answered_at = at
    await question.save(update_fields=["answered_at"])
    message.student_id, message.event_ids = chosen.student_id, list(chosen.open_events)
    await propose(message, reading, person.school_id)
    message.status = (
        InboundStatus.PENDING if reading.intent == Intent.REASON else InboundStatus.ACKNOWLEDGED
    )
    await message.save()
    return await _thanks(message, person, message.sender, at)


def _asking(language: str | None, choices: Sequence[Child]) -> str:
    said = words(language)
    options = ", ".join(
        said.gettext(CHOICE).format(number=n, name=c.first_name)
        for n, c in enumerate(choices, start=1)
    )
    return said.gettext(QUESTION).format(choices=options)


def _question(row: ReplyQuestion) -> Question:
    return Question(tuple(int(i) for i in row.choices), row.asked_at)


async def _open_question(sender: str, person: Person, at: datetime) -> ReplyQuestion | None:
    """The question last asked to ``sender`` for ``person``, still open and unanswered."""
    return (
        await ReplyQuestion.filter(
            sender=sender,
            person_id=person.id,
            answered_at__isnull=True,
            asked_at__gt=(at - QUESTION_LIFETIME).astimezone(UTC),
            asked_at__lte=at.astimezone(UTC),
        )
        .order_by("-asked_at", "-id")
        .first()
    )


async def _children(person: Person, number: str, at: datetime) -> list[Child]:
    """The person's children, the one of the latest notice sent to ``number`` first, each
    with their open absences."""
    ids = await _students_of(person, number, at)
    names = dict(await Student.filter(id__in=ids).values_list("id", "first_name"))
    events = await open_absences_by_student(ids, at)
    return [Child(i, str(names[i]), tuple(events.get(i, ()))) for i in ids if i in names]


async def _school_of_sender(recipient: str | None) -> int | None:
    """The school whose own SMS sender the message was sent to (None: the install's)."""
    if not recipient:
        return None
    ids = cast(
        "list[int]",
        await School.filter(sms_sender__in=list({recipient, e164(recipient)})).values_list(
            "id", flat=True
        ),
    )
    return ids[0] if len(ids) == 1 else None


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
    await message.save(update_fields=["acknowledged_at"])
    return words(person.language).gettext(THANKS).format(school=school.name)


async def propose(message: InboundMessage, reading: Reading, school_id: int | None) -> None:
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


async def _ranked_persons(
    number: str, at: datetime, *, own: int | None = None, include_unusable: bool = False
) -> list[Person]:
    """The persons known at that number (a verified or imported mobile, or a notice sent to it
    lately): those of the school whose own sender it was sent to first, then those a notice
    recently went to at it."""
    points = await ContactPoint.filter(_points(number, include_unusable=include_unusable))
    recent = await _recent_deliveries(number, at, None)
    person_ids = sorted({point.person_id for point in points} | {p for p, _ in recent})
    if not person_ids:
        return []
    order = {pid: rank for rank, pid in enumerate(dict.fromkeys(p for p, _ in recent))}
    persons = await Person.filter(id__in=person_ids)
    return sorted(persons, key=lambda p: (p.school_id != own, order.get(p.id, len(order)), p.id))


async def _recent_deliveries(
    number: str, at: datetime, person_ids: list[int] | None
) -> list[tuple[int, int]]:
    """(person id, student id) of the notices sent to ``number`` lately, newest first (to
    ``person_ids`` only, when given)."""
    found = Delivery.filter(
        to=number,
        person_id__isnull=False,
        status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
        sent_at__gte=at - RECENT_NOTICE,  # UTC: SQLite compares text
    )
    if person_ids is not None:
        found = found.filter(person_id__in=person_ids)
    rows = await found.order_by("-sent_at", "-id").values_list("person_id", "notice__student_id")
    return [(int(person), int(student)) for person, student in rows]


async def _students_of(person: Person, number: str, at: datetime) -> list[int]:
    """The person's students, the one of the latest notice sent to ``number`` first."""
    recent = [s for p, s in await _recent_deliveries(number, at, [person.id]) if p == person.id]
    linked = await GuardianLink.filter(person_id=person.id, student__active=True).values_list(
        "student_id", flat=True
    )
    return list(dict.fromkeys([*recent, *cast("list[int]", linked)]))


async def open_absences_by_student(student_ids: list[int], at: datetime) -> dict[int, list[int]]:
    """Each student's absences of the last days not justified yet, oldest first."""
    if not student_ids:
        return {}
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
        .values_list("student_id", "id")
    )
    found: dict[int, list[int]] = {}
    for student, event in rows:
        found.setdefault(int(student), []).append(int(event))
    return found


async def _opt(
    message: InboundMessage, number: str, at: datetime, *, stop: bool, own: int | None
) -> str:
    """STOP (or its variants) alone: the number's points stop receiving SMS and calls; START:
    they receive them again. Audited; the confirmation is the answer."""
    persons = await _ranked_persons(number, at, own=own, include_unusable=True)
    message.status = InboundStatus.OPT_OUT if stop else InboundStatus.ACKNOWLEDGED
    message.school_id = persons[0].school_id if persons else own
    message.person = persons[0] if persons else None
    await message.save()
    reply = words(persons[0].language if persons else None).gettext(
        CONFIRMATION if stop else RESUMED
    )
    before, after = (
        (Q(~Q(usability=Usability.OPTED_OUT)), Usability.OPTED_OUT)
        if stop
        else (Q(usability=Usability.OPTED_OUT), Usability.OK)
    )
    points = await ContactPoint.filter(
        _points(number, include_unusable=True), before
    ).prefetch_related("person")
    for point in points:
        was = audit.snapshot(point, ("usability", "usability_note"))
        point.usability, point.usability_note = after, "STOP reply" if stop else "START reply"
        point.usability_changed_at = at
        await point.save(update_fields=["usability", "usability_note", "usability_changed_at"])
        now = audit.snapshot(point, ("usability", "usability_note"))
        await audit.record(
            ACTOR,
            "contact_point.opt_out" if stop else "contact_point.opt_in",
            point,
            school_id=point.person.school_id,
            before=was,
            after={**now, "confirmation": reply},
        )
    return reply
