"""Replies from families by SMS: stored once at once, then read — matched to a guardian, a
student and their open absences, read in French (the reason it gives, how sure), answered.

The webhook stores a reply in one insert (:func:`store_sms`, status ``received``; a provider's
repeat finds the row it stored) and the worker reads what is waiting in batches
(:func:`read_waiting`: what a batch needs is read once for all its replies), so that a burst
of replies costs the webhook one insert each and nothing is lost if reading fails: the reply
stays ``received`` and the next run reads it. STOP or START alone, a language keyword
("LANGUE EN", :func:`_language`), and a provider polled (OVHcloud), are read at once
(:func:`receive_sms`): their confirmation is the webhook's answer.

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
reason under it (:func:`school_reason`) for the CPE to accept or correct. The family is thanked
once a day per number, never an auto-responder: the thanks (kind ``thanks``, the school's SMS
template) and the question (kind ``answer``) are notices sent by the gateway like any other,
returned as ``due`` for the caller to enqueue.

A reply from an unknown number is never lost and never shown to a school it does not concern:
it belongs to the school whose own sender it was sent to, else to none (the install's list,
``absences replies``); staff attach it to a guardian by hand (:mod:`replies`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

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
    Notice,
    NoticeKind,
    Person,
    Reason,
    ReplyQuestion,
    School,
    Usability,
)
from core.queries.languages import school_languages
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
from core.rules.languages import keyword_language, language_name
from core.rules.notices import PlannedDelivery
from core.rules.replies import (
    Intent,
    Reading,
    ReasonChoice,
    opt_intent,
    read_reply,
    school_reason,
)
from core.services import audit
from core.services.delivery.rows import (
    Due,
    Outgoing,
    placeholders,
    update_rows,
    write_outgoing,
)
from core.services.notices.preferences import apply_preferences
from core.services.notices.recipients import NO_CONTACT_ROW
from core.siecle.phones import normalise_phone

RECENT_NOTICE = timedelta(days=30)  # a notice sent this recently names whom a reply is from
OPEN_ABSENCES = timedelta(days=7)  # absences a reply may justify
BATCH = 100  # replies read together
CHAT = "chat"
MAX_CHAT_TEXT = 4096  # a Telegram message at most
CLAIM_TRIES = 3
READ_FIELDS = (
    "school_id",
    "person_id",
    "student_id",
    "event_ids",
    "status",
    "proposed_reason_id",
    "proposed_generic",
    "confidence",
    "acknowledged_at",
)
# A reply older than this gets no answer: a backlog read late (a worker stopped for days, the
# first run on an account with a history) must not thank families for last month's messages.
ANSWER_WITHIN = timedelta(hours=24)
ACTOR = audit.Actor.system("inbound sms")
AUTHOR = "Absences"  # the author of the questions the service asks
CONFIRMATION = N_(
    "Vous ne recevrez plus de SMS de l'établissement à ce numéro. "
    "Pour les recevoir à nouveau, répondez START."
)
RESUMED = N_("Vous recevrez à nouveau les SMS de l'établissement à ce numéro.")
LANGUAGE_SET = N_("C'est noté. Langue des messages de l'établissement : {language}.")
LANGUAGE_UNKNOWN = N_(
    "Cette langue n'est pas proposée par l'établissement. Répondez LANGUE suivi de : {codes}."
)
UNKNOWN_NUMBER = N_("Ce numéro n'est connu d'aucun établissement : rien n'a changé.")
QUESTION = N_("Votre réponse concerne quel enfant ? Répondez {choices}.")
CHOICE = N_("{number} pour {name}")


@dataclass(frozen=True, slots=True)
class Received:
    """The stored message; ``created`` False for a provider's repeat; ``reply`` to send back at
    once (the confirmation of a STOP or a START); ``due``: the thanks or the question written,
    to enqueue once committed."""

    message: InboundMessage
    created: bool
    reply: str | None = None
    due: list[Due] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Read:
    """A run of :func:`read_waiting`: how many replies were read, what they scheduled."""

    count: int
    due: list[Due]


def e164(sender: str) -> str:
    """The sender's number in E.164 when it reads as one, else as given."""
    return normalise_phone(sender).e164 or sender.strip()


