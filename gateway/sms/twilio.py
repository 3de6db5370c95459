"""SMS through Twilio's ``Messages.json``; delivery reports come back to ``StatusCallback``."""

from __future__ import annotations

from gateway.base import OutgoingMessage, SendResult
from gateway.http import DEFAULT_TIMEOUT
from gateway.twilio_rest import DEFAULT_API_URL, TwilioRest


class TwilioSmsTransport:
    """One SMS per message from ``from_number`` (a number or an alphanumeric sender id)."""

    provider = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        api_url: str = DEFAULT_API_URL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.from_number = from_number
        self._rest = TwilioRest(account_sid, auth_token, api_url=api_url, timeout=timeout)

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Create the message; ``provider_ref`` is Twilio's ``SM…`` sid."""
        form = [("To", message.to), ("From", self.from_number), ("Body", message.body)]
        if message.status_callback:
            form.append(("StatusCallback", message.status_callback))
        payload = await self._rest.create("Messages", form)
        return SendResult(provider=self.provider, provider_ref=str(payload["sid"]), raw=payload)

    async def close(self) -> None:
        """Release the HTTP session."""
        await self._rest.close()
