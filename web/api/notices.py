"""Notices to families and their deliveries: who was told, by which channel, with what result."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from core.bounds import Id
from core.models import Delivery, DeliveryStatus, Notice, NoticeKind, NoticeStatus
from core.queries import lists
from core.queries.common import zone
from core.rules.permissions import Permission
from web.api.registry import Call, Route
from web.api.schemas import PageQuery

NOTICES = "/schools/{uai}/notices"


class NoticeQuery(PageQuery):
    """Filters of the notices list."""

    student: Id | None = Field(default=None, description="a student id")
    status: NoticeStatus | None = Field(default=None, description="pending, done, failed…")


class DeliveryOut(BaseModel):
    """One recipient on one channel, tracked to delivery; times in the school's time zone."""

    id: int
    channel: str
    to: str = Field(description="the number, address or chat it went to")
    person_id: int | None = Field(description="the guardian")
    status: DeliveryStatus
    attempts: int
    not_before: datetime = Field(description="when it may leave (send-after delay, quiet hours)")
    provider: str
    provider_ref: str | None
    error: str
    sent_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, delivery: Delivery, tz: ZoneInfo) -> DeliveryOut:
        return cls(
            id=delivery.id,
            channel=str(delivery.channel),
            to=delivery.to,
            person_id=delivery.person_id,
            status=DeliveryStatus(delivery.status),
            attempts=delivery.attempts,
            not_before=delivery.not_before.astimezone(tz),
            provider=delivery.provider,
            provider_ref=delivery.provider_ref,
            error=delivery.error,
            sent_at=delivery.sent_at.astimezone(tz) if delivery.sent_at else None,
            updated_at=delivery.updated_at.astimezone(tz),
        )


class NoticeOut(BaseModel):
    """A notice (one per student, half-day and kind) with its deliveries."""

    id: int
    student_id: int
    event_id: int | None
    kind: NoticeKind
    status: NoticeStatus
    reason: str | None = Field(description="why it failed or was cancelled")
    day: date | None = Field(description="the half-day it is about")
    half: str | None = Field(description="am or pm")
    created_at: datetime
    deliveries: list[DeliveryOut]

    @classmethod
    def of(cls, notice: Notice, deliveries: list[Delivery], tz: ZoneInfo) -> NoticeOut:
        payload = notice.payload
        day = payload.get("day")
        return cls(
            id=notice.id,
            student_id=notice.student_id,
            event_id=notice.event_id,
            kind=NoticeKind(notice.kind),
            status=NoticeStatus(notice.status),
            reason=str(payload["reason"]) if payload.get("reason") else None,
            day=date.fromisoformat(day) if isinstance(day, str) else None,
            half=str(payload["half"]) if payload.get("half") else None,
            created_at=notice.created_at.astimezone(tz),
            deliveries=[DeliveryOut.of(d, tz) for d in deliveries],
        )


class NoticePage(BaseModel):
    """A page of notices."""

    items: list[NoticeOut]
    total: int = Field(description="how many match, over all pages")


async def list_notices(call: Call) -> NoticePage:
    """The notices the caller may see, newest first, each with its deliveries (a teacher:
    those about their own students, without deliveries)."""
    query = call.query_as(NoticeQuery)
    rows, total = await lists.notice_page(
        call.school,
        await call.scope(),
        student=query.student,
        status=query.status,
        limit=query.limit,
        offset=query.offset,
    )
    tz = zone(call.school)
    return NoticePage(items=[NoticeOut.of(n, d, tz) for n, d in rows], total=total)


ROUTES = [
    Route(
        "GET",
        NOTICES,
        list_notices,
        summary="List notices to families with their deliveries",
        permission=Permission.READ,
        response=NoticePage,
        query=NoticeQuery,
        tag="notices",
        description="Newest first. A notice is one per (student, half-day, kind); each delivery "
        "is one guardian on one channel, with its status (scheduled, sending, sent, delivered, "
        "undelivered, failed, expired, cancelled), attempts and the provider's reference. "
        "A teacher sees the notices about the students they teach, without their deliveries.",
    ),
]