def answered_at_once(text: str) -> bool:
    """STOP or START (or a variant) alone, or a language keyword ("LANGUE EN"): read at once,
    its confirmation is the answer."""
    return opt_intent(text) is not None or keyword_language(text) is not None


async def store_sms(
    provider: str,
    provider_ref: str,
    sender: str,
    text: str,
    at: datetime,
    raw: dict[str, object],
    *,
    recipient: str | None = None,
) -> Received:
    """Store an inbound SMS once per (provider, provider_ref), not read yet (``received``);
    ``recipient`` is the number (or sender name) it was sent to, when the provider says.

    One statement (an insert that does nothing for a provider's repeat, or the same message
    posted concurrently): what a webhook does before it answers."""
    return await _store(
        {
            "channel": "sms",
            "provider": provider[:20],
            "provider_ref": provider_ref[:100],
            "sender": e164(sender)[:254],
            "recipient": e164(recipient)[:254] if recipient else None,
            "text": text,
            "received_at": at.astimezone(UTC),
            "raw_data": raw,
            "status": InboundStatus.RECEIVED,
            "event_ids": [],
        }
    )


def _no_nul(value: object) -> object:
    """A NUL character no database text (nor PostgreSQL's JSON) takes: dropped, never a 500."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): _no_nul(v) for k, v in value.items()}
    return value


async def _store(values: dict[str, object]) -> Received:
    """One statement: the row, or nothing for a provider's repeat (then the stored one)."""
    values = {name: _no_nul(value) for name, value in values.items()}
    db, meta = InboundMessage._meta.db, InboundMessage._meta
    encoded = [
        meta.fields_map[name].to_db_value(value, InboundMessage) for name, value in values.items()
    ]
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join(placeholders(db, len(values)))
    rows = await db.execute_query_dict(  # its rows: the id, or none for a repeat
        f'INSERT INTO "{meta.db_table}" ({columns}) VALUES ({marks}) '
        'ON CONFLICT ("provider", "provider_ref") DO NOTHING RETURNING "id"',
        encoded,
    )
    if not rows:  # the provider's repeat
        found = await InboundMessage.get(
            provider=values["provider"], provider_ref=values["provider_ref"]
        )
        return Received(found, created=False)
    message = InboundMessage(id=int(rows[0]["id"]), **values)
    message._saved_in_db = True
    return Received(message, created=True)


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
    """Store an inbound SMS once and read it at once, as of its receipt (see the module)."""
    stored = await store_sms(provider, provider_ref, sender, text, at, raw, recipient=recipient)
    if not stored.created:
        return stored
    done = await _read([stored.message], stored.message.received_at)
    if done is None:  # a worker read it meanwhile
        return Received(await InboundMessage.get(id=stored.message.id), created=True)
    return Received(stored.message, True, done.replies.get(stored.message.id), done.due)


async def receive_chat(
    person_id: int, chat_id: str, text: str, at: datetime, provider_ref: str
) -> Received:
    """Free text from a linked chat (the bot checked the link and chose the guardian): stored
    once per (``telegram``, ``provider_ref``), read at once like an SMS for that guardian, and
    left in the CPE's queue with channel ``chat``; the bot answers the family itself."""
    person = await Person.get(id=person_id)
    stored = await _store(
        {
            "channel": CHAT,
            "provider": "telegram",
            "provider_ref": provider_ref[:100],
            "sender": str(chat_id)[:254],
            "text": text[:MAX_CHAT_TEXT],
            "received_at": at.astimezone(UTC),
            "status": InboundStatus.RECEIVED,
            "event_ids": [],
            "person_id": person.id,
            "school_id": person.school_id,
        }
    )
    if not stored.created:
        return stored
    done = await _read([stored.message], stored.message.received_at)
    if done is None:
        return Received(await InboundMessage.get(id=stored.message.id), created=True)
    return Received(stored.message, True, None, done.due)


