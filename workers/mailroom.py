"""The files of the letters and of the outbox, behind core's ports, for the panel and the API.

Web may not import gateway; the composition root (``cli``) builds a
:class:`core.services.ports.Mailroom` here and hands it to ``web.app.create_app``:

* :class:`LetterFolder` reads the PDFs the letter channel stored (``{var}/letters/<uuid>.pdf``),
  stores one again through the same transport, and merges them with pypdf;
* :class:`OutboxFolder` reads the outbox's JSON files by delivery uuid (never the whole folder:
  the caller names the deliveries of its own school).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from pypdf.errors import PyPdfError

from core.services.ports import FilesFailed, Mailroom, Message, OutboxEntry
from core.settings import Settings
from gateway.letter.pdf import merge_pdfs
from gateway.letter.transport import LetterTransport
from gateway.outbox.transport import item_path, read_item
from workers.senders import Channels, render


class LetterFolder:
    """Core's ``LetterFiles`` over a :class:`LetterTransport` and its folder."""

    def __init__(self, transport: LetterTransport) -> None:
        self.transport = transport

    async def read(self, delivery_uuid: str) -> bytes | None:
        path = self.transport.path_for(delivery_uuid)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise FilesFailed(f"{path}: {error.strerror or error}") from error

    async def write(self, message: Message) -> None:
        await self.transport.send(message)  # renders and stores in place; SendFailed as it is

    async def pdf(self, message: Message) -> bytes:
        return await self.transport.preview(message)

    async def remove(self, delivery_uuids: Sequence[str]) -> int:
        paths = [self.transport.path_for(u) for u in delivery_uuids]
        return await asyncio.to_thread(_unlink_all, paths)

    async def merge(self, pdfs: Sequence[bytes]) -> bytes:
        try:
            return await asyncio.to_thread(merge_pdfs, list(pdfs))
        except (ValueError, PyPdfError) as error:
            raise FilesFailed(f"a stored PDF is damaged: {error}") from error


class OutboxFolder:
    """Core's ``OutboxFiles`` over ``{var}/outbox/``."""

    def __init__(self, var_dir: Path | str) -> None:
        self.var_dir = Path(var_dir)

    def _read(self, delivery_uuids: Sequence[str]) -> dict[str, OutboxEntry]:
        found: dict[str, OutboxEntry] = {}
        for delivery_uuid in delivery_uuids:
            item = read_item(self.var_dir, delivery_uuid)
            if item is None or item.delivery_uuid != delivery_uuid:
                continue  # a file renamed by hand does not speak for another delivery
            found[delivery_uuid] = OutboxEntry(
                delivery_uuid=item.delivery_uuid,
                channel=item.channel,
                to=item.to,
                subject=item.subject,
                body=item.body,
                created_at=item.created_at,
            )
        return found

    async def read(self, delivery_uuids: Sequence[str]) -> dict[str, OutboxEntry]:
        return await asyncio.to_thread(self._read, list(delivery_uuids))

    async def remove(self, delivery_uuids: Sequence[str]) -> int:
        paths = [item_path(self.var_dir, u) for u in delivery_uuids]
        return await asyncio.to_thread(_unlink_all, [p for p in paths if p is not None])


def _unlink_all(paths: Sequence[Path]) -> int:
    """Delete the files that exist; how many did."""
    removed = 0
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise FilesFailed(f"{path}: {error.strerror or error}") from error
        removed += 1
    return removed


def build_mailroom(settings: Settings, channels: Channels | None = None) -> Mailroom:
    """The mailroom of this configuration; with the runtime's ``channels``, letters made again
    go through the very transport the worker uses (one WeasyPrint render at a time)."""
    transport = channels.transports.get("letter") if channels is not None else None
    if not isinstance(transport, LetterTransport):
        transport = LetterTransport(settings.var_dir)
    return Mailroom(
        letters=LetterFolder(transport), outbox=OutboxFolder(settings.var_dir), render=render
    )
