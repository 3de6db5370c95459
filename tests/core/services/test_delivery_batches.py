"""Deliveries in batches: one claim for many rows, every outcome recorded together, and the
monthly SMS quota that lets through what fits and fails the rest over — against the real
Twilio adapter talking to a local Twilio-speaking server and the real outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from core.models import (
    Delivery,
    DeliveryStatus,
    DeliveryStatusChange,
    Notice,
    NoticeStatus,
    School,
    StaffAlert,
    Student,
)
from core.services.audit import Actor
from core.services.delivery.send import deliver_many, record_status
from core.services.ports import Accepted, Message, Sender, SendFailed
from gateway.outbox.transport import OutboxTransport
from gateway.twilio.callbacks import CHANNELS as TWILIO
from gateway.twilio.sms import TwilioSmsTransport
from tests.core.services.notice_support import (
    MONDAY,
    TUESDAY,
    absence,
    at,
    history,
    make_family,
)
from tests.gateway.fakes.twilio import FakeTwilio
from workers.senders import Channels, render, wrap

RECORDED = at(MONDAY, 8, 30)
DUE = RECORDED + timedelta(minutes=20)


@dataclass
class World:
    channels: Channels
    twilio: FakeTwilio
    school: School
    pupils: list[Student]

    async def run(self, ids: list[int], now=DUE):  # type: ignore[no-untyped-def]
        return await deliver_many(ids, self.channels.senders, now=now, render=render)


@pytest.fixture
async def world(
    school_a: School, system: Actor, pupil: Student, classmate: Student, tmp_path: Path
) -> AsyncIterator[World]:
    twilio = FakeTwilio()
    await twilio.start()
    for student in (pupil, classmate):
        await make_family(school_a, student)
        await absence(school_a, system, student, at(MONDAY, 8), at(MONDAY, 10), now=RECORDED)
        await absence(school_a, system, student, at(TUESDAY, 8), at(TUESDAY, 10), now=RECORDED)
    sms = TwilioSmsTransport(
        twilio.account_sid,
        twilio.auth_token,
        "+33700000000",
        api_url=twilio.api_url,
        public_url="https://absences.example.fr",
    )
    channels = wrap({"sms": sms, "email": OutboxTransport(tmp_path, channel="email")})
    yield World(channels, twilio, school_a, [pupil, classmate])
    await channels.close()
    await twilio.stop()


async def sms_ids(due_by=None) -> list[int]:  # type: ignore[no-untyped-def]
    query = Delivery.filter(channel="sms", status=DeliveryStatus.SCHEDULED)
    if due_by is not None:
        query = query.filter(not_before__lte=due_by.astimezone(UTC))
    return sorted(await query.values_list("id", flat=True))  # type: ignore[arg-type]


async def test_a_batch_sends_every_due_row_once_and_skips_the_rest(world: World) -> None:
    due = await sms_ids(DUE)
    later = sorted(set(await sms_ids()) - set(due))
    assert len(due) == 4 and later  # 2 pupils × 2 parents today; tomorrow's wait

    outcomes = await world.run([*due, *later, 999_999])

    assert [outcomes[i].status for i in due] == ["sent"] * 4
    assert {outcomes[i].status for i in [*later, 999_999]} == {"skipped"}
    assert sorted(r.get("To") or "" for r in world.twilio.requests) == sorted(
        await Delivery.filter(id__in=due).values_list("to", flat=True)  # type: ignore[arg-type]
    )
    rows = await Delivery.filter(id__in=due)
    assert {(r.status, r.attempts, r.provider) for r in rows} == {
        (DeliveryStatus.SENT, 1, "twilio")
    }
    assert len({r.provider_ref for r in rows}) == 4
    assert len({r.claim for r in rows}) == 1  # one claim for the batch
    for delivery_id in due:
        assert await history(delivery_id) == [
            ("", "scheduled", "plan"),
            ("scheduled", "sending", "worker"),
            ("sending", "sent", "worker"),
        ]
    again = await world.run(due)
    assert {o.status for o in again.values()} == {"skipped"}
    assert len(world.twilio.requests) == 4


class ReportFirst:
    """Twilio as it sometimes is: its "delivered" report reaches us before its answer does."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    async def send(self, message: Message) -> Accepted:
        accepted = await self.sender.send(message)
        await record_status(
            "twilio",
            accepted.provider_ref,
            "delivered",
            channels=TWILIO,
            raw={"MessageStatus": "delivered"},
            event_ref="early",
            at=DUE,
            delivery_uuid=message.delivery_uuid,
        )
        return accepted


