"""The composition of the channels: which adapter serves which channel, from the settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.settings import Settings, SettingsError
from gateway.base import Transport
from gateway.email.smtp import SmtpTransport
from gateway.letter.transport import LetterTransport
from gateway.sms.outbox import OutboxTransport
from gateway.sms.ovh import DEFAULT_ENDPOINT, OvhSmsTransport
from gateway.sms.twilio import TwilioSmsTransport
from gateway.telegram import TelegramTransport
from gateway.voice.twilio import TwilioCallTransport

CHANNELS = ("sms", "call", "email", "letter", "chat")
OVH_SETTINGS = ("application_key", "application_secret", "consumer_key", "service_name")


def _twilio(settings: Settings) -> tuple[str, str, str] | None:
    sid, token, sender = (
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        settings.twilio_from,
    )
    return (sid, token, sender) if sid and token and sender else None


def _sms(settings: Settings) -> Transport:
    if settings.sms_provider == "twilio":
        twilio = _twilio(settings)
        if twilio is None:
            raise SettingsError(
                "ABSENCES_SMS_PROVIDER=twilio needs ABSENCES_TWILIO_ACCOUNT_SID, "
                "ABSENCES_TWILIO_AUTH_TOKEN and ABSENCES_TWILIO_FROM"
            )
        return TwilioSmsTransport(*twilio, api_url=settings.twilio_api_url)
    if settings.sms_provider == "ovh":
        return _ovh(settings)
    return OutboxTransport(settings.var_dir, channel="sms")


def _ovh(settings: Settings) -> OvhSmsTransport:
    values: dict[str, Any] = {name: getattr(settings, f"ovh_{name}") for name in OVH_SETTINGS}
    missing = [f"ABSENCES_OVH_{name.upper()}" for name, value in values.items() if not value]
    if missing:
        raise SettingsError(f"ABSENCES_SMS_PROVIDER=ovh needs {', '.join(missing)}")
    return OvhSmsTransport(
        **values,
        sender=settings.ovh_sender or None,
        endpoint=settings.ovh_endpoint or DEFAULT_ENDPOINT,
    )


def _email(settings: Settings) -> Transport:
    if not settings.smtp_host:
        return OutboxTransport(settings.var_dir, channel="email")
    if not settings.smtp_from:
        raise SettingsError("ABSENCES_SMTP_HOST needs ABSENCES_SMTP_FROM (the sender address)")
    return SmtpTransport(
        settings.smtp_host,
        settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_user,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


def build_transports(settings: Settings) -> dict[str, Transport]:
    """One adapter per available channel: ``sms``, ``email`` and ``letter`` always; ``call``
    with a Twilio account; ``chat`` with a Telegram bot token.

    Builds no connection (sessions open on the first send). Raises
    :class:`core.settings.SettingsError` when a chosen provider lacks a setting.
    """
    transports: dict[str, Transport] = {
        "sms": _sms(settings),
        "email": _email(settings),
        "letter": LetterTransport(settings.var_dir),
    }
    twilio = _twilio(settings)
    if twilio is not None:
        transports["call"] = TwilioCallTransport(*twilio, api_url=settings.twilio_api_url)
    if settings.telegram_token:
        transports["chat"] = TelegramTransport(
            settings.telegram_token, api_url=settings.telegram_api_url
        )
    return transports


async def close_transports(transports: Mapping[str, Transport]) -> None:
    """Close every adapter once (one object may serve several channels)."""
    seen: set[int] = set()
    for transport in transports.values():
        if id(transport) not in seen:
            seen.add(id(transport))
            await transport.close()
