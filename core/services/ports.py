"""What delivering a notice needs from the outside, as core sees it: a sender per channel and a
template renderer.

Core imports nothing of ``gateway``: the workers layer wraps each channel adapter
(``gateway.base.Transport``) into a :class:`Sender` and the sandboxed jinja2 renderer into a
:data:`Renderer`, translating their errors into :class:`SendFailed` and :class:`RenderFailed`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Message:
    """One delivery's message, rendered (the same fields as ``gateway.base.OutgoingMessage``)."""

    delivery_uuid: str
    channel: str
    to: str
    body: str
    subject: str = ""
    html: str | None = None
    language: str = "fr"
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Accepted:
    """The provider took the message; ``delivered`` only where taking it is final (outbox)."""

    provider: str
    provider_ref: str
    delivered: bool = False
    raw: dict[str, object] = field(default_factory=dict)


class SendFailed(Exception):
    """The channel did not take the message; ``permanent`` says trying again cannot help."""

    def __init__(
        self, message: str, *, permanent: bool, code: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.retry_after = retry_after


class RenderFailed(Exception):
    """A template cannot be rendered (syntax, unknown variable, refused by the sandbox)."""


class Sender(Protocol):
    """One channel through one provider."""

    async def send(self, message: Message) -> Accepted:
        """Hand the message over; raise :class:`SendFailed` when the channel does not take it."""
        ...


Renderer = Callable[[str, Mapping[str, object]], str]
"""``render(source, context) -> text`` in a sandbox; raises :class:`RenderFailed`."""