async def read_waiting(limit: int = BATCH) -> Read:
    """Read the oldest replies stored and not read yet, ``limit`` at most."""
    for _ in range(CLAIM_TRIES):
        messages = (
            await InboundMessage.filter(status=InboundStatus.RECEIVED)
            .order_by("received_at", "id")
            .limit(limit)
        )
        if not messages:
            return Read(0, [])
        done = await _read(messages, datetime.now(UTC))
        if done is not None:
            return Read(len(messages), done.due)
    return Read(0, [])  # other workers are reading them: they will


@dataclass
class _Done:
    replies: dict[int, str] = field(default_factory=dict)  # message id → sent back at once
    due: list[Due] = field(default_factory=list)


class _Taken(Exception):
    """Another worker read some of the batch first: this one's reading is dropped."""


async def _read(messages: Sequence[InboundMessage], now: datetime) -> _Done | None:
    """Read ``messages`` (stored, not read yet): what they need is read and each is matched
    outside any transaction, then one short transaction claims them (None when another worker
    read one of them first: nothing is written) and writes what the reading gave."""
    opting = {m.id: opt_intent(m.text) for m in messages if m.channel != CHAT}  # chat: /stop
    asking = {  # chat: /langue
        m.id: keyword_language(m.text)
        for m in messages
        if m.channel != CHAT and opting.get(m.id) is None
    }
    plain = [m for m in messages if opting.get(m.id) is None and asking.get(m.id) is None]
    known = await _Known.load(plain) if plain else None
    if known is not None:
        for message in plain:
            await _apply(message, known, now)
    done = _Done()
    try:
        async with in_transaction():
            if await _claim([m.id for m in messages]) != len(messages):
                raise _Taken
            for message in messages:
                intent = opting.get(message.id)
                if intent is not None:
                    done.replies[message.id] = await _opt(message, stop=intent == Intent.OPT_OUT)
                language = asking.get(message.id)
                if language is not None:
                    done.replies[message.id] = await _language(message, language)
            if known is not None:
                await _store_read(plain)
                for write in known.later:
                    await write()
                done.due.extend(await write_outgoing(known.out, source="inbound", at=now))
    except _Taken:
        return None
    return done


async def _claim(ids: Sequence[int]) -> int:
    """Hold the replies for this transaction: how many are still unread (a concurrent reader
    waits on the rows this one holds, then finds them read)."""
    return await InboundMessage.filter(id__in=list(ids), status=InboundStatus.RECEIVED).update(
        status=InboundStatus.RECEIVED
    )


