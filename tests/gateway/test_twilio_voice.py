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


MENU = (
    "Appuyez sur 1 si vous avez bien reçu ce message, sur 2 pour être rappelé par la vie "
    "scolaire, sur 3 pour réécouter ce message."
)


def _said(node: ET.Element) -> list[str | None]:
    return [say.text for say in node.iter("Say")]


def test_the_script_says_the_message_and_its_menu_and_repeats() -> None:
    text = "Absence de <Zoé> & Léo\n---\nTapez 1, 2 ou 3."
    root = ET.fromstring(render_twiml(text, "fr-FR", f"{HOOKS}/gather/d-2"))

    gathers = root.findall("Gather")
    assert len(gathers) == 2  # the message, then once again
    for gather in gathers:
        assert gather.get("numDigits") == "1"
        assert gather.get("action") == f"{HOOKS}/gather/d-2"
        assert gather.get("method") == "POST"
        assert _said(gather) == ["Absence de <Zoé> & Léo", "Tapez 1, 2 ou 3."]
        assert {say.get("language") for say in gather.findall("Say")} == {"fr-FR"}


def test_a_template_without_a_menu_gets_the_default_one() -> None:
    root = ET.fromstring(render_twiml("Absence de Zoé.", "fr-FR", None))
    [gather, _] = root.findall("Gather")
    assert _said(gather) == ["Absence de Zoé.", MENU]


def test_the_script_escapes_the_text() -> None:
    script = render_twiml("<Hangup/> & co", "fr-FR", None)
    assert "&lt;Hangup/&gt; &amp; co" in script
    assert "action=" not in script


def test_the_english_script_asks_in_english() -> None:
    script = render_twiml("Your child is absent.", "en", "https://x.test/g")
    assert "Press 1 if you have received this message" in script
    assert 'language="en-GB"' in script


def test_a_1_thanks_and_a_2_passes_the_call_back_on_then_hang_up() -> None:
    for key, words in (("1", "Merci, nous avons bien noté"), ("2", "demande de rappel")):
        root = ET.fromstring(render_gather_reply(key, "fr"))
        assert words in (root.findtext("Say") or "")
        assert root.find("Hangup") is not None and root.find("Gather") is None


def test_a_3_repeats_the_message_and_another_key_the_menu() -> None:
    text = "Absence de Zoé.\n---\nTapez 1, 2 ou 3."
    again = ET.fromstring(render_gather_reply("3", "fr", text, f"{HOOKS}/gather/d-2"))
    [gather, _] = again.findall("Gather")
    assert gather.get("action") == f"{HOOKS}/gather/d-2"
    assert _said(gather) == ["Absence de Zoé.", "Tapez 1, 2 ou 3."]
    menu = ET.fromstring(render_gather_reply("9", "fr", text))
    assert _said(menu.findall("Gather")[0]) == ["Tapez 1, 2 ou 3."]
    assert _said(menu)[-1] == "Au revoir."
    unknown = ET.fromstring(render_gather_reply("3", "en"))  # the words not at hand
    assert "Press 1" in (_said(unknown)[0] or "")
