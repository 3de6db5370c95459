"""Answering a family's reply by SMS (the roles that decide on justifications)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from core.queries.common import zone
from core.rules.permissions import Permission
from core.services.notices.answers import MAX_TEXT, answer_reply
from web.api.inbound import INBOUND
from web.api.registry import Call, Route
from web.keys import QUEUE
from workers.queue import enqueue_scheduled

ANSWER = INBOUND + "/{id}/answer"


class NewAnswer(BaseModel):
    """The SMS a staff member sends in answer to a reply."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        description="the answer; the school's name is added as signature (its `answer` "
        "SMS template)",
        examples=["Bien reçu, merci. Pensez au mot d'excuse au retour de Léa."],
    )


class AnswerOut(BaseModel):
    """The answer written: a notice of kind `answer` and its SMS delivery."""

    notice_id: int
    delivery_id: int
    to: str = Field(description="the number the reply came from")
    status: str = Field(description="scheduled: the worker sends it")
    not_before: datetime = Field(
        description="when it leaves: at once, or at the end of the quiet hours (school's zone)"
    )


async def answer(call: Call) -> AnswerOut:
    """Answer a reply by SMS; it leaves at once (after the quiet hours)."""
    body = call.body_as(NewAnswer)
    done = await answer_reply(call.actor, call.school, call.path_id(), body.text)
    await enqueue_scheduled(call.request.config_dict[QUEUE], done.due)
    return AnswerOut(
        notice_id=done.notice.id,
        delivery_id=done.delivery_id,
        to=done.to,
        status="scheduled",
        not_before=done.not_before.astimezone(zone(call.school)),
    )


ROUTES = [
    Route(
        "POST",
        ANSWER,
        answer,
        summary="Answer a family's reply by SMS",
        permission=Permission.DECIDE,
        response=AnswerOut,
        status=201,
        body=NewAnswer,
        tag="inbound",
        description="Writes a notice of kind `answer` about the reply's student with one SMS "
        "to the number the reply came from (the guardian's language, the school's `answer` "
        "template: the text signed with the school's name), sent like any notice and never "
        "during the quiet hours; audited. A reply may be answered whatever its status. 404 "
        "for another school's reply; 409 `opted_out` when that number sends STOP or is "
        "unusable; 422 `no_family` (matched to no guardian or student), `not_a_number` (a "
        "chat), `landline`, `empty` or `too_long` (at most 480 characters).",
    ),
]
