"""Automated calls through Twilio's ``Calls.json``: Twilio fetches the script from ``Url``.

Without a ``voice_url`` (in ``extra``) the script travels with the call (Twilio's ``Twiml``
parameter), and the key pressed goes to ``{public_url}/hooks/twilio/gather/{delivery uuid}``
(or ``extra["gather_url"]`` when given); status reports to ``/hooks/twilio/status/…``.
"""

from __future__ import annotations

from core.services.ports import Accepted, Message
from gateway.twilio.callbacks import GATHER_PATH, STATUS_PATH, hook_url
from gateway.twilio.rest import TwilioAdapter
from gateway.twilio.twiml import render_gather_reply, render_twiml

__all__ = ["TwilioCallTransport", "render_gather_reply", "render_twiml"]

STATUS_EVENTS = ("initiated", "ringing", "answered", "completed")


class TwilioCallTransport(TwilioAdapter):
    """One call per message, saying ``body`` in the message's language, ringing
    ``ring_seconds``."""

    ring_seconds = 30

    def _form(self, message: Message) -> list[tuple[str, str]]:
        form = [("To", message.to), ("From", self.from_number)]
        voice_url = message.extra.get("voice_url")
        if voice_url:
            form.append(("Url", voice_url))
        else:
            gather = message.extra.get("gather_url") or hook_url(
                self.public_url, GATHER_PATH, message.delivery_uuid
            )
            form.append(("Twiml", render_twiml(message.body, message.language, gather)))
        form.append(("Timeout", str(self.ring_seconds)))
        callback = hook_url(self.public_url, STATUS_PATH, message.delivery_uuid)
        if callback:
            form.append(("StatusCallback", callback))
            form.append(("StatusCallbackMethod", "POST"))
            # Twilio reads a repeated parameter as a list of events.
            form.extend(("StatusCallbackEvent", event) for event in STATUS_EVENTS)
        return form

    async def send(self, message: Message) -> Accepted:
        """Place the call; ``provider_ref`` is Twilio's ``CA…`` sid."""
        payload = await self._rest.create("Calls", self._form(message))
        return Accepted(provider=self.provider, provider_ref=str(payload["sid"]), raw=payload)
