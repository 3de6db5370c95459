"""Automated calls through Twilio's ``Calls.json``: Twilio fetches the script from ``Url``.

Without a ``voice_url`` the script travels with the call (Twilio's ``Twiml`` parameter), and the
key pressed goes to ``extra["gather_url"]`` when given.
"""

from __future__ import annotations

from gateway.base import OutgoingMessage, SendResult
from gateway.http import DEFAULT_TIMEOUT
from gateway.twilio_rest import DEFAULT_API_URL, TwilioRest
from gateway.voice.twiml import render_gather_reply, render_twiml

__all__ = ["TwilioCallTransport", "render_gather_reply", "render_twiml"]

STATUS_EVENTS = ("initiated", "ringing", "answered", "completed")


class TwilioCallTransport:
    """One call per message, saying ``body`` in the message's language."""

    provider = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        api_url: str = DEFAULT_API_URL,
        timeout: float = DEFAULT_TIMEOUT,
        ring_seconds: int = 30,
    ) -> None:
        self.from_number = from_number
        self.ring_seconds = ring_seconds
        self._rest = TwilioRest(account_sid, auth_token, api_url=api_url, timeout=timeout)

    def _form(self, message: OutgoingMessage) -> list[tuple[str, str]]:
        form = [("To", message.to), ("From", self.from_number)]
        if message.voice_url:
            form.append(("Url", message.voice_url))
        else:
            script = render_twiml(message.body, message.language, message.extra.get("gather_url"))
            form.append(("Twiml", script))
        form.append(("Timeout", str(self.ring_seconds)))
        if message.status_callback:
            form.append(("StatusCallback", message.status_callback))
            form.append(("StatusCallbackMethod", "POST"))
            # Twilio reads a repeated parameter as a list of events.
            form.extend(("StatusCallbackEvent", event) for event in STATUS_EVENTS)
        return form

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Place the call; ``provider_ref`` is Twilio's ``CA…`` sid."""
        payload = await self._rest.create("Calls", self._form(message))
        return SendResult(provider=self.provider, provider_ref=str(payload["sid"]), raw=payload)

    async def close(self) -> None:
        """Release the HTTP session."""
        await self._rest.close()
