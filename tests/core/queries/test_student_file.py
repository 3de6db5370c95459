"""The student's file (R131-6): the year's events, half-day counts, family, notices, actions."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from core.errors import NotFound
from core.models import Delivery, DeliveryStatus, Notice, NoticeKind, SchoolYear, Student
from core.queries import student_file
from core.queries.common import school_year_dates
from core.services.audit import Actor
from core.services.events.actions import record_action
from tests.core.queries.conftest import MONDAY, Data, add_notice, add_reply, at

NOW = at(MONDAY, 12, days=4)  # Friday noon


async def test_the_file_lists_the_years_events_with_their_states(data: Data) -> None:
    file = await student_file(data.school, data.sid("marie"), now=NOW)
    assert file.student.name == "DUPONT Marie" and file.student.division == "5B"
    assert file.student.groups == ["LATIN"]
    assert (file.start_year, file.starts_on.isoformat()) == (2025, "2025-09-01")
    assert [e.id for e in file.events] == [data.events[k].id for k in ("marie_mon", "marie_tue")]
    tuesday = file.events[1]
    assert tuesday.reason == "Maladie de l'élève" and tuesday.accepted and tuesday.settled
    assert tuesday.recorded_by == "Mme Leroy" and not tuesday.deleted
    assert tuesday.starts_at.utcoffset() == timedelta(hours=1)


async def test_an_event_entered_by_mistake_stays_in_the_file_flagged(data: Data) -> None:
    file = await student_file(data.school, data.sid("paul"), now=NOW)
    (event,) = file.events
    assert event.deleted and event.deleted_by == "Mme Leroy" and event.deleted_at is not None
    assert file.counts.months == [] and file.counts.total.raw == 0


async def test_half_days_raw_and_complete_justified_or_not_per_month(data: Data) -> None:
    counts = (await student_file(data.school, data.sid("marie"), now=NOW)).counts
    (march,) = counts.months
    assert (march.year, march.month) == (2026, 3)
    halves = march.half_days
    # Monday 8-10 (unjustified, part of the morning), Tuesday 8-17 (illness, the whole day).
    assert (halves.raw, halves.raw_unjustified) == (3, 1)
    assert (halves.complete, halves.complete_unjustified) == (2, 0)
    assert march.official == 1 and march.alert == "none"
    assert counts.total == halves and counts.threshold == 4 and counts.mode == "raw"


async def test_lateness_is_counted_apart(data: Data) -> None:
    counts = (await student_file(data.school, data.sid("leo"), now=NOW)).counts
    assert [(m.month, m.half_days.lateness, m.half_days.raw) for m in counts.months] == [(3, 1, 0)]


async def test_guardians_come_in_contact_order_with_the_usability_of_each_point(
    data: Data,
) -> None:
    mother, father = (await student_file(data.school, data.sid("marie"), now=NOW)).guardians
    assert mother.name == "DUPONT Anne" and father.name == "DUPONT Marc"
    assert [(c.value, c.usability, c.usable) for c in mother.contacts] == [
        ("+33600000000", "opted_out", False),
        ("+33612345678", "ok", True),
    ]
    assert [c.usability for c in father.contacts] == ["wrong_number"]


async def test_notices_with_their_deliveries_and_the_familys_replies(data: Data) -> None:
    notice = await add_notice(data, "marie_mon", DeliveryStatus.FAILED, at(MONDAY, 9))
    await add_reply(data, "marie", at(MONDAY, 19), "Elle était malade")
    file = await student_file(data.school, data.sid("marie"), now=NOW)
    assert len(file.notices) == await Notice.filter(student_id=data.sid("marie")).count()
    mine = next(n for n in file.notices if n.id == notice.id)
    assert [(d.channel, d.status, d.to) for d in mine.deliveries] == [
        ("sms", "failed", "+33612345678")
    ]
    (reply,) = file.replies
    assert reply.text == "Elle était malade" and reply.status == "pending"
    assert reply.received_at.hour == 19  # shown in the school's time zone


async def test_actions_taken_say_who_when_and_what(data: Data) -> None:
    event = data.events["marie_mon"]
    await record_action(
        data.school,
        Actor.of(data.cpe),
        data.sid("marie"),
        "APPEL",
        at(MONDAY, 10, 30),
        "Mère jointe, mot demain",
        event_id=event.id,
    )
    (action,) = (await student_file(data.school, data.sid("marie"), now=NOW)).actions
    assert (action.type_code, action.done_by, action.event_id) == ("APPEL", "Mme Leroy", event.id)
    assert action.comment == "Mère jointe, mot demain" and action.done_at.hour == 10


async def test_another_year_is_empty_and_another_schools_student_is_not_found(
    data: Data,
) -> None:
    last_year = await student_file(data.school, data.sid("marie"), 2024, now=NOW)
    assert last_year.events == [] and last_year.start_year == 2024
    with pytest.raises(NotFound):
        await student_file(data.school, data.sid("jean"), now=NOW)


async def test_the_file_spans_the_schools_own_dates_else_september_to_4_july(data: Data) -> None:
    await SchoolYear.filter(school=data.school, start_year=2025).update(
        starts_on=date(2025, 9, 2), ends_on=date(2026, 7, 3)
    )
    file = await student_file(data.school, data.sid("marie"), now=NOW)
    assert (file.starts_on, file.ends_on) == (date(2025, 9, 2), date(2026, 7, 3))
    past = await student_file(data.school, data.sid("marie"), now=NOW, year=2023)
    assert (past.starts_on, past.ends_on) == (date(2023, 9, 1), date(2024, 7, 4))
    assert await school_year_dates(data.school, 2023) == (date(2023, 9, 1), date(2024, 7, 4))


async def test_the_conversation_holds_the_replies_and_what_answered_them(data: Data) -> None:
    await add_reply(data, "marie", at(MONDAY, 19), "Elle était malade")
    marie = await Student.get(id=data.sid("marie"))
    thanks = await Notice.create(
        school=data.school,
        student=marie,
        kind=NoticeKind.THANKS,
        dedupe_key="thanks:test",
        payload={"inbound_id": 1},
    )
    answer = await Notice.create(
        school=data.school,
        student=marie,
        kind=NoticeKind.ANSWER,
        dedupe_key="answer:test",
        payload={"text": "Merci, bon rétablissement", "author": "Mme Leroy"},
    )
    for minutes, notice in ((1, thanks), (30, answer)):
        await Notice.filter(id=notice.id).update(created_at=at(MONDAY, 19, minutes))
        await Delivery.create(
            uuid=uuid.uuid4(),
            notice=notice,
            channel="sms",
            to="+33612345678",
            status=DeliveryStatus.DELIVERED,
            not_before=at(MONDAY, 19),
        )
    talk = (await student_file(data.school, data.sid("marie"), now=NOW)).conversation
    assert [(t.direction, t.kind) for t in talk] == [
        ("in", "reply"),
        ("out", "thanks"),
        ("out", "answer"),
    ]
    assert talk[0].text == "Elle était malade" and talk[0].status == "pending"
    assert (talk[2].text, talk[2].author, talk[2].status) == (
        "Merci, bon rétablissement",
        "Mme Leroy",
        "delivered",
    )
