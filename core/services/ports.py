"""What delivering a notice needs from the outside, as core sees it: a sender per channel and a
template renderer.

Core imports nothing of ``gateway``: each provider's adapter (``gateway/<provider>/``) is a
:class:`Sender` and raises :class:`SendFailed` itself, saying what a failure means for the
contact point (``usability``) so that core reads no provider's codes; the workers layer wraps
the sandboxed jinja2 renderer into a :data:`Renderer`, its errors as :class:`RenderFailed`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from core.models.person import Usability

REPLY_TO = "reply_to"  # Message.extra: the address a family's answer to an email goes to


@dataclass(frozen=True, slots=True)
class Message:
    """One delivery's message, rendered: what a :class:`Sender` hands to its provider.

    ``to``: an E.164 number, an email address, a chat id, or a postal address's first line;
    ``html``: an email's HTML part or a letter; ``attachment``: a PDF letter to join;
    ``extra``: what one channel alone reads (a letter's address and letterhead, a file name,
    an email's :data:`REPLY_TO`)."""

    delivery_uuid: str  # named in callbacks, Message-IDs and logs
    channel: str
    to: str
    body: str
    subject: str = ""
    html: str | None = None
    language: str = "fr"
    extra: dict[str, str] = field(default_factory=dict)
    attachment: bytes | None = None


@dataclass(frozen=True, slots=True)
class Accepted:
    """The provider took the message; ``delivered`` only where taking it is final (outbox)."""

    provider: str
    provider_ref: str
    delivered: bool = False
    raw: dict[str, object] = field(default_factory=dict)


class SendFailed(Exception):
    """The channel did not take the message.

    ``permanent``: trying again cannot help (an invalid number, a refused address, a blocked
    bot), against transient (a 5xx, a timeout, a 429 with its ``retry_after`` in seconds, our
    own credentials). ``usability``: what the failure says of the contact point, decided by the
    adapter that knows its provider's codes — ``INVALID``, ``OPTED_OUT``, ``BLOCKED`` or
    ``BOUNCED`` — or None when it says nothing of it (our configuration, an unknown code).
    ``code``: the provider's own code, kept in the delivery's history."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        code: str = "",
        retry_after: float | None = None,
        usability: Usability | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.retry_after = retry_after
        self.usability = usability


class RenderFailed(Exception):
    """A template cannot be rendered (syntax, unknown variable, refused by the sandbox).

    ``reason``: ``error`` (the template's own fault), ``too_costly`` (past the time or memory a
    render may take), ``too_long`` (a text longer than a notice may be)."""

    def __init__(self, message: str, *, reason: str = "error") -> None:
        super().__init__(message)
        self.reason = reason


class Sender(Protocol):
    """One channel through one provider."""

    async def send(self, message: Message) -> Accepted:
        """Hand the message over; raise :class:`SendFailed` when the channel does not take it."""
        ...


class Transport(Sender, Protocol):
    """A provider's adapter for one or more channels: a :class:`Sender` that holds connections
    (closed once, when the process stops) and names its provider (as deliveries record it)."""

    provider: str

    async def close(self) -> None:
        """Release connections."""
        ...


Renderer = Callable[[str, Mapping[str, object]], str]
"""``render(source, context) -> text`` in a sandbox; raises :class:`RenderFailed`."""


class SendRenderer(Protocol):
    """The renderer of a send: in this process for the shipped templates (``render(...)``),
    apart and limited in time, memory and length for a school's own (``await
    render.bounded(...)``), so that no school's template runs on the caller's event loop."""

    def __call__(self, source: str, context: Mapping[str, object], /) -> str:
        """Render in a sandbox, here; raises :class:`RenderFailed`."""
        ...

    async def bounded(self, source: str, context: Mapping[str, object], /) -> str:
        """Render in a sandbox, in a limited process; raises :class:`RenderFailed`."""
        ...


# --- the files of the letters and of the outbox, as the panel sees them --------------------------


class FilesFailed(Exception):
    """A stored file cannot be read, written or merged (rights on the folder, a damaged PDF)."""


class LetterFiles(Protocol):
    """The PDFs the letter channel stored, one per delivery, and their merge for printing."""

    async def read(self, delivery_uuid: str) -> bytes | None:
        """The stored PDF of a delivery, or None when there is no such file."""
        ...

    async def write(self, message: Message) -> None:
        """Render ``message`` as a letter again and store it in place of the missing file;
        raises :class:`SendFailed` when it cannot be rendered (an address that does not fit)."""
        ...

    async def merge(self, pdfs: Sequence[bytes]) -> bytes:
        """One PDF of every page of ``pdfs``, in order; raises :class:`FilesFailed`."""
        ...

    async def pdf(self, message: Message) -> bytes:
        """The PDF the letter channel makes of ``message``, stored nowhere (a household's
        letters put together at print time); raises :class:`SendFailed` as the channel does."""
        ...

    async def remove(self, delivery_uuids: Sequence[str]) -> int:
        """Delete the stored PDFs of these deliveries (the purge); how many were there."""
        ...


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A message the embedded outbox wrote instead of sending it (SMS or email)."""

    delivery_uuid: str
    channel: str
    to: str
    subject: str
    body: str
    created_at: datetime


