"""Messages to families who linked their Telegram chat, through the Bot API's ``sendMessage``."""

from __future__ import annotations

from typing import Any

from core.models.person import Usability
from core.services.ports import Accepted, Message, SendFailed
from gateway.http import DEFAULT_TIMEOUT, HttpAnswer, HttpClient

DEFAULT_API_URL = "https://api.telegram.org"
# Answers that say this chat will never receive from the bot: blocked, left, gone.
GONE = ("chat not found", "bot was blocked", "user is deactivated", "bot was kicked")


class TelegramTransport:
    """``POST {api_url}/bot{token}/sendMessage`` with ``{chat_id, text}``."""

    provider = "telegram"

    def __init__(
        self, token: str, *, api_url: str = DEFAULT_API_URL, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self._url = f"{api_url.rstrip('/')}/bot{token}/sendMessage"
        self._http = HttpClient(timeout=timeout, redact=token)

    async def send(self, message: Message) -> Accepted:
        """Send ``body`` as plain text; ``provider_ref`` is ``{chat_id}:{message_id}``."""
        payload: dict[str, Any] = {
            "chat_id": message.to,
            "text": message.body,
            "link_preview_options": {"is_disabled": True},
        }
        answer = await self._http.request("POST", self._url, json=payload)
        result = answer.payload.get("result")
        if answer.status == 200 and answer.payload.get("ok") and isinstance(result, dict):
            ref = f"{message.to}:{result.get('message_id', '')}"
            return Accepted(provider=self.provider, provider_ref=ref, raw=answer.payload)
        raise telegram_error(answer)

    async def close(self) -> None:
        """Release the HTTP session."""
        await self._http.close()


def telegram_error(answer: HttpAnswer) -> SendFailed:
    """403 and "chat not found" are permanent; 429 (with ``retry_after``) and 5xx transient."""
    code = int(answer.payload.get("error_code") or answer.status)
    description = str(answer.payload.get("description") or answer.text[:200] or "no detail")
    message = f"telegram {code}: {description}"
    if code == 429:
        parameters = answer.payload.get("parameters") or {}
        wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
        seconds = float(wait) if isinstance(wait, int | float) else None
        return SendFailed(message, permanent=False, code="429", retry_after=seconds)
    if code >= 500 or code < 400:
        return SendFailed(message, permanent=False, code=str(code))
    if code == 401:  # a wrong bot token is ours to fix, not the family's
        return SendFailed(message, permanent=False, code="auth")
    gone = code == 403 or any(text in description.lower() for text in GONE)
    if gone:  # this chat will never receive from the bot: the family blocked it or left
        return SendFailed(message, permanent=True, code="blocked", usability=Usability.BLOCKED)
    return SendFailed(message, permanent=True, code=str(code))
