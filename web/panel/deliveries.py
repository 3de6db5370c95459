"""The delivery board: every notice's deliveries and their statuses, counts per channel and day,
and a resend button for the failed ones.

``/s/{uai}/deliveries`` is a GET page (``status=failed|waiting|all``, ``channel=``,
``offset=``) for anyone who may read the school; ``…/deliveries/{id}/resend`` is a form posted
with the page's token by a role that may write events, and answers 303 back to the board.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from core.errors import Conflict, NotFound
from core.models import Channel, Delivery, DeliveryStatus
from core.rules.permissions import Permission
from core.services.resend import RESENDABLE, resend_delivery
from core.services.schools import now_utc
from web.i18n import register
from web.keys import QUEUE
from web.panel.guard import Page, require_csrf, school_page
from workers.queue import enqueue_deliveries

BASE = "/s/{uai}/deliveries"
LIMIT = 50
SUMMARY_DAYS = 7
FILTERS: dict[str, tuple[DeliveryStatus, ...]] = {
    "failed": RESENDABLE,
    "waiting": (DeliveryStatus.SCHEDULED, DeliveryStatus.SENDING),
    "all": (),
}

_FR = {
    "dl.title": "Envois aux familles",
    "dl.status": "État",
    "dl.status.all": "Tous",
    "dl.status.failed": "En échec",
    "dl.status.waiting": "En attente",
    "dl.channel": "Canal",
    "dl.any": "Tous",
    "dl.filter": "Filtrer",
    "dl.col.student": "Élève",
    "dl.col.kind": "Avis",
    "dl.col.day": "Jour",
    "dl.col.channel": "Canal",
    "dl.col.to": "Destinataire",
    "dl.col.status": "État",
    "dl.col.attempts": "Tentatives",
    "dl.col.provider_ref": "Référence",
    "dl.col.error": "Erreur",
    "dl.col.updated_at": "Mis à jour",
    "dl.resend": "Renvoyer",
    "dl.none": "Aucun envoi.",
    "dl.results": "Envois {first} à {last}",
    "dl.previous": "Précédents",
    "dl.next": "Suivants",
    "dl.summary": "Sept derniers jours, par canal et par jour",
    "dl.count": "Nombre",
}
_EN = {
    "dl.title": "Notices sent to families",
    "dl.status": "Status",
    "dl.status.all": "All",
    "dl.status.failed": "Failed",
    "dl.status.waiting": "Waiting",
    "dl.channel": "Channel",
    "dl.any": "Any",
    "dl.filter": "Filter",
    "dl.col.student": "Student",
    "dl.col.kind": "Notice",
    "dl.col.day": "Day",
    "dl.col.channel": "Channel",
    "dl.col.to": "To",
    "dl.col.status": "Status",
    "dl.col.attempts": "Attempts",
    "dl.col.provider_ref": "Reference",
    "dl.col.error": "Error",
    "dl.col.updated_at": "Updated",
    "dl.resend": "Resend",
    "dl.none": "No delivery.",
    "dl.results": "Deliveries {first} to {last}",
    "dl.previous": "Previous",
    "dl.next": "Next",
    "dl.summary": "Last seven days, per channel and day",
    "dl.count": "Count",
}
MESSAGES = {"fr": _FR, "en": _EN}


def setup_deliveries(app: web.Application) -> None:
    """Mount the delivery board and its resend form."""
    register(MESSAGES)
    app.router.add_get(BASE, board)
    app.router.add_post(BASE + r"/{id:\d+}/resend", resend)


@dataclass(frozen=True, slots=True)
class Row:
    """One delivery as the board shows it."""

    id: int
    student: str
    kind: str
    day: date
    channel: str
    to: str
    status: str
    attempts: int
    provider_ref: str
    error: str
    updated_at: datetime
    resendable: bool


def _choice(value: str | None, allowed: list[str], default: str) -> str:
    return value if value in allowed else default


def _row(delivery: Delivery, zone: ZoneInfo) -> Row:
    notice = delivery.notice
    student = notice.student
    return Row(
        id=delivery.id,
        student=f"{student.last_name.upper()} {student.first_name}",
        kind=notice.kind.value,
        day=notice.created_at.astimezone(zone).date(),
        channel=delivery.channel.value,
        to=delivery.to,
        status=delivery.status.value,
        attempts=delivery.attempts,
        provider_ref=delivery.provider_ref or "",
        error=delivery.error,
        updated_at=delivery.updated_at.astimezone(zone),
        resendable=delivery.status in RESENDABLE,
    )


async def _summary(page: Page, zone: ZoneInfo) -> list[tuple[date, str, str, int]]:
    """(day, channel, status, count) for the deliveries created these last days, newest first."""
    since = (now_utc() - timedelta(days=SUMMARY_DAYS)).astimezone(UTC)
    recent = await Delivery.filter(
        notice__school_id=page.school.id, created_at__gte=since
    ).values_list("created_at", "channel", "status")
    counts: Counter[tuple[date, str, str]] = Counter()
    for created_at, channel, status in recent:
        counts[(created_at.astimezone(zone).date(), str(channel), str(status))] += 1
    ordered = sorted(counts.items(), key=lambda item: (-item[0][0].toordinal(), item[0][1:]))
    return [(day, channel, status, n) for (day, channel, status), n in ordered]


async def board(request: web.Request) -> web.Response:
    page = await school_page(request)
    zone = ZoneInfo(page.school.timezone)
    query = request.query
    status = _choice(query.get("status"), list(FILTERS), "all")
    channels = [c.value for c in Channel]
    channel = _choice(query.get("channel"), channels, "")
    try:
        offset = max(0, int(query.get("offset", "0")))
    except ValueError:
        offset = 0
    found = Delivery.filter(notice__school_id=page.school.id)
    if FILTERS[status]:
        found = found.filter(status__in=list(FILTERS[status]))
    if channel:
        found = found.filter(channel=channel)
    batch = (
        await found.select_related("notice__student")
        .order_by("-created_at", "-id")
        .offset(offset)
        .limit(LIMIT + 1)
    )
    rows = [_row(d, zone) for d in batch[:LIMIT]]
    here = f"/s/{page.school.uai}/deliveries"

    def at(position: int) -> str:
        return f"{here}?{urlencode({'status': status, 'channel': channel, 'offset': position})}"

    context: dict[str, Any] = {
        "here": here,
        "rows": rows,
        "status": status,
        "statuses": list(FILTERS),
        "channel": channel,
        "channels": channels,
        "first": offset + 1,
        "last": offset + len(rows),
        "previous_url": at(max(0, offset - LIMIT)) if offset > 0 else None,
        "next_url": at(offset + LIMIT) if len(batch) > LIMIT else None,
        "back": request.path_qs,
        "can_resend": page.can(Permission.WRITE_EVENTS),
        "summary": await _summary(page, zone),
    }
    return page.render("deliveries.html", context)


def _back(page: Page, form: dict[str, Any]) -> str:
    here = f"/s/{page.school.uai}/deliveries"
    back = str(form.get("back", ""))
    return back if back.startswith(here) and "//" not in back else here


async def resend(request: web.Request) -> web.StreamResponse:
    """A new scheduled delivery copying the failed one, enqueued once committed."""
    page = await school_page(request, Permission.WRITE_EVENTS)
    form = await require_csrf(page)
    try:
        fresh = await resend_delivery(
            page.school, page.actor, int(request.match_info["id"]), now=now_utc()
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such delivery") from None
    except Conflict as error:
        raise web.HTTPConflict(text=error.message) from None
    await enqueue_deliveries(request.config_dict[QUEUE], [(fresh.id, None)])
    raise web.HTTPSeeOther(_back(page, form))
