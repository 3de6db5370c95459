"""Families' SMS to the OVHcloud account, by polling a local OVHcloud-speaking server: stored
once and matched, answered through OVHcloud, deleted there only once stored; nothing at all
when the SMS provider is not OVHcloud."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.models import (
    ContactKind,
    ContactPoint,
    Delivery,
    DeliveryStatus,
    Event,
    InboundMessage,
    InboundStatus,
    Notice,
    NoticeKind,
    Student,
    Usability,
)
from core.services.audit import Actor
from core.services.schools.school import create_school
from gateway.outbox.transport import OutboxTransport
from tests.core.services.notice_support import (
    FATHER_MOBILE,
    MONDAY,
    MOTHER_MOBILE,
    Family,
    absence,
    at,
    make_family,
)
from tests.gateway.fakes.ovh import FakeOvh
from tests.gateway.test_ovh_reports import transport
from workers.queue import DELIVER
from workers.reports import POLL_OVH_INCOMING, poll_ovh_incoming
from workers.senders import wrap
from workers.tasks import CRON, FUNCTIONS

SYSTEM = Actor.system("tests")
EVENING = at(MONDAY, 18)


@dataclass
class Account:
    """The OVHcloud account a family answers to, the worker's context, Léa and her family."""

    ovh: FakeOvh
    ctx: dict[str, Any]
    pupil: Student
    family: Family
    event: Event

    def answers(self) -> list[tuple[list[str], str]]:
        """(receivers, text) of each SMS the account was asked to send."""
        return [(job["receivers"], job["message"]) for job in self.ovh.jobs]


@pytest.fixture
async def account(db: str) -> AsyncIterator[Account]:
    ovh = FakeOvh(clock_offset=-120)
    await ovh.start()
    channels = wrap({"sms": transport(ovh)})
    try:
        school = await create_school("0750001A", "Collège Alpha", SYSTEM, today=MONDAY)
        pupil = await Student.create(school=school, last_name="Martin", first_name="Léa")
        family = await make_family(school, pupil)
        # the parents' mobiles come from the SIECLE import: a reply from them is theirs
        await ContactPoint.filter(kind=ContactKind.MOBILE).update(siecle_field="TEL_PORTABLE")
        event = await absence(
            school, SYSTEM, pupil, at(MONDAY, 8), at(MONDAY, 10), now=at(MONDAY, 9)
        )
        yield Account(ovh, {"channels": channels}, pupil, family, event)
    finally:
        await channels.close()
        await ovh.stop()


async def test_a_reply_is_stored_matched_and_deleted_once_stored(account: Account) -> None:
    sms_id = account.ovh.receive(MOTHER_MOBILE, "Bonjour, Léa a de la fièvre", at=EVENING)
    assert await poll_ovh_incoming(account.ctx) == 1

    message = await InboundMessage.get(provider="ovh", provider_ref=str(sms_id))
    assert (message.sender, message.text) == (MOTHER_MOBILE, "Bonjour, Léa a de la fièvre")
    assert message.received_at == EVENING
    assert message.person_id == account.family.mother.id  # type: ignore[attr-defined]
    assert message.student_id == account.pupil.id  # type: ignore[attr-defined]
    assert message.event_ids == [account.event.id]
    assert message.status == InboundStatus.PENDING and message.proposed_generic == "MALADIE"
    assert message.raw_data["creationDatetime"] == "2026-03-02T18:00:00+01:00"
    assert account.ovh.deleted == [sms_id] and account.ovh.incoming == {}
    assert account.answers() == []  # months old: no thanks for it now


async def _thanks(account: Account) -> list[Delivery]:
    """The thanks the reading wrote, sent by the worker as any delivery (through OVHcloud)."""
    notices = await Notice.filter(kind=NoticeKind.THANKS).values_list("id", flat=True)
    rows = await Delivery.filter(notice_id__in=list(notices)).order_by("id")
    for row in rows:
        await FUNCTIONS[DELIVER](account.ctx, row.id)
    return list(await Delivery.filter(notice_id__in=list(notices)).order_by("id"))


async def test_a_fresh_reply_is_thanked_through_ovhcloud(account: Account) -> None:
    account.ovh.receive(MOTHER_MOBILE, "Léa était malade, je vous envoie un mot")
    assert await poll_ovh_incoming(account.ctx) == 1
    [thanks] = await _thanks(account)
    assert thanks.status == DeliveryStatus.SENT
    [(receivers, text)] = account.answers()
    assert receivers == [MOTHER_MOBILE]
    assert text == "Merci, votre réponse est transmise à la vie scolaire (Collège Alpha)."
    assert account.ovh.jobs[0]["senderForResponse"] is True  # she may answer that too
    message = await InboundMessage.get(sender=MOTHER_MOBILE)
    assert message.acknowledged_at is not None