@dataclass
class _Known:
    """What reading a batch of replies needs, read once for the batch."""

    own: dict[str, int]  # a school's own sender → that school (a sender two schools share: none)
    points: dict[str, dict[int, int]]  # number → {person: usable verified or imported point}
    blocked: set[str]  # numbers with a point that opted out, or is unusable
    recent: dict[str, list[tuple[int, int]]]  # number → (person, student) notified, newest first
    persons: dict[int, Person]
    children: dict[int, list[tuple[int, str]]]  # person → (student, first name), linked
    open_events: dict[int, list[int]]  # student → open absences
    questions: dict[tuple[str, int], ReplyQuestion]  # (number, person) → latest open question
    reasons: dict[int, list[ReasonChoice]]  # school → its active reasons
    schools: dict[int, School]
    thanked: dict[str, list[datetime]]  # number → when it was thanked lately
    batch: dict[int, InboundMessage] = field(default_factory=dict)  # the replies being read
    out: list[Outgoing] = field(default_factory=list)  # the thanks and questions to write
    later: list[Callable[[], Awaitable[object]]] = field(default_factory=list)  # other writes

    @classmethod
    async def load(cls, messages: Sequence[InboundMessage]) -> _Known:
        numbers = sorted({m.sender for m in messages})
        first = min(m.received_at for m in messages)
        own = await _own_senders({m.recipient for m in messages if m.recipient})
        points: dict[str, dict[int, int]] = {}
        blocked: set[str] = set()
        rows = await ContactPoint.filter(_matching(numbers)).values_list(
            "value", "person_id", "id", "usability", "consent"
        )
        for value, person, point, usability, consent in rows:
            if usability == Usability.OK and consent:
                points.setdefault(str(value), {}).setdefault(int(person), int(point))
            else:
                blocked.add(str(value))
        recent = await _recent(numbers, first)
        person_ids = {p for found in points.values() for p in found} | {
            p for found in recent.values() for p, _ in found
        }
        person_ids |= {m.person_id for m in messages if m.person_id is not None}  # a chat's
        persons = {p.id: p for p in await Person.filter(id__in=sorted(person_ids))}
        children: dict[int, list[tuple[int, str]]] = {}
        links = (
            await GuardianLink.filter(person_id__in=sorted(persons), student__active=True)
            .order_by("id")
            .values_list("person_id", "student_id", "student__first_name")
        )
        for person, student, name in links:
            children.setdefault(int(person), []).append((int(student), str(name)))
        students = sorted({s for found in children.values() for s, _ in found})
        school_ids = sorted({p.school_id for p in persons.values()} | set(own.values()))
        return cls(
            own=own,
            points=points,
            blocked=blocked,
            recent=recent,
            persons=persons,
            children=children,
            open_events=await open_absences_by_student(students, first),
            questions=await _questions(numbers, first),
            reasons=await _reasons(school_ids),
            schools={s.id: s for s in await School.filter(id__in=school_ids)},
            thanked=await _thanked(numbers, first),
            batch={m.id: m for m in messages},
        )

    def ranked(self, number: str, own: int | None) -> list[Person]:
        notified = [p for p, _ in self.recent.get(number, [])]
        ids = set(self.points.get(number, {})) | set(notified)
        found = [self.persons[i] for i in ids if i in self.persons]
        return _rank(found, notified, own)

    def children_of(self, person_id: int, number: str) -> list[Child]:
        """The person's children, the one of the latest notice sent to ``number`` first."""
        names = dict(self.children.get(person_id, []))
        notified = [s for p, s in self.recent.get(number, []) if p == person_id]
        ids = dict.fromkeys([*notified, *names])
        return [Child(i, names[i], tuple(self.open_events.get(i, ()))) for i in ids if i in names]


def _rank(persons: Iterable[Person], notified: Sequence[int], own: int | None) -> list[Person]:
    """Those of the school whose own sender was written to first, then by the latest notice."""
    order = {pid: rank for rank, pid in enumerate(dict.fromkeys(notified))}
    return sorted(persons, key=lambda p: (p.school_id != own, order.get(p.id, len(order)), p.id))


async def _apply(message: InboundMessage, known: _Known, now: datetime) -> None:
    """Match and read one reply of the batch (stored with the batch), and plan what to send."""
    own = known.own.get(message.recipient or "")
    chat = message.channel == CHAT
    fixed = known.persons.get(message.person_id or 0) if chat else None
    persons = [fixed] if fixed is not None else known.ranked(message.sender, own)
    if not persons:  # kept with its reading, for whoever attaches it by hand
        message.school_id = own
        _propose(message, read_reply(message.text), known.reasons.get(own or 0, []))
        message.status = InboundStatus.UNMATCHED
        return
    person = persons[0]
    message.person, message.school_id = person, person.school_id
    at = message.received_at
    children = known.children_of(person.id, message.sender)
    reading = read_reply(message.text, children=[c.first_name for c in children])
    _propose(message, reading, known.reasons.get(person.school_id, []))
    message.status = InboundStatus.PENDING
    question = known.questions.get((message.sender, person.id))
    if question is not None and question.asked_at <= at and _question(question).open_at(at):
        chosen = read_choice(message.text, _question(question), children)
        if chosen is not None:
            await _answered(message, question, chosen, reading, person, known, now)
            return
    decision = decide(message.text, children, None, at)
    if (
        isinstance(decision, Ask)
        and not chat  # a chat asks with its buttons (/justifier)
        and message.sender not in known.blocked
        and now - at <= ANSWER_WITHIN
    ):
        message.student_id, message.event_ids = None, []
        asked = ReplyQuestion(
            school_id=person.school_id,
            person=person,
            message=message,
            sender=message.sender,
            choices=[c.student_id for c in decision.choices],
            asked_at=at,
        )
        known.questions[(message.sender, person.id)] = asked
        known.later.append(asked.save)
        text = _asking(person.language, decision.choices)
        student = decision.choices[0].student_id
        _send(NoticeKind.ANSWER, message, person, student, known, now, text)
        return
    if isinstance(decision, Attach):
        message.student_id, message.event_ids = decision.student_id, list(decision.event_ids)
    else:  # no open absence: the child of the latest notice, for the CPE to see
        message.student_id, message.event_ids = (children[0].student_id if children else None), []
    _thanks(message, person, known, now)


