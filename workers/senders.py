"""The channel adapters of ``gateway`` seen as core's senders, and the sandboxed renderer.

Core's ``deliver`` knows only :mod:`core.services.ports`; this module wraps each
``gateway.base.Transport`` into a ``Sender`` (translating ``TransportError`` into
``SendFailed``) and gives Twilio the callback URLs of the webhooks:

* ``{public_url}/hooks/twilio/status/{delivery uuid}`` — message and call status reports;
* ``{public_url}/hooks/twilio/gather/{delivery uuid}`` — the key pressed during a call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.services.ports import Accepted, Message, RenderFailed, Sender, SendFailed
from core.settings import Settings
from gateway.base import OutgoingMessage, Transport, TransportError
from gateway.registry import build_transports, close_transports
from gateway.render import TemplateError, render_message
from gateway.render_pool import POOL, RenderPool, TemplateTooLong
from gateway.render_trial import TemplateTooCostly

STATUS_PATH = "/hooks/twilio/status/"
GATHER_PATH = "/hooks/twilio/gather/"


def render_failed(error: TemplateError) -> RenderFailed:
    """Gateway's template error as core's, with its reason."""
    reason = "error"
    if isinstance(error, TemplateTooLong):
        reason = "too_long"
    elif isinstance(error, TemplateTooCostly):
        reason = "too_costly"
    return RenderFailed(str(error), reason=reason)


class SandboxRenderer:
    """Core's ``Renderer`` and ``SendRenderer``: gateway's jinja2 sandbox here, or in the
    limited processes of a :class:`~gateway.render_pool.RenderPool` (``bounded``); the errors
    as ``RenderFailed``."""

    def __init__(self, pool: RenderPool = POOL) -> None:
        self.pool = pool

    def __call__(self, source: str, context: Mapping[str, object], /) -> str:
        try:
            return render_message(source, context)
        except TemplateError as error:
            raise render_failed(error) from error

    async def bounded(self, source: str, context: Mapping[str, object], /) -> str:
        try:
            return await self.pool.render(source, context)
        except TemplateError as error:
            raise render_failed(error) from error


render = SandboxRenderer()  # the process's: its pool is gateway's POOL


class TransportSender:
    """One transport as a core ``Sender``."""

    def __init__(self, transport: Transport, channel: str, public_url: str = "") -> None:
        self.transport = transport
        self.channel = channel
        self.public_url = public_url.rstrip("/")

    def outgoing(self, message: Message) -> OutgoingMessage:
        """Gateway's message, with the callback URLs Twilio needs."""
        extra = dict(message.extra)
        callback = None
        if self.transport.provider == "twilio" and self.public_url:
            callback = f"{self.public_url}{STATUS_PATH}{message.delivery_uuid}"
            if self.channel == "call":
                extra.setdefault(
                    "gather_url", f"{self.public_url}{GATHER_PATH}{message.delivery_uuid}"
                )
        return OutgoingMessage(
            delivery_uuid=message.delivery_uuid,
            to=message.to,
            body=message.body,
            subject=message.subject,
            html=message.html,
            language=message.language,
            status_callback=callback,
            extra=extra,
        )

    async def send(self, message: Message) -> Accepted:
        """Send through the transport; its ``TransportError`` becomes ``SendFailed``."""
        try:
            result = await self.transport.send(self.outgoing(message))
        except TransportError as error:
            raise SendFailed(
                error.message,
                permanent=error.permanent,
                code=error.code,
                retry_after=error.retry_after,
            ) from error
        return Accepted(result.provider, result.provider_ref, result.delivered, dict(result.raw))


@dataclass
class Channels:
    """The senders by channel, and the transports behind them (to close)."""

    senders: dict[str, Sender]
    transports: Mapping[str, Transport] = field(default_factory=dict)
    # what the tasks keep per process next to the senders (the delivery batcher): each job's
    # ctx is a copy, so it cannot live there
    state: dict[str, Any] = field(default_factory=dict)

    async def close(self) -> None:
        """Close every transport once."""
        await close_transports(self.transports)


def wrap(transports: Mapping[str, Transport], public_url: str = "") -> Channels:
    """Senders for the given transports (tests pass their own adapters here)."""
    senders: dict[str, Sender] = {
        channel: TransportSender(transport, channel, public_url)
        for channel, transport in transports.items()
    }
    return Channels(senders, dict(transports))


def build_channels(settings: Settings) -> Channels:
    """The channels this configuration offers (``gateway.registry.build_transports``)."""
    return wrap(build_transports(settings), settings.public_url)