async def test_a_report_that_beats_the_batch_keeps_its_status(world: World) -> None:
    due = await sms_ids(DUE)
    world.channels.senders["sms"] = ReportFirst(world.channels.senders["sms"])

    outcomes = await world.run(due)

    assert {o.status for o in outcomes.values()} == {"sent"}
    rows = await Delivery.filter(id__in=due)
    assert {r.status for r in rows} == {DeliveryStatus.DELIVERED}
    sids = {r.sid for r in world.twilio.requests}
    assert {r.provider_ref for r in rows} == sids  # the reference is kept all the same
    for delivery_id in due:
        steps = [(f, t) for f, t, _ in await history(delivery_id)]
        assert steps[-1] == ("sending", "delivered")  # no step back to "sent"


async def test_the_monthly_sms_quota_lets_through_what_fits_and_fails_over(
    world: World,
) -> None:
    world.school.sms_monthly_quota = 3
    world.school.quota_alert_percent = 50
    await world.school.save()
    due = await sms_ids(DUE)

    outcomes = await world.run(due)

    statuses = [outcomes[i].status for i in due]
    assert statuses.count("sent") == 3 and statuses.count("failed") == 1
    assert len(world.twilio.requests) == 3
    [refused] = [i for i in due if outcomes[i].status == "failed"]
    row = await Delivery.get(id=refused)
    assert row.error == "monthly sms quota reached (3)"
    [follow_up] = outcomes[refused].follow_ups
    fallback = await Delivery.get(id=follow_up.delivery_id)
    assert (fallback.channel, fallback.person_id) == ("email", row.person_id)
    alerts = await StaffAlert.filter(school_id=world.school.id).order_by("id")
    assert [(a.kind, a.data["level"], a.level) for a in alerts] == [
        ("quota", 50, "warning"),
        ("quota", 100, "error"),
    ]
    assert alerts[0].key == f"quota:{world.school.id}:sms:2026-03:50"

    # tomorrow's SMS: the month is used up — straight to email, no second alert
    tomorrow = at(TUESDAY, 9)
    more = await world.run(await sms_ids(tomorrow), now=tomorrow)
    assert {o.status for o in more.values()} == {"failed"}
    assert len(world.twilio.requests) == 3
    assert await StaffAlert.filter(school_id=world.school.id).count() == 2
    # the notices are not lost: the emails go out
    emails = [d.delivery_id for o in more.values() for d in o.follow_ups]
    sent = await world.run(emails, now=tomorrow + timedelta(minutes=1))
    assert {o.status for o in sent.values()} == {"delivered"}


async def test_without_a_quota_nothing_is_held_back(world: World) -> None:
    due = await sms_ids(DUE)
    outcomes = await world.run(due)
    assert {o.status for o in outcomes.values()} == {"sent"}
    assert await StaffAlert.filter(school_id=world.school.id).count() == 0


async def test_an_outbox_batch_delivers_and_settles_every_notice(
    world: World, tmp_path: Path
) -> None:
    world.channels.senders["sms"] = wrap({"sms": OutboxTransport(tmp_path, channel="sms")}).senders[
        "sms"
    ]
    due = await sms_ids(DUE)
    outcomes = await world.run(due)
    assert {o.status for o in outcomes.values()} == {"delivered"}
    notices = await Notice.filter(deliveries__id__in=due).distinct()
    assert {n.status for n in notices} == {NoticeStatus.DONE}
    assert len(list((tmp_path / "outbox").glob("*.json"))) == 4
    for delivery_id in due:
        assert [(f, t) for f, t, _ in await history(delivery_id)][-2:] == [
            ("sending", "sent"),
            ("sent", "delivered"),
        ]
    assert await DeliveryStatusChange.filter(delivery_id__in=due).count() == 4 * 4


class DeletesItsNotice:
    """A provider slow enough for staff to delete the pupil meanwhile (the notice and its
    deliveries go with them), and which then fails as a provider does, transiently."""

    async def send(self, message: Message) -> Accepted:
        delivery = await Delivery.get(uuid=message.delivery_uuid)
        await Notice.filter(id=delivery.notice_id).delete()
        raise SendFailed("503 from the provider", permanent=False)


async def test_a_row_deleted_while_it_was_being_sent_is_skipped_not_a_crash(
    world: World,
) -> None:
    [first, *_] = await sms_ids(DUE)
    outcomes = await deliver_many([first], {"sms": DeletesItsNotice()}, now=DUE, render=render)
    assert outcomes[first].status == "skipped"
    assert not await Delivery.exists(id=first)
