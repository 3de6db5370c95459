"""Replies from families (SMS, chat, keypad): what each was matched to and proposes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.bounds import WINDOW, AwareMoment, Id
from core.models import InboundMessage, InboundStatus
from core.queries.inbound import InboundView, inbound_page
from core.rules.permissions import Permission
from core.services.notices.replies import (
    MAX_EVENTS,
    accept_reply,
    attach_reply,
    close_reply,
    reject_reply,
)
from web.api.registry import Call, Route
from web.api.schemas import PageQuery
from web.keys import QUEUE
from workers.queue import enqueue_scheduled

INBOUND = "/schools/{uai}/inbound"
ACCEPT = INBOUND + "/{id}/accept"
REJECT = INBOUND + "/{id}/reject"
ATTACH = INBOUND + "/{id}/attach"
CLOSE = INBOUND + "/{id}/close"


class InboundQuery(PageQuery):
    """Filters of the replies list."""

    status: InboundStatus | None = Field(
        default=None,
        description="pending, accepted, rejected, unmatched, opt_out or acknowledged",
    )
    since: AwareMoment | None = Field(
        default=None,
        description="received at or after this moment (ISO 8601 with its offset, e.g. "
        "2026-03-02T08:00:00Z; encode a + as %2B), within " + WINDOW,
    )
    student: Id | None = Field(default=None, description="about this student")


class InboundOut(BaseModel):
    """A message from a family, with what it was matched to; times in the school's zone."""

    id: int
    channel: str = Field(description="sms, chat or call")
    from_: str = Field(alias="from", description="the sender: a number in E.164, or a chat")
    text: str
    received_at: datetime
    guardian_id: int | None = Field(description="the guardian the sender was matched to")
    guardian_name: str | None
    student_id: int | None = Field(description="the student the reply is taken to be about")
    student_name: str | None
    event_ids: list[int] = Field(description="the student's open absences it may justify")
    proposed_reason: str | None = Field(
        description="the national generic reason the reply was read as (MALADIE, TRANSPORT…)"
    )
    reason_code: str | None = Field(
        description="the school's own reason under it, proposed to the CPE"
    )
    confidence: float | None = Field(
        description="how sure the reading is, 0 to 1 (null: no reason read)", ge=0, le=1
    )
    status: InboundStatus = Field(
        description="pending (to decide), accepted, rejected, unmatched (no guardian has this "
        "number), opt_out (a STOP reply), acknowledged (a key 1 during a call: nothing to "
        "decide)"
    )
    handled_at: datetime | None = Field(description="when staff accepted or rejected it")
    keypad: Literal["acknowledged", "callback"] | None = Field(
        default=None,
        description="a key pressed during a call (channel call): acknowledged (1, the family "
        "knows; status acknowledged) or callback (2, asks to be called back; status pending)",
    )

    @classmethod
    def of(cls, view: InboundView) -> InboundOut:
        return cls.model_validate(
            {
                "id": view.id,
                "channel": view.channel,
                "from": view.sender,
                "text": view.text,
                "received_at": view.received_at,
                "guardian_id": view.guardian_id,
                "guardian_name": view.guardian,
                "student_id": view.student_id,
                "student_name": view.student,
                "event_ids": view.event_ids,
                "proposed_reason": view.proposed_reason,
                "reason_code": view.reason_code,
                "confidence": view.confidence,
                "status": InboundStatus(view.status),
                "handled_at": view.handled_at,
                "keypad": view.keypad,
            }
        )


class InboundPage(BaseModel):
    """A page of replies from families."""

    items: list[InboundOut]
    total: int = Field(description="how many match, over all pages")


async def list_inbound(call: Call) -> InboundPage:
    """The school's replies from families, newest first."""
    query = call.query_as(InboundQuery)
    page = await inbound_page(
        call.school,
        status=query.status,
        since=query.since,
        student=query.student,
        limit=query.limit,
        offset=query.offset,
        scope=await call.scope(),
    )
    return InboundPage(items=[InboundOut.of(v) for v in page.items], total=page.total)


