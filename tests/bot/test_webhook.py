"""``POST /hooks/telegram``: only Telegram (its secret header) is listened to, each update is
handled once, a body that is not an update is refused without a traceback; without the bot
configured the path does not exist."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.webhook import PATH
from core.models import BotUpdate, InboundMessage, School
from core.services.access.chat_links import issue_code
from tests.bot.conftest import SYSTEM
from tests.bot.support import BotService, Family, bot_settings, serving
from tests.core.services.notice_support import Family as Guardians
from tests.gateway.fakes.telegram import FakeTelegram


async def test_a_forged_update_changes_nothing(
    service: BotService, school: School, guardians: Guardians, caplog: pytest.LogCaptureFixture
) -> None:
    issued = await issue_code(school, SYSTEM, guardians.mother.id, now=datetime.now(UTC))
    update = service.message(Family(4242), text=f"/start {issued.code}")
    with caplog.at_level(logging.WARNING, logger="absences.hooks"):
        assert await service.post(update, secret=None) == 401
        assert await service.post(update, secret="not-the-secret") == 403
    assert "without its secret" in caplog.text and "wrong secret" in caplog.text
    assert service.telegram.calls == [] and await BotUpdate.all().count() == 0
    assert await service.post(update) == 200  # the same update, from Telegram: handled
    assert "Bonjour" in service.telegram.texts(4242)[0]


async def test_an_update_posted_twice_is_handled_once(
    service: BotService, school: School, guardians: Guardians
) -> None:
    issued = await issue_code(school, SYSTEM, guardians.mother.id, now=datetime.now(UTC))
    anne = Family(4242)
    await service.say(anne, f"/start {issued.code}")
    update = service.message(anne, text="Léa est malade, elle revient jeudi")
    assert await service.post(update) == 200
    assert await service.post(update) == 200  # Telegram retries what it thinks failed
    assert await InboundMessage.filter(channel="chat", sender="4242").count() == 1
    thanks = [t for t in service.telegram.texts(4242) if "transmis" in t]
    assert len(thanks) == 1


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"update_id": "x"}', b'{"message": {}}', b"\xff\xfe"],
)
async def test_a_body_that_is_not_an_update_is_refused(service: BotService, body: bytes) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": "webhook-secret-for-tests"}
    response = await service.client.post(PATH, data=body, headers=headers)
    assert response.status == 400
    assert "Traceback" not in await response.text()


async def test_without_the_bot_configured_the_path_does_not_exist(
    db: str, telegram: FakeTelegram, tmp_path: Path
) -> None:
    for unset in ({"telegram_token": None}, {"telegram_webhook_secret": None}):
        async with serving(bot_settings(telegram, tmp_path, **unset), telegram) as service:
            response = await service.client.post(PATH, json={"update_id": 1})
            assert response.status == 404
