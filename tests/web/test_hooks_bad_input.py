"""A webhook body that is not a readable form (bytes that are not UTF-8) is a 400 and a warning,
never a traceback: nobody but Twilio should post there, and Twilio posts UTF-8."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.models import InboundMessage
from tests.web.hooks_support import Service, running_service

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.fixture
async def service(db: str, tmp_path: Path) -> AsyncIterator[Service]:
    async with running_service(tmp_path / "var") as running:
        yield running


@pytest.mark.parametrize(
    "path", ["/hooks/twilio/sms", f"/hooks/twilio/status/{uuid.uuid4()}", "/hooks/twilio/gather/x"]
)
async def test_a_body_that_is_not_utf8_is_a_400_and_a_warning(
    service: Service, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.WARNING):
        response = await service.client.post(
            path, data=b"From=%2B33612345678&Body=caf\xe9\xff", headers=FORM
        )
    assert response.status == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("unreadable" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("sender", "sid"), [("+33612345678", "S" * 500), ("3" * 5_000, "SM1"), ("\x00", "SM2")]
)
async def test_a_signed_sms_with_fields_twilio_never_sends_is_answered_and_not_stored(
    service: Service, caplog: pytest.LogCaptureFixture, sender: str, sid: str
) -> None:
    with caplog.at_level(logging.WARNING):
        status = await service.sms(sender, "STOP", sid)
    assert status == 200  # Twilio is answered (an empty TwiML), nothing retried
    assert await InboundMessage.all().count() == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_reply_with_a_nul_character_is_stored_without_it(service: Service) -> None:
    assert await service.sms("+33612345678", "malade\x00 depuis hier", "SM" + "9" * 32) == 200
    [message] = await InboundMessage.all()
    assert message.text == "malade depuis hier"
    assert message.raw_data is not None and "\x00" not in str(message.raw_data)