async def _answered(
    message: InboundMessage,
    question: ReplyQuestion,
    chosen: Child,
    reading: Reading,
    person: Person,
    known: _Known,
    now: datetime,
) -> None:
    """The family's answer to the question: the reply that raised it is about ``chosen``; the
    answer itself waits for the CPE only if it gives a reason of its own."""
    at = message.received_at
    asked = known.batch.get(question.message_id)
    if asked is None:

        async def attach_asked() -> None:
            await InboundMessage.filter(
                id=question.message_id, status=InboundStatus.PENDING, student_id__isnull=True
            ).update(student_id=chosen.student_id, event_ids=list(chosen.open_events))

        known.later.append(attach_asked)
    elif asked.status == InboundStatus.PENDING and asked.student_id is None:
        asked.student_id, asked.event_ids = chosen.student_id, list(chosen.open_events)
    question.answered_at = at
    if question.pk is not None:  # asked before this batch (else saved with it, answered)
        known.later.append(lambda: question.save(update_fields=["answered_at"]))
    del known.questions[(message.sender, person.id)]
    message.student_id, message.event_ids = chosen.student_id, list(chosen.open_events)
    if reading.intent != Intent.REASON:
        message.status = InboundStatus.ACKNOWLEDGED
    _thanks(message, person, known, now)


async def _store_read(messages: Sequence[InboundMessage]) -> None:
    """What reading gave the replies, in one statement (``executemany``)."""
    events = InboundMessage._meta.fields_map["event_ids"]
    await update_rows(
        InboundMessage,
        READ_FIELDS,
        [
            [
                m.school_id,
                m.person_id,
                m.student_id,
                events.to_db_value(m.event_ids, InboundMessage),
                str(m.status),
                m.proposed_reason_id,
                m.proposed_generic,
                m.confidence,
                m.acknowledged_at.astimezone(UTC) if m.acknowledged_at else None,
                m.id,
            ]
            for m in messages
        ],
    )


def _asking(language: str | None, choices: Sequence[Child]) -> str:
    said = words(language)
    options = ", ".join(
        said.gettext(CHOICE).format(number=n, name=c.first_name)
        for n, c in enumerate(choices, start=1)
    )
    return said.gettext(QUESTION).format(choices=options)


def _question(row: ReplyQuestion) -> Question:
    return Question(tuple(int(i) for i in row.choices), row.asked_at)


def _thanks(message: InboundMessage, person: Person, known: _Known, now: datetime) -> None:
    """The acknowledgement: once a day to a number, never to an auto-responder nor to a
    number that opted out; sent as the school's ``thanks`` SMS (a chat is answered by the bot
    itself)."""
    if message.student_id is None or message.sender in known.blocked or message.channel == CHAT:
        return
    if now - message.received_at > ANSWER_WITHIN:
        return
    school = known.schools[person.school_id]
    tz = ZoneInfo(school.timezone)
    at = message.received_at
    since = day_start(at.astimezone(tz).date(), tz)
    thanked = [t for t in known.thanked.get(message.sender, []) if since <= t <= at]
    if not may_acknowledge(
        message.text,
        acknowledged_today=bool(thanked),
        acknowledgements_to_number_today=len(thanked),
    ):
        return
    message.acknowledged_at = at
    known.thanked.setdefault(message.sender, []).append(at)
    _send(NoticeKind.THANKS, message, person, message.student_id, known, now)


