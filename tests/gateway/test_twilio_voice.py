"""Automated calls through a local Twilio-speaking server, and their TwiML scripts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from core.services.ports import Message, SendFailed
from gateway.twilio.voice import TwilioCallTransport, render_gather_reply, render_twiml
from tests.gateway.fakes.twilio import FakeTwilio

PUBLIC = "https://absences.example.fr"
HOOKS = f"{PUBLIC}/hooks/twilio"


def call(voice_url: str = "", **kwargs: object) -> Message:
    fields: dict[str, object] = {
        "delivery_uuid": "d-2",
        "channel": "call",
        "to": "+262692123456",
        "body": "Votre enfant Zoé est absent ce matin.",
    }
    message = Message(**(fields | kwargs))  # type: ignore[arg-type]
    if voice_url:
        message.extra["voice_url"] = voice_url
    return message


def transport(twilio: FakeTwilio) -> TwilioCallTransport:
    return TwilioCallTransport(
        twilio.account_sid,
        twilio.auth_token,
        "+33700000000",
        api_url=twilio.api_url,
        public_url=PUBLIC,
    )


async def test_it_places_a_call_that_fetches_its_script(twilio: FakeTwilio) -> None:
    adapter = transport(twilio)
    result = await adapter.send(call(voice_url=f"{HOOKS}/voice/d-2"))
    await adapter.close()

    [request] = twilio.requests
    assert request.resource == "Calls"
    assert request.get("To") == "+262692123456"
    assert request.get("Url") == f"{HOOKS}/voice/d-2"
    assert request.get("StatusCallback") == f"{HOOKS}/status/d-2"
    assert request.getall("StatusCallbackEvent") == [
        "initiated",
        "ringing",
        "answered",
        "completed",
    ]
    assert result.provider_ref.startswith("CA")


async def test_without_a_voice_url_the_script_travels_with_the_call(twilio: FakeTwilio) -> None:
    adapter = transport(twilio)
    await adapter.send(call(extra={"gather_url": f"{HOOKS}/gather/d-2"}))
    await adapter.close()

    script = twilio.requests[0].get("Twiml") or ""
    assert "Zoé est absent" in script
    assert f'action="{HOOKS}/gather/d-2"' in script


async def test_an_invalid_number_is_permanent_for_calls_too(twilio: FakeTwilio) -> None:
    twilio.reject(21211, "Invalid 'To' Phone Number")
    adapter = transport(twilio)
    with pytest.raises(SendFailed) as caught:
        await adapter.send(call(voice_url=f"{HOOKS}/voice/d-2"))
    await adapter.close()
    assert (caught.value.permanent, caught.value.code) == (True, "21211")


def test_the_script_says_the_message_asks_for_1_and_repeats() -> None:
    text = "Absence de <Zoé> & Léo"
    root = ET.fromstring(render_twiml(text, "fr-FR", f"{HOOKS}/gather/d-2"))

    gathers = root.findall("Gather")
    assert len(gathers) == 2  # the message, then once again
    for gather in gathers:
        assert gather.get("numDigits") == "1"
        assert gather.get("action") == f"{HOOKS}/gather/d-2"
        assert gather.get("method") == "POST"
        said = [say.text for say in gather.findall("Say")]
        assert said == [text, "Appuyez sur 1 pour confirmer la réception de ce message."]
        assert {say.get("language") for say in gather.findall("Say")} == {"fr-FR"}


def test_the_script_escapes_the_text() -> None:
    script = render_twiml("<Hangup/> & co", "fr-FR", None)
    assert "&lt;Hangup/&gt; &amp; co" in script
    assert "action=" not in script


def test_the_english_script_asks_in_english() -> None:
    script = render_twiml("Your child is absent.", "en", "https://x.test/g")
    assert "Press 1 to confirm" in script
    assert 'language="en-GB"' in script


def test_the_reply_to_a_1_thanks_and_hangs_up() -> None:
    root = ET.fromstring(render_gather_reply("1", "fr"))
    assert "Merci" in (root.findtext("Say") or "")
    assert root.find("Hangup") is not None
    assert "Merci" not in render_gather_reply("7", "fr")
