"""Twilio's signed webhooks: the signature, forged requests, and what each status means."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from multidict import MultiDict

from core.services.ports import Message
from gateway.twilio.callbacks import (
    CallbackError,
    StatusReport,
    parse_call_status,
    parse_inbound_sms,
    parse_message_status,
    signature,
    verify_signature,
)
from gateway.twilio.sms import TwilioSmsTransport
from tests.gateway.fakes.server import LocalServer
from tests.gateway.fakes.twilio import FakeTwilio

DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="  # Twilio's documented example, token 12345


def test_the_signature_matches_twilios_documented_example() -> None:
    assert signature(DOC_URL, DOC_PARAMS, "12345") == DOC_SIGNATURE
    assert verify_signature(DOC_URL, DOC_PARAMS, DOC_SIGNATURE, "12345")


def test_the_url_may_name_the_default_port_or_not() -> None:
    with_port = DOC_URL.replace("mycompany.com", "mycompany.com:443")
    assert verify_signature(with_port, DOC_PARAMS, DOC_SIGNATURE, "12345")
    signed_with_port = signature(with_port, DOC_PARAMS, "12345")
    assert verify_signature(DOC_URL, DOC_PARAMS, signed_with_port, "12345")
    assert not verify_signature(
        DOC_URL.replace("mycompany.com", "mycompany.com:8443"), DOC_PARAMS, DOC_SIGNATURE, "12345"
    )


def test_the_order_of_the_parameters_does_not_matter() -> None:
    shuffled = list(reversed(DOC_PARAMS.items()))
    assert verify_signature(DOC_URL, shuffled, DOC_SIGNATURE, "12345")
    assert verify_signature(DOC_URL, MultiDict(shuffled), DOC_SIGNATURE, "12345")


@pytest.mark.parametrize(
    ("url", "params", "header", "token"),
    [
        (DOC_URL, DOC_PARAMS, DOC_SIGNATURE, "54321"),  # another account's token
        (DOC_URL, DOC_PARAMS | {"Digits": "1"}, DOC_SIGNATURE, "12345"),  # a changed field
        (DOC_URL.replace("foo=1", "foo=2"), DOC_PARAMS, DOC_SIGNATURE, "12345"),  # another URL
        (DOC_URL, DOC_PARAMS, None, "12345"),  # no header
        (DOC_URL, DOC_PARAMS, "", "12345"),
        (DOC_URL, DOC_PARAMS, DOC_SIGNATURE, ""),  # no token configured
    ],
)
def test_a_forged_or_altered_request_is_refused(
    url: str, params: dict[str, str], header: str | None, token: str
) -> None:
    assert not verify_signature(url, params, header, token)


class Hooks(LocalServer):
    """What the web layer does with a status callback: verify, then parse."""

    def __init__(self, auth_token: str) -> None:
        super().__init__()
        self.auth_token = auth_token
        self.reports: list[StatusReport] = []
        self.app.router.add_post("/hooks/twilio/status/{uuid}", self._status)

    async def _status(self, request: web.Request) -> web.Response:
        form = await request.post()
        params = [(k, str(v)) for k, v in form.items()]
        url = self.url + request.path_qs
        if not verify_signature(
            url, params, request.headers.get("X-Twilio-Signature"), self.auth_token
        ):
            return web.Response(status=403)
        self.reports.append(parse_message_status(params))
        return web.Response(status=200)


@pytest.fixture
async def hooks(twilio: FakeTwilio) -> AsyncIterator[Hooks]:
    server = Hooks(twilio.auth_token)
    await server.start()
    yield server
    await server.stop()


async def test_signed_reports_are_accepted_and_forged_ones_refused(
    twilio: FakeTwilio, hooks: Hooks
) -> None:
    adapter = TwilioSmsTransport(
        twilio.account_sid,
        twilio.auth_token,
        "+33700000000",
        api_url=twilio.api_url,
        public_url=hooks.url,
    )
    message = Message(channel="sms", delivery_uuid="d-3", to="+33612345678", body="Absence")
    result = await adapter.send(message)
    await adapter.close()
    [sent] = twilio.requests

    assert await twilio.report(sent, "sent") == 200
    assert await twilio.report(sent, "delivered") == 200
    forged = {"MessageSid": sent.sid, "MessageStatus": "failed"}
    callback = f"{hooks.url}/hooks/twilio/status/d-3"
    assert sent.get("StatusCallback") == callback
    assert await twilio.post_callback(callback, forged, token="x") == 403

    assert [(r.provider_ref, r.status) for r in hooks.reports] == [
        (result.provider_ref, "sent"),
        (result.provider_ref, "delivered"),
    ]


@pytest.mark.parametrize(
    ("twilio_status", "ours"),
    [
        ("queued", "sent"),
        ("sending", "sent"),
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("undelivered", "undelivered"),
        ("failed", "failed"),
    ],
)
def test_message_statuses_map_to_ours(twilio_status: str, ours: str) -> None:
    report = parse_message_status({"MessageSid": "SM1", "MessageStatus": twilio_status})
    assert report.status == ours
    assert report.event_ref == f"SM1:{twilio_status}"


def test_an_undelivered_report_carries_its_error_code() -> None:
    form = {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30005"}
    report = parse_message_status(form)
    assert (report.error_code, report.permanent) == ("30005", True)
    assert report.raw["ErrorCode"] == "30005"
    assert parse_message_status(form).event_ref == report.event_ref  # the same report twice


def test_a_report_without_sid_or_with_an_unknown_status_is_an_error() -> None:
    with pytest.raises(CallbackError):
        parse_message_status({"MessageStatus": "sent"})
    with pytest.raises(CallbackError):
        parse_message_status({"MessageSid": "SM1", "MessageStatus": "teleported"})


@pytest.mark.parametrize(
    ("call_status", "ours"),
    [
        ("ringing", "sent"),
        ("in-progress", "sent"),
        ("completed", "delivered"),
        ("busy", "undelivered"),
        ("no-answer", "undelivered"),
        ("failed", "failed"),
        ("canceled", "failed"),
    ],
)
def test_call_statuses_map_to_ours(call_status: str, ours: str) -> None:
    report = parse_call_status({"CallSid": "CA1", "CallStatus": call_status})
    assert report.status == ours
    assert report.confirmed is False


def test_a_key_1_confirms_the_call() -> None:
    form = {"CallSid": "CA1", "CallStatus": "in-progress", "Digits": "1", "AnsweredBy": "human"}
    report = parse_call_status(form)
    assert (report.status, report.confirmed) == ("delivered", True)
    assert report.event_ref == "CA1:in-progress:1"
    assert report.raw["AnsweredBy"] == "human"


def test_an_inbound_sms_names_its_sender_and_text() -> None:
    form = {"MessageSid": "SM9", "From": "+33612345678", "To": "+33700000000", "Body": "STOP"}
    inbound = parse_inbound_sms(form)
    assert (inbound.provider_ref, inbound.sender, inbound.to, inbound.text) == (
        "SM9",
        "+33612345678",
        "+33700000000",
        "STOP",
    )


def test_an_inbound_sms_with_ids_or_numbers_too_long_for_twilio_is_refused() -> None:
    with pytest.raises(CallbackError):
        parse_inbound_sms({"MessageSid": "S" * 500, "From": "+33612345678", "Body": "x"})
    with pytest.raises(CallbackError):
        parse_inbound_sms({"MessageSid": "SM1", "From": "3" * 5_000, "Body": "x"})
    with pytest.raises(CallbackError):
        parse_message_status({"MessageSid": "S" * 500, "MessageStatus": "sent"})


def test_an_inbound_sms_loses_its_nul_characters_and_its_body_is_bounded() -> None:
    inbound = parse_inbound_sms({"MessageSid": "SM1", "From": "+336\x0012", "Body": "a\x00b"})
    assert (inbound.sender, inbound.text) == ("+33612", "ab")
    with pytest.raises(CallbackError):  # a sender of NUL only is no sender
        parse_inbound_sms({"MessageSid": "SM2", "From": "\x00", "Body": "STOP"})
    assert (
        len(parse_inbound_sms({"MessageSid": "SM3", "From": "+1", "Body": "x" * 99_999}).text)
        < 99_999
    )
