"""Convoking a student's family to a meeting (the CPE, the direction, the admin)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from core.bounds import AwareMoment
from core.models import Delivery
from core.rules.permissions import Permission
from core.services.notices.convocations import MAX_MESSAGE, MAX_PLACE, MAX_WITH, convoke_family
from core.services.schools.school import now_utc
from web.api import queries
from web.api.notices import NoticeOut
from web.api.registry import Call, Route
from web.keys import QUEUE
from workers.queue import enqueue_deliveries

CONVOCATIONS = "/schools/{uai}/students/{id}/convocations"


class NewConvocation(BaseModel):
    """A meeting the family is convoked to; the time carries its offset."""

    model_config = ConfigDict(extra="forbid")

    meeting_at: AwareMoment = Field(description="when, within the coming year")
    place: str = Field(min_length=1, max_length=MAX_PLACE, examples=["bureau de la CPE"])
    with_whom: str = Field(min_length=1, max_length=MAX_WITH, examples=["Mme Lefèvre, CPE"])
    message: str = Field(default="", max_length=MAX_MESSAGE, description="added to the notice")


class ConvocationOut(NoticeOut):
    """The convocation: a notice (kind ``convocation``) with its deliveries and the meeting."""

    meeting_at: datetime = Field(description="in the school's time zone")
    place: str
    with_whom: str
    message: str


async def convoke(call: Call) -> ConvocationOut:
    """Convoke the student's family; its deliveries leave at once (SMS and calls after the
    quiet hours)."""
    new = call.body_as(NewConvocation)
    (await call.scope()).check(call.path_id())
    done = await convoke_family(
        call.school,
        call.actor,
        call.path_id(),
        meeting_at=new.meeting_at,
        place=new.place,
        with_whom=new.with_whom,
        message=new.message,
        now=now_utc(),
    )
    jobs = [(d.delivery_id, d.not_before) for d in done.due]
    await enqueue_deliveries(call.request.config_dict[QUEUE], jobs)
    notice = done.notice
    deliveries = await Delivery.filter(notice_id=notice.id).order_by("id")
    tz = queries.school_zone(call.school)
    shown = NoticeOut.of(notice, deliveries, tz)
    payload = notice.payload
    return ConvocationOut(
        **shown.model_dump(),
        meeting_at=datetime.fromisoformat(str(payload["meeting_at"])).astimezone(tz),
        place=str(payload["place"]),
        with_whom=str(payload["with_whom"]),
        message=str(payload["message"]),
    )


ROUTES = [
    Route(
        "POST",
        CONVOCATIONS,
        convoke,
        summary="Convoke the student's family to a meeting",
        permission=Permission.CONVOKE,
        response=ConvocationOut,
        status=201,
        body=NewConvocation,
        tag="notices",
        description="Writes a notice of kind `convocation` to the guardians the notice rules "
        "choose, each on the first channel of their plan, and sends it at once (never by SMS "
        "or call during the quiet hours). 409 when the family is already convoked at that "
        "time; 422 when nobody can be reached.",
    ),
]
