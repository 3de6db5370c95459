"""SMS through Twilio's ``Messages.json``; delivery reports come back to ``StatusCallback``."""

from __future__ import annotations

from core.services.ports import Accepted, Message
from gateway.twilio.callbacks import STATUS_PATH, hook_url
from gateway.twilio.rest import TwilioAdapter


class TwilioSmsTransport(TwilioAdapter):
    """One SMS per message from ``from_number`` (a number or an alphanumeric sender id); its
    reports go to ``{public_url}/hooks/twilio/status/{delivery uuid}`` when a URL is given."""

    async def send(self, message: Message) -> Accepted:
        """Create the message; ``provider_ref`` is Twilio's ``SM…`` sid."""
        form = [("To", message.to), ("From", self.from_number), ("Body", message.body)]
        callback = hook_url(self.public_url, STATUS_PATH, message.delivery_uuid)
        if callback:
            form.append(("StatusCallback", callback))
        payload = await self._rest.create("Messages", form)
        return Accepted(provider=self.provider, provider_ref=str(payload["sid"]), raw=payload)
