"""OVHcloud delivery reports by polling, against the local server that checks signatures."""

from __future__ import annotations

import pytest

from core.services.ports import Message
from gateway.ovh.sms import OvhSmsTransport
from tests.gateway.fakes.ovh import FakeOvh


def transport(ovh: FakeOvh, *, secret: str | None = None) -> OvhSmsTransport:
    app_key, app_secret, consumer = ovh.keys
    return OvhSmsTransport(
        application_key=app_key,
        application_secret=secret or app_secret,
        consumer_key=consumer,
        service_name=ovh.service_name,
        endpoint=ovh.url,
    )


async def sent(adapter: OvhSmsTransport, count: int) -> list[str]:
    refs = []
    for n in range(count):
        message = Message(
            channel="sms", delivery_uuid=f"d-{n}", to=f"+3361234560{n}", body="Absent."
        )
        refs.append((await adapter.send(message)).provider_ref)
    return refs


async def test_reports_give_each_sms_its_state_in_order(ovh: FakeOvh) -> None:
    adapter = transport(ovh)
    try:
        refs = await sent(adapter, 6)
        ids = [int(ref) for ref in refs]
        # 0: still a job; then delivered, not delivered, refused, buffered, handed over.
        for sms_id, receipt in zip(ids[1:], (1, 2, 16, 4, 8), strict=True):
            ovh.send_out(sms_id, receipt)
        reports = await adapter.reports(list(reversed(refs)), concurrency=2)
    finally:
        await adapter.close()

    assert [r.ref for r in reports] == list(reversed(refs))
    by_ref = {r.ref: r for r in reports}
    assert [by_ref[ref].status for ref in refs] == [
        "sent",
        "delivered",
        "undelivered",
        "failed",
        "sent",
        "sent",
    ]
    assert [by_ref[ref].receipt for ref in refs] == [None, 1, 2, 16, 4, 8]
    delivered = by_ref[refs[1]]
    assert delivered.raw["deliveryReceipt"] == 1 and delivered.raw["receiver"] == "+33612345601"
    assert delivered.error is None
    assert ovh.polls(ids[0]) == 2  # outgoing (404), then the pending job
    assert all(ovh.polls(i) == 1 for i in ids[1:])


async def test_an_sms_ovhcloud_cannot_answer_about_carries_its_error(ovh: FakeOvh) -> None:
    adapter = transport(ovh)
    try:
        known, purged = await sent(adapter, 2)
        ovh.send_out(int(known), 1)
        ovh.forget(int(purged))
        reports = await adapter.reports([purged, known])
        assert [r.status for r in reports] == [None, "delivered"]
        error = reports[0].error
        assert error is not None and error.permanent and error.code == "404"
        ovh.fail(1, status=503, body={"message": "maintenance"})
        [busy] = await adapter.reports([known])
        assert busy.status is None and busy.error is not None and not busy.error.permanent
        assert await adapter.poll_status(known) == "delivered"
    finally:
        await adapter.close()


async def test_unsigned_polls_are_refused_and_reported_as_errors(ovh: FakeOvh) -> None:
    good = transport(ovh)
    try:
        [ref] = await sent(good, 1)
    finally:
        await good.close()
    forged = transport(ovh, secret="not-the-secret")
    try:
        [report] = await forged.reports([ref])
    finally:
        await forged.close()
    assert report.status is None and report.error is not None
    assert "signature" in report.error.message.lower() and report.error.code == "auth"


@pytest.mark.parametrize("count", [0, 1])
async def test_no_request_for_no_sms(ovh: FakeOvh, count: int) -> None:
    adapter = transport(ovh)
    try:
        refs = await sent(adapter, count)
        reports = await adapter.reports(refs[:0])
    finally:
        await adapter.close()
    assert reports == [] and ovh.polled == []
