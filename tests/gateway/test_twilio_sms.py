"""Twilio SMS against a local server that speaks Twilio's Messages API."""

from __future__ import annotations

import pytest

from core.models import Usability
from core.services.ports import Message, SendFailed
from gateway.twilio.sms import TwilioSmsTransport
from tests.gateway.fakes.twilio import FakeTwilio

PUBLIC = "https://absences.example.fr"
CALLBACK = f"{PUBLIC}/hooks/twilio/status/d-1"


def sms(to: str = "+33612345678", body: str = "Zoé est absente ce matin.") -> Message:
    return Message(channel="sms", delivery_uuid="d-1", to=to, body=body)


def transport(
    twilio: FakeTwilio, *, token: str | None = None, timeout: float = 10.0
) -> TwilioSmsTransport:
    return TwilioSmsTransport(
        twilio.account_sid,
        token or twilio.auth_token,
        "+33700000000",
        api_url=twilio.api_url,
        timeout=timeout,
        public_url=PUBLIC,
    )


async def send_expecting_error(adapter: TwilioSmsTransport) -> SendFailed:
    with pytest.raises(SendFailed) as caught:
        await adapter.send(sms())
    await adapter.close()
    return caught.value


async def test_it_sends_the_sms_and_returns_twilios_sid(twilio: FakeTwilio) -> None:
    adapter = transport(twilio)
    result = await adapter.send(sms())
    await adapter.close()

    [request] = twilio.requests
    assert request.resource == "Messages"
    assert request.get("To") == "+33612345678"
    assert request.get("From") == "+33700000000"
    assert request.get("Body") == "Zoé est absente ce matin."
    assert request.get("StatusCallback") == CALLBACK
    assert result.provider == "twilio"
    assert result.provider_ref == request.sid
    assert result.provider_ref.startswith("SM")
    assert result.delivered is False


async def test_a_provider_failing_twice_then_succeeding_sends_one_sms(twilio: FakeTwilio) -> None:
    twilio.fail(2, status=500)
    adapter = transport(twilio)
    errors = []
    for _ in range(3):
        try:
            result = await adapter.send(sms())
        except SendFailed as error:
            errors.append(error)
    await adapter.close()

    assert [e.permanent for e in errors] == [False, False]
    assert twilio.attempts == 3
    assert len(twilio.requests) == 1
    assert result.provider_ref == twilio.requests[0].sid


async def test_a_429_is_transient_and_honours_retry_after(twilio: FakeTwilio) -> None:
    twilio.fail(1, status=429, headers={"Retry-After": "7"}, body={"code": 20429})
    error = await send_expecting_error(transport(twilio))
    assert error.permanent is False
    assert error.retry_after == 7.0
    assert error.code == "20429"


@pytest.mark.parametrize("code", [21211, 21610, 21614, 21408, 30003, 30005, 30008])
async def test_an_unreachable_recipient_is_permanent(twilio: FakeTwilio, code: int) -> None:
    twilio.reject(code, "The 'To' number is not a valid phone number.")
    error = await send_expecting_error(transport(twilio))
    assert error.permanent is True
    assert error.code == str(code)
    assert str(code) in error.message


@pytest.mark.parametrize(
    ("code", "usability"),
    [
        (21211, Usability.INVALID),
        (21614, Usability.INVALID),
        (21610, Usability.OPTED_OUT),
        (30004, Usability.BLOCKED),
        (21408, None),  # our account, not the number
        (30003, None),  # unreachable: nothing sure about the number
    ],
)
async def test_the_adapter_says_what_an_error_means_for_the_number(
    twilio: FakeTwilio, code: int, usability: Usability | None
) -> None:
    twilio.reject(code)
    error = await send_expecting_error(transport(twilio))
    assert (error.permanent, error.usability) == (True, usability)


async def test_any_other_4xx_is_permanent(twilio: FakeTwilio) -> None:
    adapter = transport(twilio)
    with pytest.raises(SendFailed) as caught:
        await adapter.send(sms(body=""))  # Twilio: 21602, body required
    await adapter.close()
    assert caught.value.permanent is True
    assert caught.value.code == "21602"


async def test_wrong_credentials_are_ours_to_fix_so_not_permanent(twilio: FakeTwilio) -> None:
    error = await send_expecting_error(transport(twilio, token="wrong"))
    assert error.permanent is False
    assert error.code == "auth"


async def test_a_timeout_is_transient(twilio: FakeTwilio) -> None:
    twilio.fail(1, hang=2.0)
    error = await send_expecting_error(transport(twilio, timeout=0.2))
    assert error.permanent is False
    assert error.code == "network"


async def test_a_server_that_is_down_is_transient(twilio: FakeTwilio) -> None:
    adapter = transport(twilio)
    await twilio.stop()
    error = await send_expecting_error(adapter)
    assert error.permanent is False


async def test_it_sends_again_after_close(twilio: FakeTwilio) -> None:
    adapter = transport(twilio)
    await adapter.send(sms())
    await adapter.close()
    await adapter.send(sms())
    await adapter.close()
    assert len(twilio.requests) == 2
