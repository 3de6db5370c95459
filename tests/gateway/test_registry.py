"""Which adapter serves which channel, from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.services.ports import Transport
from core.settings import Settings, SettingsError
from gateway.base import Provider
from gateway.letter.transport import LetterTransport
from gateway.outbox.transport import OutboxTransport
from gateway.ovh.sms import OvhSmsTransport
from gateway.registry import PROVIDERS, build_transports, close_transports
from gateway.smtp.transport import SmtpTransport
from gateway.telegram.transport import TelegramTransport
from gateway.twilio.sms import TwilioSmsTransport
from gateway.twilio.voice import TwilioCallTransport


def with_twilio(tmp_path: Path, **kwargs: Any) -> Settings:
    return Settings(
        var_dir=tmp_path,
        twilio_account_sid="AC1",
        twilio_auth_token="t",
        twilio_from="+33700000000",
        **kwargs,
    )


OvhSettings = Settings


async def test_the_embedded_default_writes_to_the_outbox(tmp_path: Path) -> None:
    transports = build_transports(Settings(var_dir=tmp_path))
    assert set(transports) == {"sms", "email", "letter"}
    sms, email = transports["sms"], transports["email"]
    assert isinstance(sms, OutboxTransport) and sms.channel == "sms"
    assert isinstance(email, OutboxTransport) and email.channel == "email"
    assert isinstance(transports["letter"], LetterTransport)
    await close_transports(transports)


async def test_every_channel_when_every_provider_is_configured(tmp_path: Path) -> None:
    settings = with_twilio(
        tmp_path,
        sms_provider="twilio",
        smtp_host="127.0.0.1",
        smtp_from="vie-scolaire@college.fr",
        telegram_token="1:abc",
    )
    transports = build_transports(settings)
    assert set(transports) == {"sms", "call", "email", "letter", "chat"}
    assert isinstance(transports["sms"], TwilioSmsTransport)
    assert isinstance(transports["call"], TwilioCallTransport)
    assert isinstance(transports["email"], SmtpTransport)
    assert isinstance(transports["chat"], TelegramTransport)
    await close_transports(transports)


def test_calls_need_twilio_even_when_sms_go_elsewhere(tmp_path: Path) -> None:
    transports = build_transports(with_twilio(tmp_path))
    assert isinstance(transports["sms"], OutboxTransport)
    assert isinstance(transports["call"], TwilioCallTransport)


def test_a_provider_without_its_credentials_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ABSENCES_TWILIO_AUTH_TOKEN"):
        build_transports(Settings(var_dir=tmp_path, sms_provider="twilio"))
    with pytest.raises(SettingsError, match="ABSENCES_OVH_APPLICATION_KEY"):
        build_transports(Settings(var_dir=tmp_path, sms_provider="ovh"))
    with pytest.raises(SettingsError, match="ABSENCES_SMTP_FROM"):
        build_transports(Settings(var_dir=tmp_path, smtp_host="127.0.0.1"))


def test_ovh_once_its_settings_exist(tmp_path: Path) -> None:
    settings = OvhSettings(
        var_dir=tmp_path,
        sms_provider="ovh",
        ovh_application_key="k",
        ovh_application_secret="s",
        ovh_consumer_key="c",
        ovh_service_name="sms-ab12345-1",
        ovh_sender="COLLEGE",
    )
    sms = build_transports(settings)["sms"]
    assert isinstance(sms, OvhSmsTransport)
    assert (sms.service_name, sms.sender) == ("sms-ab12345-1", "COLLEGE")


def test_a_provider_declares_only_channels_of_the_table(tmp_path: Path) -> None:
    def build(settings: Settings) -> dict[str, Transport]:
        return {"fax": OutboxTransport(settings.var_dir, channel="fax")}

    with pytest.raises(ValueError, match="unknown channels: fax"):
        build_transports(Settings(var_dir=tmp_path), (Provider("faxes", ("fax",), build),))
    with pytest.raises(ValueError, match="built 'fax', which it does not declare"):
        build_transports(Settings(var_dir=tmp_path), (Provider("faxes", ("sms",), build),))


def test_the_first_provider_that_serves_a_channel_keeps_it(tmp_path: Path) -> None:
    transports = build_transports(Settings(var_dir=tmp_path, sms_provider="ovh"), PROVIDERS[-1:])
    assert isinstance(transports["sms"], OutboxTransport)  # the outbox alone: OVH not listed
    assert [p.name for p in PROVIDERS][-1] == "outbox"  # the outbox comes last, as a default
