"""The embedded default: each message becomes a JSON file in ``{var_dir}/outbox/``.

Nothing leaves the machine; the panel lists the files so that a school can try the whole
flow before it signs up with an SMS provider or an SMTP relay. Email falls back here too
when no SMTP server is configured (``channel`` tells them apart).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.files import write_private
from core.services.ports import Accepted, Message, SendFailed

OUTBOX = "outbox"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One message the outbox holds, as the panel shows it."""

    delivery_uuid: str
    channel: str
    to: str
    subject: str
    body: str
    html: str | None
    language: str
    created_at: datetime
    path: Path


class OutboxTransport:
    """Writes messages for ``channel`` (``sms`` or ``email``) as files; final on write."""

    provider = "outbox"

    def __init__(self, var_dir: Path | str, *, channel: str = "sms") -> None:
        self.directory = Path(var_dir) / OUTBOX
        self.channel = channel

    def _record(self, message: Message) -> dict[str, Any]:
        record: dict[str, Any] = {
            "delivery_uuid": message.delivery_uuid,
            "channel": self.channel,
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "html": message.html,
            "language": message.language,
            "created_at": datetime.now(UTC).isoformat(),
        }
        if message.attachment is not None:
            record["attachment_pdf"] = base64.b64encode(message.attachment).decode("ascii")
        return record

    async def send(self, message: Message) -> Accepted:
        """Write ``{delivery_uuid}.json`` atomically; the same delivery again replaces it."""
        name = Path(message.delivery_uuid).name
        if not name or name != message.delivery_uuid or name.startswith("."):
            raise SendFailed(f"outbox: bad delivery id {name!r}", permanent=True, code="id")
        try:
            data = json.dumps(self._record(message), ensure_ascii=False, indent=1).encode()
            write_private(self.directory / f"{name}.json", data)
        except OSError as exc:
            raise SendFailed(f"outbox: {exc}", permanent=False, code="io") from exc
        return Accepted(provider=self.provider, provider_ref=name, delivered=True)

    async def close(self) -> None:
        """Nothing to release."""


def list_outbox(
    var_dir: Path | str, limit: int = 50, *, channel: str | None = None
) -> list[OutboxItem]:
    """The newest ``limit`` messages of the outbox (optionally of one channel), newest first."""
    directory = Path(var_dir) / OUTBOX
    if not directory.is_dir():
        return []
    entries = [e for e in os.scandir(directory) if e.name.endswith(".json") and e.is_file()]
    entries.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
    found: list[OutboxItem] = []
    for entry in entries:  # newest files first: only as many are read as are shown
        item = _read(Path(entry.path))
        if item is not None and channel in (None, item.channel):
            found.append(item)
            if len(found) >= limit:
                break
    return found


def item_path(var_dir: Path | str, delivery_uuid: str) -> Path | None:
    """Where one delivery's message is written, or None for a bad id."""
    name = Path(delivery_uuid).name
    if not name or name != delivery_uuid or name.startswith("."):
        return None
    return Path(var_dir) / OUTBOX / f"{name}.json"


def read_item(var_dir: Path | str, delivery_uuid: str) -> OutboxItem | None:
    """The message one delivery wrote, or None (no such file, unreadable, or a bad id)."""
    path = item_path(var_dir, delivery_uuid)
    return None if path is None else _read(path)


def _read(path: Path) -> OutboxItem | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return OutboxItem(
            delivery_uuid=str(data["delivery_uuid"]),
            channel=str(data.get("channel", "sms")),
            to=str(data.get("to", "")),
            subject=str(data.get("subject", "")),
            body=str(data.get("body", "")),
            html=data.get("html"),
            language=str(data.get("language", "fr")),
            created_at=datetime.fromisoformat(data["created_at"]),
            path=path,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a file being replaced or edited by hand: skip it
