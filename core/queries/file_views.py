"""The plain values a student's file (R131-6) is made of: all times in the school's zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from core.rules.counting import AlertLevel


@dataclass(frozen=True)
class StudentView:
    id: int
    name: str
    division: str
    groups: list[str]
    birth_date: date | None
    ine: str
    siecle_id: str
    regime: str
    active: bool
    left_on: date | None


@dataclass(frozen=True)
class FileEvent:
    """An event of the year; one entered by mistake stays, flagged ``deleted``."""

    id: int
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    reason: str
    colour: str
    justification: str
    accepted: bool | None
    settled: bool
    counts: bool
    comment: str
    source: str
    recorded_by: str
    recorded_at: datetime
    deleted: bool
    deleted_by: str
    deleted_at: datetime | None
    notices: int


@dataclass(frozen=True)
class HalfDays:
    """Half-days missed (absences whose reason counts), raw and complete; lateness events."""

    raw: float = 0
    raw_unjustified: float = 0
    complete: float = 0
    complete_unjustified: float = 0
    lateness: int = 0


@dataclass(frozen=True)
class MonthCount:
    """One calendar month; ``official`` is the unjustified count in the school's own mode."""

    year: int
    month: int
    half_days: HalfDays
    official: float
    alert: AlertLevel


@dataclass(frozen=True)
class Counts:
    months: list[MonthCount]
    total: HalfDays
    mode: str
    threshold: int
    persistent: int


@dataclass(frozen=True)
class ContactView:
    kind: str
    value: str
    label: str
    consent: bool
    usability: str
    note: str
    usable: bool


@dataclass(frozen=True)
class ChatView:
    """A chat (Telegram) linked to a guardian: active ones, and those that ended."""

    id: int
    platform: str
    linked_at: datetime | None
    active: bool
    ended_reason: str | None  # stop (the family), staff, blocked (the bot was blocked)
    ended_at: datetime | None


@dataclass(frozen=True)
class GuardianView:
    id: int  # the person's
    name: str
    level: int
    relationship: str
    pays_fees: bool
    receives_notices: bool
    priority: int
    language: str
    contacts: list[ContactView]
    chats: list[ChatView] = field(default_factory=list)
    preferred_channel: str | None = None
    channel_order: list[str] = field(default_factory=list)  # theirs first, then the school's


@dataclass(frozen=True)
class DeliveryView:
    channel: str
    to: str
    recipient: str
    status: str
    attempts: int
    not_before: datetime | None
    sent_at: datetime | None
    final_at: datetime | None
    error: str


@dataclass(frozen=True)
class NoticeView:
    id: int
    kind: str
    status: str
    created_at: datetime
    event_id: int | None
    deliveries: list[DeliveryView]


@dataclass(frozen=True)
class ReplyView:
    id: int
    channel: str
    sender: str
    person: str
    text: str
    received_at: datetime
    status: str
    event_ids: list[int]


@dataclass(frozen=True)
class TalkView:
    """One message of the family's conversation with the school: a reply (``in``), or what the
    school wrote back (``out``: a staff member's answer, its thanks, its question)."""

    at: datetime
    direction: str  # in, out
    kind: str  # "reply", or the notice's kind: answer, thanks
    channel: str
    who: str  # in: the guardian (else the number); out: the number written to
    text: str  # a reply's or an answer's words (a thanks is its template's)
    status: str  # the reply's, or the delivery's
    author: str = ""  # out: who wrote the answer
    keypad: str | None = None  # in: a key pressed during a call (acknowledged, callback)


@dataclass(frozen=True)
class ActionView:
    id: int
    type_code: str
    type_label: str
    done_at: datetime
    done_by: str
    comment: str
    event_id: int | None


@dataclass(frozen=True)
class StudentFile:
    """Everything R131-6 asks for, for one student and one school year."""

    student: StudentView
    start_year: int
    starts_on: date
    ends_on: date
    events: list[FileEvent]
    counts: Counts
    guardians: list[GuardianView] = field(default_factory=list)
    notices: list[NoticeView] = field(default_factory=list)
    replies: list[ReplyView] = field(default_factory=list)
    conversation: list[TalkView] = field(default_factory=list)  # replies and what answered them
    actions: list[ActionView] = field(default_factory=list)