async def test_read_twice_because_a_delete_failed_it_is_stored_and_thanked_once(
    account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    sms_id = account.ovh.receive(MOTHER_MOBILE, "Léa avait rendez-vous chez le médecin")
    account.ovh.delete_failures = 1
    with caplog.at_level(logging.WARNING, logger="absences.inbound"):
        assert await poll_ovh_incoming(account.ctx) == 1
    assert f"incoming SMS {sms_id} not deleted" in caplog.text
    assert sms_id in account.ovh.incoming and account.ovh.deleted == []

    assert await poll_ovh_incoming(account.ctx) == 0  # read again: nothing more stored
    assert await InboundMessage.filter(provider="ovh").count() == 1
    assert account.ovh.deleted == [sms_id]
    assert len(await _thanks(account)) == 1  # one thanks, not two


async def test_an_unreadable_sms_is_skipped_with_a_warning_and_the_others_stored(
    account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    broken = account.ovh.receive(MOTHER_MOBILE, "Malade")
    del account.ovh.incoming[broken]["sender"]
    good = account.ovh.receive(FATHER_MOBILE, "Elle est malade", at=EVENING)
    with caplog.at_level(logging.WARNING, logger="absences.inbound"):
        assert await poll_ovh_incoming(account.ctx) == 1
    assert f"OVHcloud incoming SMS {broken} skipped: no sender" in caplog.text
    assert await InboundMessage.filter(provider="ovh").values_list("provider_ref", flat=True) == [
        str(good)
    ]
    assert account.ovh.deleted == [good] and broken in account.ovh.incoming  # kept there


async def test_stop_through_ovhcloud_opts_the_number_out_and_confirms(account: Account) -> None:
    sms_id = account.ovh.receive(FATHER_MOBILE, "STOP")
    assert await poll_ovh_incoming(account.ctx) == 1
    point = await ContactPoint.get(id=account.family.father_mobile.id)
    assert point.usability == Usability.OPTED_OUT
    mother = await ContactPoint.get(id=account.family.mother_mobile.id)
    assert mother.usability == Usability.OK
    message = await InboundMessage.get(provider_ref=str(sms_id))
    assert message.status == InboundStatus.OPT_OUT
    [(receivers, text)] = account.answers()
    assert receivers == [FATHER_MOBILE] and text.startswith("Vous ne recevrez plus de SMS")
    assert account.ovh.deleted == [sms_id]


async def test_a_thanks_ovhcloud_refuses_is_logged_and_the_sms_still_deleted(
    account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    account.ovh.invalid_receivers.add(MOTHER_MOBILE)
    sms_id = account.ovh.receive(MOTHER_MOBILE, "Léa est malade")
    assert await poll_ovh_incoming(account.ctx) == 1
    assert account.ovh.deleted == [sms_id]  # stored: deleted whatever becomes of the thanks
    [thanks] = await _thanks(account)
    assert thanks.status in (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)
    point = await ContactPoint.get(id=account.family.mother_mobile.id)
    assert point.usability == Usability.INVALID  # OVHcloud's refusal said so


async def test_an_account_that_cannot_list_is_asked_again_next_run(
    account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    sms_id = account.ovh.receive(MOTHER_MOBILE, "Léa est malade", at=EVENING)
    account.ovh.fail(1, status=503, body={"message": "maintenance"})
    with caplog.at_level(logging.WARNING, logger="absences.inbound"):
        assert await poll_ovh_incoming(account.ctx) == 0
    assert "incoming SMS not listed" in caplog.text and "maintenance" in caplog.text
    assert await poll_ovh_incoming(account.ctx) == 1
    assert account.ovh.deleted == [sms_id]


async def test_it_costs_nothing_when_the_sms_provider_is_not_ovhcloud(tmp_path: Path) -> None:
    # No database here: a query would fail.
    outbox = wrap({"sms": OutboxTransport(tmp_path, channel="sms")})
    try:
        assert await poll_ovh_incoming({"channels": outbox}) == 0
        assert await poll_ovh_incoming({}) == 0  # `absences serve` with Redis: no channels
    finally:
        await outbox.close()
    assert POLL_OVH_INCOMING in CRON and FUNCTIONS[POLL_OVH_INCOMING] is poll_ovh_incoming
