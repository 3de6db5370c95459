"""The letter channel: a notice becomes a PDF in ``{var_dir}/letters/``; staff print and post it.

"Sent" here means "ready to print": the result is not delivered, staff mark the letter printed
and posted in the panel.
"""

from __future__ import annotations

import asyncio
from html import escape
from pathlib import Path

from core.files import write_private
from core.models.person import Usability
from core.services.ports import Accepted, Message, SendFailed
from gateway.letter.pdf import AddressError, letter_html, render_letter_pdf

LETTERS = "letters"


class LetterTransport:
    """Renders ``message.html`` (or a plain letter from ``body``) and stores the PDF."""

    provider = "letter"

    def __init__(self, var_dir: Path | str, *, base_url: str | None = None) -> None:
        self.directory = Path(var_dir) / LETTERS
        self.base_url = base_url
        self._lock = asyncio.Lock()

    def path_for(self, delivery_uuid: str) -> Path:
        """Where the PDF of a delivery is stored."""
        return self.directory / f"{Path(delivery_uuid).name}.pdf"

    def _html(self, message: Message) -> str:
        if message.html is not None and "<html" in message.html[:200].lower():
            return message.html  # a whole letter from the school's template
        content = message.html or f"<p>{escape(message.body).replace(chr(10), '<br>')}</p>"
        address = message.extra.get("address") or message.to
        return letter_html(content, address.splitlines(), message.extra.get("letterhead", ""))

    def _store(self, message: Message) -> Path:
        pdf = message.attachment or render_letter_pdf(self._html(message), base_url=self.base_url)
        path = self.path_for(message.delivery_uuid)
        write_private(path, pdf)
        return path

    async def send(self, message: Message) -> Accepted:
        """Render and store; ``provider_ref`` is the delivery UUID, never delivered yet."""
        try:
            # WeasyPrint is CPU-bound and not known to be thread-safe: one render at a time,
            # off the event loop.
            async with self._lock:
                path = await asyncio.to_thread(self._store, message)
        except AddressError as exc:
            raise SendFailed(
                f"letter: {exc}", permanent=True, code="address", usability=Usability.INVALID
            ) from exc
        except OSError as exc:
            raise SendFailed(f"letter: {exc}", permanent=False, code="io") from exc
        return Accepted(self.provider, message.delivery_uuid, raw={"path": str(path)})

    async def preview(self, message: Message) -> bytes:
        """The PDF :meth:`send` would store, stored nowhere (the template editor's preview);
        raises ``SendFailed`` as :meth:`send` does."""
        try:
            async with self._lock:
                html = self._html(message)
                return await asyncio.to_thread(render_letter_pdf, html, base_url=self.base_url)
        except AddressError as exc:
            raise SendFailed(
                f"letter: {exc}", permanent=True, code="address", usability=Usability.INVALID
            ) from exc

    async def close(self) -> None:
        """Nothing to release."""
