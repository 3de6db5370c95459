"""The API's own pydantic models: they validate requests, shape responses and make the OpenAPI.

Request bodies that core already validates (``EventPatch``, ``SchoolSettingsPatch``) and the
settings as read (``SchoolSettings``) are core's models, used as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.bounds import WINDOW, AwareMoment, Day, Id, Offset, column_length
from core.models import (
    ContactKind,
    ContactPoint,
    Division,
    Event,
    EventSource,
    GuardianLink,
    Reason,
    Student,
)
from core.models import Usability as ContactUsability
from core.rules.counting import EventKind
from core.rules.visibility import EVERYTHING, Visibility


class ErrorDetail(BaseModel):
    """What went wrong: a stable code and a message fit for the user."""

    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["no student 12 in school 0751234X"])


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    error: ErrorDetail


# --- query parameters -------------------------------------------------------------------------


class PageQuery(BaseModel):
    """Paging of every list: ``limit`` (1–500, default 50) items from ``offset``."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500, description="at most this many items")
    offset: Offset = Field(default=0, description="skip this many items first")


class StudentQuery(PageQuery):
    """Filters of the students list."""

    division: str | None = Field(
        default=None, max_length=column_length(Division, "code"), description="a division code"
    )
    q: str | None = Field(
        default=None,
        max_length=100,
        description="start of the last or first name (case-insensitive; several words narrow)",
    )
    active: bool | None = Field(default=None, description="only active (or inactive) students")


class EventQuery(PageQuery):
    """Filters of the events list; ``from``/``to`` are days in the school's time zone."""

    student: Id | None = Field(default=None, description="a student id")
    division: str | None = Field(
        default=None, max_length=column_length(Division, "code"), description="a division code"
    )
    from_: Day | None = Field(
        default=None, alias="from", description=f"events still going on from this day ({WINDOW})"
    )
    to: Day | None = Field(
        default=None, description=f"events begun by the end of this day ({WINDOW})"
    )
    kind: EventKind | None = None
    deleted: bool = Field(default=False, description="include events entered by mistake")

    @model_validator(mode="after")
    def _ordered(self) -> EventQuery:
        if self.from_ is not None and self.to is not None and self.to < self.from_:
            raise ValueError("to must not come before from")
        return self


# --- request bodies ---------------------------------------------------------------------------


class NewEvent(BaseModel):
    """An absence or a lateness to record; times carry their offset."""

    model_config = ConfigDict(extra="forbid")

    student_id: Id
    kind: Literal["absence", "lateness"]
    start: AwareMoment
    end: AwareMoment | None = Field(
        default=None, description="none: open-ended (an absence) or instantaneous (a lateness)"
    )
    reason: str | None = Field(
        default=None,
        max_length=column_length(Reason, "code"),
        description="code of a local or national reason, e.g. MALADIE",
    )
    comment: str = Field(default="", max_length=2000)


# --- responses --------------------------------------------------------------------------------


class GuardianOut(BaseModel):
    """A person linked to the student, with how to reach them."""

    id: int
    siecle_id: str | None
    name: str
    level: int = Field(description="1 legal representative, 2 in charge, 3 contact")
    relationship: str = Field(description="SIECLE CODE_PARENTE")
    mobile: str | None = Field(description="first usable mobile number, E.164")
    email: str | None = Field(description="first usable email address")
    sms_ok: bool = Field(description="that mobile exists and the family consents to SMS")

    @classmethod
    def of(cls, link: GuardianLink) -> GuardianOut:
        """From a link whose person and its contacts were loaded."""
        person = link.person
        contacts = sorted(person.contacts, key=lambda c: (not c.consent, c.priority, c.id))
        mobile = _first(contacts, ContactKind.MOBILE)
        email = _first(contacts, ContactKind.EMAIL)
        return cls(
            id=person.id,
            siecle_id=person.siecle_id,
            name=person.display_name,
            level=int(link.level),
            relationship=link.relationship,
            mobile=mobile.value if mobile else None,
            email=email.value if email else None,
            sms_ok=mobile is not None and mobile.usable,
        )


def _first(contacts: list[ContactPoint], kind: ContactKind) -> ContactPoint | None:
    """The first contact point of ``kind`` still usable (a number not known wrong, not bounced)."""
    for contact in contacts:
        if contact.kind == kind and contact.usability == ContactUsability.OK:
            return contact
    return None


class StudentOut(BaseModel):
    """A student with their division, groups and guardians (in the order they are called)."""

    id: int
    siecle_id: str | None
    ine: str | None
    last_name: str
    first_name: str
    division: str | None = Field(description="the division's code")
    groups: list[str] = Field(description="codes of the teaching groups")
    active: bool
    guardians: list[GuardianOut]

    @classmethod
    def of(cls, student: Student, links: list[GuardianLink]) -> StudentOut:
        """From a student whose division and groups were loaded, and their guardian links."""
        division = student.division
        ordered = sorted(links, key=lambda link: (link.priority, int(link.level), link.id))
        return cls(
            id=student.id,
            siecle_id=student.siecle_id,
            ine=student.ine,
            last_name=student.last_name,
            first_name=student.first_name,
            division=division.code if division is not None else None,
            groups=sorted(group.code for group in student.groups),
            active=student.active,
            guardians=[GuardianOut.of(link) for link in ordered],
        )


class StudentPage(BaseModel):
    """A page of students."""

    items: list[StudentOut]
    total: int = Field(description="how many match, over all pages")


class EventOut(BaseModel):
    """An event with its four states; times in the school's time zone."""

    id: int
    student_id: int
    kind: EventKind
    start: datetime
    end: datetime | None
    reason: str | None = Field(
        description="code of the reason, none if not given (for a teacher, unless the school "
        "lets teachers see reasons: the code of its national generic reason)"
    )
    accepted: bool | None = Field(description="justified (true), not (false), undecided (null)")
    settled: bool = Field(description="the written justification was received")
    justification: str | None = Field(
        description="code of the justification type (never shown to a teacher)"
    )
    counts: bool = Field(description="counts toward attendance and the thresholds")
    comment: str = Field(description="empty for a teacher")
    source: EventSource
    recorded_by: str | None = Field(description="email of the staff member who recorded it")
    recorded_at: datetime
    deleted: bool = Field(description="marked as entered by mistake (kept in history)")
    version: int = Field(description="give it back in a PATCH to refuse a concurrent change")

    @classmethod
    def of(cls, event: Event, tz: ZoneInfo, view: Visibility = EVERYTHING) -> EventOut:
        """From an event whose reason (and its generic one), justification and recorder were
        loaded, as much of it as ``view`` shows."""
        reason, justification, recorder = event.reason, event.justification, event.recorded_by
        return cls(
            id=event.id,
            student_id=event.student_id,
            kind=EventKind(event.kind),
            start=event.starts_at.astimezone(tz),
            end=event.ends_at.astimezone(tz) if event.ends_at else None,
            reason=view.reason_of(reason.code, reason.generic.code) if reason else None,
            accepted=event.accepted,
            settled=event.settled,
            justification=view.justification(justification.code) or None
            if justification is not None
            else None,
            counts=event.counts,
            comment=view.comment(event.comment),
            source=EventSource(event.source),
            recorded_by=recorder.email if recorder is not None else None,
            recorded_at=event.recorded_at.astimezone(tz),
            deleted=event.deleted,
            version=event.version,
        )


class EventPage(BaseModel):
    """A page of events."""

    items: list[EventOut]
    total: int = Field(description="how many match, over all pages")