def _send(
    kind: NoticeKind,
    message: InboundMessage,
    person: Person,
    student_id: int,
    known: _Known,
    now: datetime,
    text: str | None = None,
) -> None:
    """Plan a notice of ``kind`` about ``student_id`` answering ``message`` by SMS, leaving at
    once (the family just wrote): the thanks, or a question (``text``)."""
    payload: dict[str, object] = {"inbound_id": message.id}
    if text is not None:
        payload |= {"text": text, "author": AUTHOR}
    notice = Notice(
        school_id=person.school_id,
        student_id=student_id,
        kind=kind,
        dedupe_key=f"{kind}:{message.id}",
        payload=payload,
    )
    point = known.points.get(message.sender, {}).get(person.id, NO_CONTACT_ROW)
    planned = PlannedDelivery(person.id, point, "sms", message.sender)
    known.out.append(Outgoing(notice, planned, person.language, now))


def _propose(message: InboundMessage, reading: Reading, reasons: Sequence[ReasonChoice]) -> None:
    """What the reply was read as, and the school's reason under it (for the CPE)."""
    if reading.intent != Intent.REASON:
        return
    message.proposed_generic, message.confidence = reading.generic, reading.confidence
    chosen = school_reason(reading, reasons) if reasons else None
    message.proposed_reason_id = chosen.id if chosen is not None else None


async def propose(message: InboundMessage, reading: Reading, school_id: int | None) -> None:
    """:func:`_propose` with the school's reasons read for it."""
    reasons = await _reasons([school_id]) if school_id is not None else {}
    _propose(message, reading, reasons.get(school_id or 0, []))


async def _reasons(school_ids: Sequence[int]) -> dict[int, list[ReasonChoice]]:
    rows = await Reason.filter(school_id__in=list(school_ids), active=True).values_list(
        "id", "school_id", "generic__code", "code", "parents_may_choose", "for_absence"
    )
    found: dict[int, list[ReasonChoice]] = {}
    for reason, school, generic, code, parents, absence in rows:
        choice = ReasonChoice(int(reason), str(generic), str(code), bool(parents), bool(absence))
        found.setdefault(int(school), []).append(choice)
    return found


async def _own_senders(recipients: set[str]) -> dict[str, int]:
    """The schools whose own SMS sender these are (a sender two schools share names none)."""
    if not recipients:
        return {}
    rows = await School.filter(sms_sender__in=sorted(recipients)).values_list("sms_sender", "id")
    shared = Counter(str(sender) for sender, _ in rows)
    return {str(s): int(i) for s, i in rows if shared[str(s)] == 1}


def _matching(numbers: Sequence[str]) -> Q:
    """The mobile points at these numbers that were verified or imported."""
    return Q(kind=ContactKind.MOBILE, value__in=list(numbers)) & (
        Q(verified=True) | Q(siecle_field__isnull=False)
    )


async def _recent(numbers: Sequence[str], since: datetime) -> dict[str, list[tuple[int, int]]]:
    """(person, student) of the notices sent to each number lately, newest first."""
    rows = (
        await Delivery.filter(
            to__in=list(numbers),
            person_id__isnull=False,
            status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
            sent_at__gte=(since - RECENT_NOTICE).astimezone(UTC),  # SQLite compares text
        )
        .order_by("-sent_at", "-id")
        .values_list("to", "person_id", "notice__student_id")
    )
    found: dict[str, list[tuple[int, int]]] = {}
    for number, person, student in rows:
        found.setdefault(str(number), []).append((int(person), int(student)))
    return found


async def _questions(
    numbers: Sequence[str], since: datetime
) -> dict[tuple[str, int], ReplyQuestion]:
    rows = await ReplyQuestion.filter(
        sender__in=list(numbers),
        answered_at__isnull=True,
        asked_at__gt=(since - QUESTION_LIFETIME).astimezone(UTC),
    ).order_by("asked_at", "id")
    return {(row.sender, row.person_id): row for row in rows}  # the latest wins


async def _thanked(numbers: Sequence[str], since: datetime) -> dict[str, list[datetime]]:
    rows = await InboundMessage.filter(
        sender__in=list(numbers), acknowledged_at__gte=(since - timedelta(days=1)).astimezone(UTC)
    ).values_list("sender", "acknowledged_at")
    found: dict[str, list[datetime]] = {}
    for number, at in rows:
        found.setdefault(str(number), []).append(cast("datetime", at))
    return found


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


