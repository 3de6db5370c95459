"""The outbox: the SMS and emails the embedded ``outbox`` provider wrote instead of sending.

``/s/{uai}/outbox?offset=`` (CPE and admin) lists this school's deliveries that went to the
outbox, newest first, each with the message its file holds (channel, recipient, subject, body,
time). The files are read by the uuids of those deliveries through the app's
:class:`core.services.ports.Mailroom`, never by listing the folder: another school's messages
cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from core.queries.letters import outbox_deliveries
from core.rules.permissions import Permission
from web.keys import MAILROOM
from web.panel.guard import school_page
from web.panel.inputs import read_offset

BASE = "/s/{uai}/outbox"
LIMIT = 50


def setup_outbox(app: web.Application) -> None:
    """Mount the outbox page (its words are registered with the letters')."""
    app.router.add_get(BASE, outbox_page)


@dataclass(frozen=True, slots=True)
class Shown:
    """One message as the page shows it."""

    id: int
    time: datetime | None
    channel: str
    to: str
    student: str
    kind: str
    subject: str
    body: str
    found: bool


async def outbox_page(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.OUTBOX)
    offset = read_offset(request.query.get("offset"))
    rows, total = await outbox_deliveries(page.school, limit=LIMIT, offset=offset)
    mailroom = request.config_dict.get(MAILROOM)
    entries = await mailroom.outbox.read([r.uuid for r in rows]) if mailroom is not None else {}
    zone = ZoneInfo(page.school.timezone)
    shown = []
    for row in rows:
        entry = entries.get(row.uuid)
        shown.append(
            Shown(
                id=row.id,
                time=entry.created_at.astimezone(zone) if entry is not None else row.sent_at,
                channel=entry.channel if entry is not None else row.channel,
                to=entry.to if entry is not None else row.to,
                student=row.student,
                kind=row.kind,
                subject=entry.subject if entry is not None else "",
                body=entry.body if entry is not None else "",
                found=entry is not None,
            )
        )
    here = f"/s/{page.school.uai}/outbox"
    context: dict[str, Any] = {
        "rows": shown,
        "total": total,
        "first": offset + 1,
        "last": offset + len(shown),
        "newer_url": f"{here}?offset={max(0, offset - LIMIT)}" if offset > 0 else None,
        "older_url": f"{here}?offset={offset + LIMIT}" if offset + LIMIT < total else None,
        "has_files": mailroom is not None,
    }
    return page.render("outbox.html", context)