class Acceptance(BaseModel):
    """Accepting a reply: the reason the family gives, if not the one proposed."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(
        default=None,
        max_length=30,
        description="a reason code of the school or a national generic code; absent: the "
        "reason the reply was read as",
    )


class DecisionOut(BaseModel):
    """A reply once decided."""

    id: int
    status: InboundStatus
    reason_id: int | None = Field(description="the reason its absences got (accepted)")
    event_ids: list[int] = Field(description="the absences it was about")


def _decided(message: InboundMessage) -> DecisionOut:
    return DecisionOut(
        id=message.id,
        status=InboundStatus(message.status),
        reason_id=message.proposed_reason_id,
        event_ids=[int(i) for i in message.event_ids or []],
    )


async def accept(call: Call) -> DecisionOut:
    """Accept a pending reply: its absences get the reason and "Parole de la famille"."""
    body = call.body_as(Acceptance)
    done = await accept_reply(call.school, call.actor, call.path_id(), reason=body.reason)
    await enqueue_scheduled(call.request.config_dict[QUEUE], done.due)
    return _decided(done.message)


class Attachment(BaseModel):
    """What a reply is about, chosen by staff: a guardian, one of their children, absences."""

    model_config = ConfigDict(extra="forbid")

    guardian_id: Id | None = Field(
        default=None,
        description="the guardian who wrote (a reply from an unknown number: the number is "
        "then verified for them); absent: the one it was matched to",
    )
    student_id: Id | None = Field(
        default=None, description="one of the guardian's children; absent: the one it is about"
    )
    event_ids: list[Id] | None = Field(
        default=None,
        max_length=MAX_EVENTS,
        description="absences of that child; absent: the child's open absences",
    )


async def attach(call: Call) -> DecisionOut:
    """Attach a reply to a guardian, a child and absences; it waits for the decision."""
    body = call.body_as(Attachment)
    message = await attach_reply(
        call.school,
        call.actor,
        call.path_id(),
        guardian_id=body.guardian_id,
        student_id=body.student_id,
        event_ids=body.event_ids,
    )
    return _decided(message)


async def reject(call: Call) -> DecisionOut:
    """Reject a pending reply: its absences stay as they are."""
    return _decided(await reject_reply(call.school, call.actor, call.path_id()))


async def close(call: Call) -> DecisionOut:
    """File a pending reply that asks for no decision (a call back done, thanks only)."""
    return _decided(await close_reply(call.school, call.actor, call.path_id()))


ROUTES = [
    Route(
        "GET",
        INBOUND,
        list_inbound,
        summary="List the replies from families and what each was matched to",
        permission=Permission.DECIDE,
        response=InboundPage,
        query=InboundQuery,
        tag="inbound",
        description="Newest first. Each reply (an SMS, a chat message, a key pressed during a "
        "call) is matched by its sender to a guardian, then to a student and their open "
        "absences; staff accept or reject the justification it proposes. A reply from a number "
        "no guardian has is listed as unmatched by the school whose own SMS sender it was "
        "sent to (else by none: the install's operators give it to a school). For the roles "
        "that decide on justifications (CPE, vie scolaire, admin).",
    ),
    Route(
        "POST",
        ACCEPT,
        accept,
        summary="Accept a family's reply",
        permission=Permission.DECIDE,
        response=DecisionOut,
        body=Acceptance,
        tag="inbound",
        description="The reply's open absences get the reason (the one it was read as, or "
        "`reason`), the justification type PAROLE_FAMILLE and the states the reason's flags "
        "say; audited. 409 when the reply was already decided, 422 when no reason was read "
        "nor given, 404 for another school's reply.",
    ),
    Route(
        "POST",
        REJECT,
        reject,
        summary="Reject a family's reply",
        permission=Permission.DECIDE,
        response=DecisionOut,
        tag="inbound",
        description="The reply is rejected and its absences stay as they are; audited. 409 "
        "when it was already decided.",
    ),
    Route(
        "POST",
        CLOSE,
        close,
        summary="File a family's reply that asks for no decision",
        permission=Permission.DECIDE,
        response=DecisionOut,
        tag="inbound",
        description="A pending reply that justifies nothing (the family asked to be called "
        "back and was, or only says thanks) leaves the queue as `acknowledged`; its absences "
        "stay as they are; audited. 409 when it was already decided.",
    ),
    Route(
        "POST",
        ATTACH,
        attach,
        summary="Attach a family's reply to a guardian, a child and absences",
        permission=Permission.DECIDE,
        response=DecisionOut,
        body=Attachment,
        tag="inbound",
        description="For a reply not decided yet (pending, or unmatched: from a number no "
        "guardian has): the guardian who wrote (their number is then verified), one of their "
        "children, some of that child's absences. The reply then waits for the decision "
        "(pending); audited. 422 for a child not theirs or an absence not the child's, 404 for "
        "another school's reply or guardian, 409 when it was already decided.",
    ),
]
