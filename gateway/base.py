"""The contract every channel adapter keeps: one message in, a provider reference out.

An adapter knows one provider. It raises :class:`TransportError` for every failure, with
``permanent`` telling the caller whether trying again can help (a 5xx, a timeout or a 429 is
transient; an invalid number, an opted-out recipient or a blocked bot is permanent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class TransportError(Exception):
    """A channel failed to take a message; ``permanent`` says retrying cannot help."""

    def __init__(
        self, message: str, *, permanent: bool, code: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code  # the provider's error code, when it gives one
        self.retry_after = retry_after  # seconds, from a 429's Retry-After


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What one delivery sends: rendered text (and HTML or PDF where the channel takes it)."""

    delivery_uuid: str  # named in callbacks, Message-IDs and logs
    to: str  # E.164 number, email address, chat id, or a postal address's first line
    body: str
    subject: str = ""
    html: str | None = None
    attachment: bytes | None = None  # a PDF letter
    language: str = "fr"
    status_callback: str | None = None  # where the provider posts delivery reports
    voice_url: str | None = None  # for calls: where the provider fetches the script (TwiML)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SendResult:
    """The provider accepted the message (accepted is not delivered)."""

    provider: str
    provider_ref: str
    delivered: bool = False  # true only where acceptance is final (outbox, letters batch)
    raw: dict[str, object] = field(default_factory=dict)


class Transport(Protocol):
    """One channel through one provider."""

    provider: str

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Hand the message to the provider; raise :class:`TransportError` on failure."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
