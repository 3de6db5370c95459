"""OVHcloud's incoming SMS, read by polling from the local server that checks signatures."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from core.services.ports import SendFailed
from gateway.ovh.incoming import OvhIncomingSource, Unreadable, parse_incoming
from tests.gateway.fakes.ovh import FakeOvh
from tests.gateway.test_ovh_reports import transport

MOBILE = "+33612345678"


async def test_the_waiting_sms_are_read_oldest_first_and_deleted(ovh: FakeOvh) -> None:
    first = ovh.receive(MOBILE, "Léa a de la fièvre", at=datetime(2026, 3, 2, 17, 5, tzinfo=UTC))
    second = ovh.receive("0033698765432", "STOP")
    adapter = transport(ovh)
    try:
        source = OvhIncomingSource(adapter)
        read = await source.incoming()
        assert [sms.provider_ref for sms in read] == [str(first), str(second)]
        lea = read[0]
        assert (lea.sender, lea.text) == (MOBILE, "Léa a de la fièvre")
        assert lea.at == datetime(2026, 3, 2, 17, 5, tzinfo=UTC)  # given as 18:05+01:00
        assert ovh.incoming[first]["creationDatetime"] == "2026-03-02T18:05:00+01:00"
        assert lea.raw["tag"] == "" and lea.raw["credits"] == 0 and lea.recipient is None
        await source.forget(str(first))
        await source.forget(str(first))  # already gone: as good
        assert ovh.deleted == [first] and list(ovh.incoming) == [second]
    finally:
        await adapter.close()


async def test_an_unreadable_sms_is_skipped_with_a_warning_and_kept(
    ovh: FakeOvh, caplog: pytest.LogCaptureFixture
) -> None:
    broken = ovh.receive(MOBILE, "Malade")
    ovh.incoming[broken]["creationDatetime"] = "hier soir"
    kept = ovh.receive(MOBILE, "Rendez-vous chez le médecin")
    adapter = transport(ovh)
    try:
        with caplog.at_level(logging.WARNING, logger="absences.inbound"):
            read = await OvhIncomingSource(adapter).incoming()
    finally:
        await adapter.close()
    assert [sms.provider_ref for sms in read] == [str(kept)]
    assert f"incoming SMS {broken} skipped" in caplog.text and "not a date" in caplog.text
    assert broken in ovh.incoming and ovh.deleted == []


async def test_a_busy_or_forged_list_is_an_error_and_a_failed_delete_too(ovh: FakeOvh) -> None:
    sms_id = ovh.receive(MOBILE, "Malade")
    forged = transport(ovh, secret="not-the-secret")
    try:
        with pytest.raises(SendFailed) as refused:
            await OvhIncomingSource(forged).incoming()
        assert refused.value.code == "auth"
    finally:
        await forged.close()
    adapter = transport(ovh)
    try:
        ovh.fail(1, status=503, body={"message": "maintenance"})
        with pytest.raises(SendFailed) as busy:
            await OvhIncomingSource(adapter).incoming()
        assert not busy.value.permanent
        ovh.delete_failures = 1
        with pytest.raises(SendFailed):
            await OvhIncomingSource(adapter).forget(str(sms_id))
        assert sms_id in ovh.incoming
    finally:
        await adapter.close()


async def test_a_run_reads_at_most_its_limit(ovh: FakeOvh) -> None:
    ids = [ovh.receive(MOBILE, f"message {n}") for n in range(5)]
    adapter = transport(ovh)
    try:
        read = await OvhIncomingSource(adapter, limit=3).incoming()
    finally:
        await adapter.close()
    assert [sms.provider_ref for sms in read] == [str(i) for i in ids[:3]]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"sender": ""}, "no sender"),
        ({"message": None}, "no message"),
        ({"creationDatetime": None}, "no creationDatetime"),
        ({"id": 7}, "answered for id 7"),
    ],
)
def test_what_an_object_must_hold(change: dict[str, object], reason: str) -> None:
    good = {
        "id": 5,
        "creationDatetime": "2026-03-02T18:05:00",  # no offset: Paris time
        "sender": MOBILE,
        "message": "ok",
    }
    assert parse_incoming("5", good).at == datetime(2026, 3, 2, 17, 5, tzinfo=UTC)
    with pytest.raises(Unreadable, match=reason):
        parse_incoming("5", {**good, **change})


async def test_an_sms_skipped_before_never_holds_the_new_ones_back(
    ovh: FakeOvh, caplog: pytest.LogCaptureFixture
) -> None:
    broken = ovh.receive(MOBILE, "Malade")
    ovh.incoming[broken]["message"] = None
    adapter = transport(ovh)
    skipped: set[str] = set()
    try:
        with caplog.at_level(logging.INFO, logger="absences.inbound"):
            assert await OvhIncomingSource(adapter, limit=1, skipped=skipped).incoming() == []
            fresh = ovh.receive(MOBILE, "Elle est malade")
            read = await OvhIncomingSource(adapter, limit=1, skipped=skipped).incoming()
            assert [sms.provider_ref for sms in read] == [str(fresh)]  # the broken one waits
            ovh.incoming[broken]["message"] = "Malade"  # readable at last
            ovh.incoming.pop(fresh)
            read = await OvhIncomingSource(adapter, limit=1, skipped=skipped).incoming()
    finally:
        await adapter.close()
    assert [sms.provider_ref for sms in read] == [str(broken)] and skipped == set()
    warned = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert [r.levelno for r in warned] == [logging.WARNING]  # once, however many runs