class OutboxFiles(Protocol):
    """The messages of the outbox, looked up by the deliveries that wrote them."""

    async def read(self, delivery_uuids: Sequence[str]) -> dict[str, OutboxEntry]:
        """The entries found for these uuids (a uuid without a readable file is left out)."""
        ...

    async def remove(self, delivery_uuids: Sequence[str]) -> int:
        """Delete the files these deliveries wrote (the purge); how many were there."""
        ...


@dataclass(frozen=True, slots=True)
class Mailroom:
    """What the panel and the API need to print letters and show the outbox: given by the
    composition root (``workers.mailroom.build_mailroom``), since web may not reach gateway."""

    letters: LetterFiles
    outbox: OutboxFiles
    render: SendRenderer


# --- delivery reports a provider gives only when asked (OVHcloud) -----------------------------


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    """What a provider says, when asked, of a message it took: ``status`` is ``sent`` while
    nothing is final, else ``delivered``, ``undelivered`` or ``failed``."""

    provider_ref: str
    status: str
    event_ref: str  # names this report: the same report read twice is recorded once
    raw: dict[str, object] = field(default_factory=dict)
    error_code: str | None = None
    usability: Usability | None = None  # what a failure says of the contact point (SendFailed)


class ReportSource(Protocol):
    """A provider whose delivery reports are fetched rather than posted to us; ``channels``:
    those it carries (a report moves a delivery of one of them only)."""

    provider: str

    @property
    def channels(self) -> Collection[str]:
        """The channels the provider carries."""
        ...

    async def statuses(self, refs: Sequence[str]) -> list[ProviderStatus]:
        """The current state of each message named by its provider reference; a message the
        provider could not answer about is left out (asked again on the next run)."""
        ...


# --- replies a provider keeps for us to fetch (OVHcloud) -----------------------------------------


@dataclass(frozen=True, slots=True)
class IncomingSms:
    """An SMS a family sent, as the provider keeps it: ``provider_ref`` names it there;
    ``recipient`` is the number or sender name it was sent to, when known."""

    provider_ref: str
    sender: str
    text: str
    at: datetime
    raw: dict[str, object] = field(default_factory=dict)
    recipient: str | None = None


class InboxSource(Protocol):
    """A provider whose incoming SMS are fetched rather than posted to us: each is read,
    stored by us, then forgotten by the provider (so that it is read once)."""

    provider: str

    async def incoming(self) -> list[IncomingSms]:
        """The SMS waiting, oldest first; one the provider could not give readably is logged
        and left out (asked for again on the next run); raises :class:`SendFailed` when the
        list itself cannot be had."""
        ...

    async def forget(self, provider_ref: str) -> None:
        """Delete the SMS at the provider once stored; raises :class:`SendFailed`."""
        ...


# --- the template editor's previews --------------------------------------------------------------


class LetterPreviewer(Protocol):
    """The letter channel's renderer, for a preview."""

    async def pdf(self, message: Message) -> bytes:
        """The PDF the letter channel would make of ``message``, stored nowhere; raises
        :class:`SendFailed` when it cannot be made (an address that does not fit)."""
        ...


class ContainedRenderer(Protocol):
    """The sandboxed renderer, run apart with a time and a memory limit: what a template a
    staff member tries goes through first (it must not hold the server)."""

    async def __call__(self, renders: Sequence[tuple[str, Mapping[str, object]]]) -> None:
        """Render each ``(source, context)``; raises :class:`RenderFailed` for a render that
        fails, takes too long or too much memory."""
        ...


@dataclass(frozen=True, slots=True)
class TemplateTools:
    """What the template editor needs from outside core: the sandboxed renderer (the one the
    worker uses) to try templates, the same run apart with limits (``contain``), and the letter
    renderer for the PDF preview. Given by the composition root
    (``workers.template_tools.build_template_tools``): web may not reach gateway."""

    render: Renderer
    contain: ContainedRenderer
    letters: LetterPreviewer
