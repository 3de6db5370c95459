"""Twilio: SMS (``sms.py``) and automated calls (``voice.py``, scripts in ``twiml.py``) over its
REST API (``rest.py``); its status reports, key presses and inbound SMS (``callbacks.py``,
posted to ``web/hooks.py``); what its error codes say of a number (``codes.py``).

Calls need a Twilio account; SMS go through Twilio when ``ABSENCES_SMS_PROVIDER=twilio``. The
adapters name their webhooks under ``ABSENCES_PUBLIC_URL``.
"""

from __future__ import annotations

from core.services.ports import Transport
from core.settings import Settings, SettingsError
from gateway.base import Provider
from gateway.twilio.callbacks import CHANNELS
from gateway.twilio.sms import TwilioSmsTransport
from gateway.twilio.voice import TwilioCallTransport

__all__ = ["PROVIDER", "TwilioCallTransport", "TwilioSmsTransport"]


def build(settings: Settings) -> dict[str, Transport]:
    """Calls whenever the account is set; SMS when chosen (and then the account is needed)."""
    sid, token, sender = (
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        settings.twilio_from,
    )
    if not (sid and token and sender):
        if settings.sms_provider == "twilio":
            raise SettingsError(
                "ABSENCES_SMS_PROVIDER=twilio needs ABSENCES_TWILIO_ACCOUNT_SID, "
                "ABSENCES_TWILIO_AUTH_TOKEN and ABSENCES_TWILIO_FROM"
            )
        return {}
    api_url, public_url = settings.twilio_api_url, settings.public_url
    built: dict[str, Transport] = {
        "call": TwilioCallTransport(sid, token, sender, api_url=api_url, public_url=public_url)
    }
    if settings.sms_provider == "twilio":
        built["sms"] = TwilioSmsTransport(
            sid, token, sender, api_url=api_url, public_url=public_url
        )
    return built


PROVIDER = Provider("twilio", CHANNELS, build)
