"""OVHcloud SMS against a local server that checks every request's signature."""

from __future__ import annotations

import hashlib

import pytest

from core.models import Usability
from core.services.ports import Message, SendFailed
from gateway.ovh.sms import OvhSmsTransport, ovh_signature
from tests.gateway.fakes.ovh import FakeOvh


def transport(
    ovh: FakeOvh, *, secret: str | None = None, sender: str | None = None
) -> OvhSmsTransport:
    app_key, app_secret, consumer = ovh.keys
    return OvhSmsTransport(
        application_key=app_key,
        application_secret=secret or app_secret,
        consumer_key=consumer,
        service_name=ovh.service_name,
        sender=sender,
        endpoint=ovh.url,
    )


def sms(to: str = "+33612345678") -> Message:
    return Message(channel="sms", delivery_uuid="d-4", to=to, body="Léo est absent ce matin.")


def test_the_signature_is_sha1_of_the_joined_fields() -> None:
    joined = "AS+CK+POST+https://eu.api.ovh.com/1.0/sms/s/jobs+{}+1700000000"
    expected = "$1$" + hashlib.sha1(joined.encode()).hexdigest()
    url = "https://eu.api.ovh.com/1.0/sms/s/jobs"
    assert ovh_signature("AS", "CK", "post", url, "{}", 1700000000) == expected


async def test_it_sends_a_signed_job_with_a_clock_synced_to_ovhcloud(ovh: FakeOvh) -> None:
    adapter = transport(ovh)  # the fake's clock is an hour behind ours
    result = await adapter.send(sms())
    await adapter.close()

    [job] = ovh.jobs
    assert job["receivers"] == ["+33612345678"]
    assert job["message"] == "Léo est absent ce matin."
    assert job["noStopClause"] is True
    assert job["senderForResponse"] is True
    assert "sender" not in job
    assert result.provider == "ovh"
    assert result.provider_ref == "97000001"


async def test_a_named_sender_replaces_the_reply_number(ovh: FakeOvh) -> None:
    adapter = transport(ovh, sender="COLLEGE")
    await adapter.send(sms())
    await adapter.close()
    assert ovh.jobs[0]["sender"] == "COLLEGE"
    assert "senderForResponse" not in ovh.jobs[0]


async def test_an_invalid_receiver_is_permanent(ovh: FakeOvh) -> None:
    ovh.invalid_receivers.add("+33100000000")
    adapter = transport(ovh)
    with pytest.raises(SendFailed) as caught:
        await adapter.send(sms("+33100000000"))
    await adapter.close()
    assert caught.value.permanent is True
    assert caught.value.code == "invalidReceiver"
    assert caught.value.usability == Usability.INVALID  # the number itself is refused


async def test_a_wrong_secret_is_refused_but_not_blamed_on_the_family(ovh: FakeOvh) -> None:
    adapter = transport(ovh, secret="not-the-secret")
    with pytest.raises(SendFailed) as caught:
        await adapter.send(sms())
    await adapter.close()
    assert (caught.value.permanent, caught.value.code) == (False, "auth")
    assert ovh.jobs == []


@pytest.mark.parametrize(("status", "retry_after"), [(500, None), (503, None), (429, 3.0)])
async def test_server_errors_and_throttling_are_transient(
    ovh: FakeOvh, status: int, retry_after: float | None
) -> None:
    headers = {"Retry-After": "3"} if retry_after else {}
    ovh.fail(1, status=status, body={"message": "busy"}, headers=headers)
    adapter = transport(ovh)
    with pytest.raises(SendFailed) as caught:
        await adapter.send(sms())
    await adapter.close()
    assert caught.value.permanent is False
    assert caught.value.retry_after == retry_after


async def test_polling_follows_the_sms_to_its_final_state(ovh: FakeOvh) -> None:
    adapter = transport(ovh)
    refs = [(await adapter.send(sms())).provider_ref for _ in range(4)]
    assert await adapter.poll_status(refs[0]) == "sent"  # still a pending job

    for ref, receipt in zip(refs, [8, 1, 2, 16], strict=True):
        ovh.send_out(int(ref), receipt)
    states = [await adapter.poll_status(ref) for ref in refs]
    with pytest.raises(SendFailed) as caught:
        await adapter.poll_status("12345")
    await adapter.close()

    assert states == ["sent", "delivered", "undelivered", "failed"]
    assert caught.value.permanent is True
