"""OVHcloud's delivery reports by polling: real SMS jobs on a local OVHcloud-speaking server,
the deliveries recorded forward only and once, the fallbacks of a failure sent; nothing at all
when the SMS provider is not OVHcloud."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.models import (
    Delivery,
    DeliveryStatus,
    DeliveryStatusChange,
    Notice,
    NoticeStatus,
    Student,
)
from core.services.audit import Actor
from core.services.delivery.provider_reports import poll_interval, poll_reports
from core.services.schools.school import create_school
from gateway.outbox.transport import OutboxTransport
from gateway.ovh.reports import OvhReportSource
from gateway.ovh.sms import OvhSmsTransport
from tests.core.services.notice_support import (
    FATHER_MOBILE,
    MONDAY,
    MOTHER_MOBILE,
    absence,
    at,
    make_family,
)
from tests.gateway.fakes.ovh import FakeOvh
from tests.workers.queue_support import RecordingQueue
from workers.reports import MEMO, poll_ovh_reports
from workers.senders import wrap
from workers.tasks import CRON, FUNCTIONS, sweep

SYSTEM = Actor.system("tests")


@dataclass
class Sent:
    """Both parents' SMS taken by OVHcloud; the task's context with its queue."""

    ovh: FakeOvh
    ctx: dict[str, Any]
    queue: RecordingQueue
    mother: Delivery
    father: Delivery

    def sms_id(self, delivery: Delivery) -> int:
        assert delivery.provider_ref is not None
        return int(delivery.provider_ref)

    async def fresh(self, delivery: Delivery) -> Delivery:
        return await Delivery.get(id=delivery.id)


@pytest.fixture
async def sent(db: str, tmp_path: Path) -> AsyncIterator[Sent]:
    ovh = FakeOvh()
    await ovh.start()
    app_key, app_secret, consumer = ovh.keys
    sms = OvhSmsTransport(
        application_key=app_key,
        application_secret=app_secret,
        consumer_key=consumer,
        service_name=ovh.service_name,
        endpoint=ovh.url,
    )
    channels = wrap({"sms": sms, "email": OutboxTransport(tmp_path, channel="email")})
    ctx: dict[str, Any] = {"channels": channels}
    queue = RecordingQueue(ctx)
    ctx["queue"] = queue
    await queue.start()
    try:
        school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=MONDAY)
        pupil = await Student.create(school=school, last_name="Martin", first_name="Léa")
        await make_family(school, pupil)
        await absence(school, SYSTEM, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 8, 30))
        assert await sweep(ctx) == 2
        await queue.drain(timeout=10)
        mother = await Delivery.get(to=MOTHER_MOBILE)
        father = await Delivery.get(to=FATHER_MOBILE)
        for delivery in (mother, father):
            assert (delivery.status, delivery.provider) == (DeliveryStatus.SENT, "ovh")
        yield Sent(ovh, ctx, queue, mother, father)
    finally:
        await queue.close()
        await channels.close()
        await ovh.stop()


async def polled(delivery: Delivery) -> list[tuple[str, str, dict[str, Any] | None]]:
    """The history rows of the reports polled (source "poll", never "callback")."""
    rows = await DeliveryStatusChange.filter(delivery_id=delivery.id, event_ref__isnull=False)
    assert {row.source for row in rows} <= {"poll"}
    return [(row.from_status, row.to_status, row.raw_data) for row in rows]


async def test_reports_move_the_deliveries_forward_and_a_failure_falls_back(sent: Sent) -> None:
    sent.ovh.send_out(sent.sms_id(sent.mother), 1)  # delivered
    sent.ovh.send_out(sent.sms_id(sent.father), 2)  # not delivered
    sent.queue.hold = True  # what is enqueued is looked at, not run
    assert await poll_ovh_reports(sent.ctx) == 2

    mother = await sent.fresh(sent.mother)
    assert (mother.status, mother.final_at is not None) == (DeliveryStatus.DELIVERED, True)
    [(before, after, raw)] = await polled(mother)
    assert (before, after) == ("sent", "delivered")
    assert raw is not None and raw["deliveryReceipt"] == 1 and raw["receiver"] == MOTHER_MOBILE
    father = await sent.fresh(sent.father)
    assert (father.status, father.error) == (DeliveryStatus.UNDELIVERED, "undelivered (dlr2)")
    # His next channel (a call to the same number: the report named no fault in it) is planned
    # and enqueued.
    [call] = await Delivery.filter(notice_id=father.notice_id, channel="call")
    assert (call.person_id, call.to, call.status) == (father.person_id, FATHER_MOBILE, "scheduled")
    assert f"deliver:{call.id}" in sent.queue.job_ids
    assert (await Notice.get(id=mother.notice_id)).status == NoticeStatus.DONE

    asked = len(sent.ovh.polled)
    assert await poll_ovh_reports(sent.ctx) == 0  # final: never asked about again
    assert len(sent.ovh.polled) == asked
    assert sent.ctx[MEMO] == {}


async def test_nothing_final_yet_changes_nothing_and_is_not_asked_again_at_once(
    sent: Sent,
) -> None:
    sent.ovh.send_out(sent.sms_id(sent.mother), 4)  # buffered by the operator
    assert await poll_ovh_reports(sent.ctx) == 0  # the father's is still a waiting job
    assert (await sent.fresh(sent.mother)).status == DeliveryStatus.SENT
    assert await polled(sent.mother) == []
    asked = len(sent.ovh.polled)
    assert await poll_ovh_reports(sent.ctx) == 0  # a minute has not passed
    assert len(sent.ovh.polled) == asked


async def test_questions_are_spaced_as_the_message_ages(sent: Sent) -> None:
    source = OvhReportSource(sent.ctx["channels"].transports["sms"])
    memo: dict[int, datetime] = {}
    start = datetime.now(UTC)
    outcomes = [
        await poll_reports(source, now=start + timedelta(seconds=s), memo=memo) for s in (0, 30, 61)
    ]
    assert [o.asked for o in outcomes] == [2, 0, 2]
    later = start + timedelta(hours=3)
    assert (await poll_reports(source, now=later, memo=memo)).asked == 2
    assert (await poll_reports(source, now=later + timedelta(minutes=10), memo=memo)).asked == 0
    assert (await poll_reports(source, now=later + timedelta(minutes=31), memo=memo)).asked == 2
    assert [poll_interval(timedelta(minutes=m)) for m in (0, 20, 300)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
    ]


async def test_older_than_two_days_or_unknown_to_ovhcloud_stays_as_it_is(sent: Sent) -> None:
    await Delivery.filter(id=sent.father.id).update(sent_at=datetime.now(UTC) - timedelta(hours=49))
    sent.ovh.send_out(sent.sms_id(sent.father), 1)
    sent.ovh.forget(sent.sms_id(sent.mother))
    source = OvhReportSource(sent.ctx["channels"].transports["sms"])
    outcome = await poll_reports(source, now=datetime.now(UTC))
    assert (outcome.asked, outcome.recorded, outcome.unanswered) == (1, 0, 1)
    assert sent.ovh.polls(sent.sms_id(sent.father)) == 0
    for delivery in (sent.mother, sent.father):
        assert (await sent.fresh(delivery)).status == DeliveryStatus.SENT


async def test_two_pollers_at_once_record_each_report_once(sent: Sent) -> None:
    sent.ovh.send_out(sent.sms_id(sent.mother), 1)
    sent.ovh.send_out(sent.sms_id(sent.father), 16)
    source = OvhReportSource(sent.ctx["channels"].transports["sms"])
    now = datetime.now(UTC)
    first, second = await asyncio.gather(
        poll_reports(source, now=now), poll_reports(source, now=now)
    )
    assert first.recorded + second.recorded == 2
    assert len(await polled(sent.mother)) == 1 and len(await polled(sent.father)) == 1
    father = await sent.fresh(sent.father)
    assert (father.status, father.error) == (DeliveryStatus.FAILED, "failed (dlr16)")


async def test_a_provider_that_answers_with_errors_is_asked_again_later(sent: Sent) -> None:
    sent.ovh.fail(2, status=503, body={"message": "maintenance"})
    source = OvhReportSource(sent.ctx["channels"].transports["sms"])
    now = datetime.now(UTC)
    outcome = await poll_reports(source, now=now, memo={})
    assert (outcome.asked, outcome.recorded, outcome.unanswered) == (2, 0, 2)
    sent.ovh.send_out(sent.sms_id(sent.mother), 1)
    outcome = await poll_reports(source, now=now + timedelta(minutes=2), memo={})
    assert outcome.recorded == 1


async def test_it_costs_nothing_when_the_sms_provider_is_not_ovhcloud(tmp_path: Path) -> None:
    # No database here: a query would fail.
    outbox = wrap({"sms": OutboxTransport(tmp_path, channel="sms")})
    try:
        assert await poll_ovh_reports({"channels": outbox}) == 0
        assert await poll_ovh_reports({}) == 0  # `absences serve` with Redis: no channels
    finally:
        await outbox.close()
    assert "poll_ovh_reports" in CRON and "poll_ovh_reports" in FUNCTIONS
