"""Telegram through a local server that speaks the Bot API."""

from __future__ import annotations

import pytest

from core.models import Usability
from core.services.ports import Message, SendFailed
from gateway.telegram.transport import TelegramTransport
from tests.gateway.fakes.telegram import FakeTelegram


def transport(telegram: FakeTelegram, token: str | None = None) -> TelegramTransport:
    return TelegramTransport(token or telegram.token, api_url=telegram.url)


def chat_message(chat: str = "424242") -> Message:
    return Message(channel="chat", delivery_uuid="d-5", to=chat, body="Zoé est absente ce matin.")


async def failure(
    telegram: FakeTelegram, chat: str = "424242", token: str | None = None
) -> SendFailed:
    adapter = transport(telegram, token)
    with pytest.raises(SendFailed) as caught:
        await adapter.send(chat_message(chat))
    await adapter.close()
    return caught.value


async def test_it_sends_the_text_to_the_chat(telegram: FakeTelegram) -> None:
    adapter = transport(telegram)
    result = await adapter.send(chat_message())
    await adapter.close()
    assert telegram.sent[0]["chat_id"] == "424242"
    assert telegram.sent[0]["text"] == "Zoé est absente ce matin."
    assert (result.provider, result.provider_ref) == ("telegram", "424242:1")


async def test_a_family_that_blocked_the_bot_is_permanent(telegram: FakeTelegram) -> None:
    telegram.blocked.add("424242")
    error = await failure(telegram)
    assert (error.permanent, error.code) == (True, "blocked")
    assert error.usability == Usability.BLOCKED


async def test_a_chat_that_does_not_exist_is_permanent(telegram: FakeTelegram) -> None:
    telegram.unknown.add("999")
    error = await failure(telegram, "999")
    assert (error.permanent, error.code) == (True, "blocked")


async def test_flood_control_is_transient_with_telegrams_delay(telegram: FakeTelegram) -> None:
    telegram.throttle(retry_after=5)
    error = await failure(telegram)
    assert (error.permanent, error.retry_after) == (False, 5.0)


async def test_a_server_error_is_transient(telegram: FakeTelegram) -> None:
    telegram.fail(
        1, status=502, body={"ok": False, "error_code": 502, "description": "Bad Gateway"}
    )
    error = await failure(telegram)
    assert error.permanent is False


async def test_a_wrong_token_is_ours_to_fix_and_never_shown(telegram: FakeTelegram) -> None:
    error = await failure(telegram, token="999:wrong-token")
    assert (error.permanent, error.code, error.usability) == (False, "auth", None)
    await telegram.stop()
    down = await failure(telegram, token="999:secret-token")
    assert down.permanent is False
    assert "secret-token" not in down.message