@dataclass(frozen=True, slots=True)
class _Senders:
    """Who a reply's number is: its usable points, the persons it belongs to (ranked, see
    :func:`_rank`) and the (person, student) of the notices lately sent to it, latest first."""

    points: list[ContactPoint]
    ranked: list[Person]
    recent: list[tuple[int, int]]


async def _senders(message: InboundMessage) -> _Senders:
    """Who sent the reply; the message's school and person set from them (else the school of
    its own sender)."""
    number = message.sender
    own = (await _own_senders({message.recipient} if message.recipient else set())).get(
        message.recipient or ""
    )
    points = await ContactPoint.filter(_matching([number])).prefetch_related("person")
    recent = (await _recent([number], message.received_at)).get(number, [])
    notified = [p for p, _ in recent]
    persons = {p.person_id: p.person for p in points}
    persons |= {p.id: p for p in await Person.filter(id__in=set(notified) - set(persons))}
    ranked = _rank(persons.values(), notified, own)
    message.school_id = ranked[0].school_id if ranked else own
    message.person = ranked[0] if ranked else None
    return _Senders(points, ranked, recent)


async def _opt(message: InboundMessage, *, stop: bool) -> str:
    """STOP (or its variants) alone: the number's points stop receiving SMS and calls; START:
    they receive them again. Audited; the confirmation is the answer."""
    found = await _senders(message)
    points, ranked = found.points, found.ranked
    message.status = InboundStatus.OPT_OUT if stop else InboundStatus.ACKNOWLEDGED
    await message.save()
    reply = words(ranked[0].language if ranked else None).gettext(CONFIRMATION if stop else RESUMED)
    after = Usability.OPTED_OUT if stop else Usability.OK
    for point in points:
        if (point.usability == Usability.OPTED_OUT) != (not stop):
            continue  # already as asked
        was = audit.snapshot(point, ("usability", "usability_note"))
        point.usability, point.usability_note = after, "STOP reply" if stop else "START reply"
        point.usability_changed_at = message.received_at
        await point.save(update_fields=["usability", "usability_note", "usability_changed_at"])
        await audit.record(
            ACTOR,
            "contact_point.opt_out" if stop else "contact_point.opt_in",
            point,
            school_id=point.person.school_id,
            before=was,
            after={**audit.snapshot(point, ("usability", "usability_note")), "confirmation": reply},
        )
    return reply


async def _language(message: InboundMessage, code: str) -> str:
    """ "LANGUE EN" alone: the number's guardians get their notices in that language from now on
    (each whose school writes in it), audited (``by``: ``sms``); the reply stays in the
    conversation (of the child of the latest notice to that number, else of the guardian's only
    child), acknowledged. The answer: a confirmation in the new language, or the languages the
    school offers."""
    found = await _senders(message)
    ranked = found.ranked
    message.status = InboundStatus.ACKNOWLEDGED if ranked else InboundStatus.UNMATCHED
    if ranked:
        message.student_id = await _child_of(ranked[0].id, found.recent)
    await message.save()
    if not ranked:
        return words(None).gettext(UNKNOWN_NUMBER)
    done = False
    for person in ranked:
        if code and code in await school_languages(person.school_id):
            await apply_preferences(person, ACTOR, language=code, by="sms", ref=message.id)
            done = True
    if done:
        return words(code).gettext(LANGUAGE_SET).format(language=language_name(code))
    offered = await school_languages(ranked[0].school_id)
    codes = ", ".join(f"{c.upper()} ({language_name(c)})" for c in offered)
    return words(ranked[0].language).gettext(LANGUAGE_UNKNOWN).format(codes=codes)


async def _child_of(person_id: int, recent: Sequence[tuple[int, int]]) -> int | None:
    """The child a reply without a reason is filed under: the one of the latest notice sent to
    the person at that number, else their only child (None: several and no notice)."""
    for person, student in recent:
        if person == person_id:
            return student
    children = await GuardianLink.filter(person_id=person_id).values_list("student_id", flat=True)
    return cast("int", children[0]) if len(children) == 1 else None
