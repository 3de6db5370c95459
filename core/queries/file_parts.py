"""The family side of a student's file: guardians, notices and deliveries, replies, actions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from core.models import (
    Action,
    ChatLink,
    ContactPoint,
    Delivery,
    GuardianLink,
    InboundMessage,
    Notice,
    School,
    Student,
)
from core.queries.common import chunks, local
from core.queries.file_views import (
    ActionView,
    ChatView,
    ContactView,
    DeliveryView,
    GuardianView,
    NoticeView,
    ReplyView,
    TalkView,
)
from core.rules.keypad import keypad_meaning
from core.rules.notices import guardian_order
from core.rules.visibility import EVERYTHING, Visibility

Window = tuple[datetime, datetime]


def _contact(point: ContactPoint) -> ContactView:
    return ContactView(
        kind=str(point.kind),
        value=point.value,
        label=point.label,
        consent=point.consent,
        usability=str(point.usability),
        note=point.usability_note,
        usable=point.usable,
    )


def _chat(link: ChatLink, tz: ZoneInfo) -> ChatView:
    return ChatView(
        id=link.id,
        platform=link.platform,
        linked_at=local(link.linked_at, tz),
        active=link.active,
        ended_reason=link.ended_reason,
        ended_at=local(link.ended_at, tz),
    )


async def guardians_of(
    student: Student, tz: ZoneInfo, channel_order: Sequence[str] = ()
) -> list[GuardianView]:
    """The guardians in the order they are contacted, each with every contact point, their
    linked chats (active first, then the latest) and their channel order (their preferred
    channel, then ``channel_order``, the school's)."""
    links = (
        await GuardianLink.filter(student=student)
        .order_by("priority", "id")
        .prefetch_related("person__contacts")
    )
    chats: dict[int, list[ChatView]] = defaultdict(list)
    rows = await ChatLink.filter(person_id__in=[link.person_id for link in links]).order_by(
        "-active", "-linked_at", "-id"
    )
    for row in rows:
        chats[row.person_id].append(_chat(row, tz))
    return [
        GuardianView(
            id=link.person_id,
            name=link.person.display_name,
            level=int(link.level),
            relationship=link.relationship,
            pays_fees=link.pays_fees,
            receives_notices=link.receives_notices,
            priority=link.priority,
            language=link.person.language,
            preferred_channel=link.person.preferred_channel,
            channel_order=guardian_order(link.person.preferred_channel, channel_order),
            contacts=[
                _contact(c)
                for c in sorted(link.person.contacts, key=lambda c: (str(c.kind), c.priority, c.id))
            ],
            chats=chats[link.person_id],
        )
        for link in links
    ]


def _delivery(d: Delivery, tz: ZoneInfo) -> DeliveryView:
    return DeliveryView(
        channel=str(d.channel),
        to=d.to,
        recipient=d.person.display_name if d.person else "",
        status=str(d.status),
        attempts=d.attempts,
        not_before=local(d.not_before, tz),
        sent_at=local(d.sent_at, tz),
        final_at=local(d.final_at, tz),
        error=d.error,
    )


async def notices_of(
    school: School,
    student: Student,
    event_ids: list[int],
    window: Window,
    tz: ZoneInfo,
    view: Visibility = EVERYTHING,
) -> list[NoticeView]:
    """The notices about the year's events, and those about no event sent during the year,
    each with every delivery and its outcome (if ``view`` shows deliveries)."""
    of_events = Q(event_id__in=event_ids) if event_ids else Q(id__in=[])
    during = Q(event_id__isnull=True, created_at__gte=window[0], created_at__lt=window[1])
    notices = (
        await Notice.filter(school=school, student=student)
        .filter(of_events | during)
        .order_by("created_at", "id")
    )
    deliveries: dict[int, list[DeliveryView]] = defaultdict(list)
    for part in chunks([n.id for n in notices] if view.deliveries else []):
        rows = await Delivery.filter(notice_id__in=part).order_by("id").prefetch_related("person")
        for row in rows:
            deliveries[row.notice_id].append(_delivery(row, tz))
    return [
        NoticeView(
            id=notice.id,
            kind=str(notice.kind),
            status=str(notice.status),
            created_at=notice.created_at.astimezone(tz),
            event_id=notice.event_id,
            deliveries=deliveries[notice.id],
        )
        for notice in notices
    ]


async def replies_of(
    school: School, student: Student, window: Window, tz: ZoneInfo, view: Visibility = EVERYTHING
) -> list[ReplyView]:
    """Every message the family sent about the student this year."""
    replies = (
        await InboundMessage.filter(
            school=school, student=student, received_at__gte=window[0], received_at__lt=window[1]
        )
        .order_by("received_at", "id")
        .prefetch_related("person")
    )
    return [
        ReplyView(
            id=r.id,
            channel=r.channel,
            sender=r.sender,
            person=r.person.display_name if r.person else "",
            text=view.reply(r.text),
            received_at=r.received_at.astimezone(tz),
            status=str(r.status),
            event_ids=[int(i) for i in r.event_ids or []],
        )
        for r in replies
    ]


SPOKEN = ("answer", "thanks")  # the notices that answer a family's reply


async def conversation_of(
    school: School,
    student: Student,
    replies: list[ReplyView],
    window: Window,
    tz: ZoneInfo,
    view: Visibility = EVERYTHING,
) -> list[TalkView]:
    """The family's replies about the student and what the school wrote back (answers, thanks,
    questions), oldest first."""
    lines = [
        TalkView(
            at=r.received_at,
            direction="in",
            kind="reply",
            channel=r.channel,
            who=r.person or r.sender,
            text=r.text,
            status=r.status,
            keypad=keypad_meaning(r.channel, r.text),
        )
        for r in replies
    ]
    notices = await Notice.filter(
        school=school,
        student=student,
        kind__in=SPOKEN,
        created_at__gte=window[0],
        created_at__lt=window[1],
    ).order_by("created_at", "id")
    sent = {
        int(notice): (str(channel), str(to), str(status))
        for notice, channel, to, status in await Delivery.filter(
            notice_id__in=[n.id for n in notices]
        ).values_list("notice_id", "channel", "to", "status")
    }
    for notice in notices:
        channel, to, status = sent.get(notice.id, ("sms", "", str(notice.status)))
        payload = notice.payload or {}
        lines.append(
            TalkView(
                at=notice.created_at.astimezone(tz),
                direction="out",
                kind=str(notice.kind),
                channel=channel,
                who=to,
                text=view.reply(str(payload.get("text", ""))),
                status=status,
                author=str(payload.get("author", "")),
            )
        )
    return sorted(lines, key=lambda line: line.at)


async def actions_of(
    school: School, student: Student, window: Window, tz: ZoneInfo, view: Visibility = EVERYTHING
) -> list[ActionView]:
    """Every action taken about the student this year: who, when, what, with which comment."""
    actions = (
        await Action.filter(
            school=school, student=student, done_at__gte=window[0], done_at__lt=window[1]
        )
        .order_by("done_at", "id")
        .prefetch_related("type", "done_by")
    )
    return [
        ActionView(
            id=a.id,
            type_code=a.type.code,
            type_label=a.type.label,
            done_at=a.done_at.astimezone(tz),
            done_by=a.done_by.known_as if a.done_by else "",
            comment=view.comment(a.comment),
            event_id=getattr(a, "event_id", None),
        )
        for a in actions
    ]
