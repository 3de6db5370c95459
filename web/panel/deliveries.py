"""The delivery board: every notice's deliveries and their statuses, counts per channel and day,
a resend button for the failed ones, "corriger le numéro" for a failed SMS, call or email, and
the school's open staff alerts.

``/s/{uai}/deliveries`` is a GET page (``status=failed|waiting|all``, ``channel=``,
``offset=``) for the roles that see the deliveries (not a teacher: numbers and addresses of
families they do not teach). Its forms are posted with the page's token:
``…/deliveries/{id}/resend`` and ``…/deliveries/{id}/fix`` (``value``, ``note``, ``resend``) by
a role that may write events, ``/s/{uai}/alerts/{id}/seen`` by a CPE or an admin (also from the
dashboard); each answers 303 back to the page it came from. A correction refused (not a number,
another family's…) shows the board again with the reason and the typed value, nothing changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from aiohttp import web

from core.errors import Conflict, DomainError, Invalid, NotFound
from core.i18n import N_
from core.models import ContactKind, Delivery, DeliveryStatus
from core.queries.alerts import open_alerts
from core.queries.deliveries import daily_counts, delivery_rows, school_delivery
from core.rules.channels import channel_names
from core.rules.languages import language_name
from core.rules.permissions import Permission
from core.services.delivery.alerts import may_resolve, resolve_alert
from core.services.delivery.contacts import fix_contact, fixable
from core.services.delivery.resend import RESENDABLE, may_resend, resend_delivery
from core.services.schools.school import now_utc
from web.keys import QUEUE
from web.panel import session
from web.panel.guard import Page, refusal, require_csrf, school_page
from web.panel.inputs import Said, path_id, read_offset
from web.panel.refusals import worded
from workers.queue import enqueue_deliveries

BASE = "/s/{uai}/deliveries"
ALERTS = "/s/{uai}/alerts"
LIMIT = 50
SUMMARY_DAYS = 7
FILTERS: dict[str, tuple[DeliveryStatus, ...]] = {
    "failed": RESENDABLE,
    "waiting": (DeliveryStatus.SCHEDULED, DeliveryStatus.SENDING),
    "all": (),
}
REFUSED = {Invalid: 400, Conflict: 409}


def setup_deliveries(app: web.Application) -> None:
    """Mount the delivery board, its forms, and the alerts' "seen" form."""
    app.router.add_get(BASE, board)
    app.router.add_post(BASE + r"/{id:\d+}/resend", resend)
    app.router.add_post(BASE + r"/{id:\d+}/fix", fix)
    app.router.add_post(ALERTS + r"/{id:\d+}/seen", alert_seen)


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
    fixable: bool = False
    email: bool = False  # the point to correct is an address, not a number
    usability: str = "ok"
    imported: bool = False  # the point comes from SIECLE (the correction goes beside it)
    notice_done: bool = False
    language: str = "fr"  # the recipient's, when the delivery was planned

    @property
    def language_name(self) -> str:
        return language_name(self.language)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A correction refused: the row, what was typed, and why."""

    row: Row
    value: str
    note: str
    resend: bool
    message: str


def _choice(value: str | None, allowed: list[str], default: str) -> str:
    return value if value in allowed else default


def _row(delivery: Delivery, zone: ZoneInfo) -> Row:
    notice = delivery.notice
    student = notice.student
    contact = delivery.contact
    return Row(
        id=delivery.id,
        student=f"{student.last_name.upper()} {student.first_name}",
        kind=notice.kind.value,
        day=notice.created_at.astimezone(zone).date(),
        channel=str(delivery.channel),
        to=delivery.to,
        status=delivery.status.value,
        attempts=delivery.attempts,
        provider_ref=delivery.provider_ref or "",
        error=delivery.error,
        updated_at=delivery.updated_at.astimezone(zone),
        resendable=delivery.status in RESENDABLE and may_resend(contact),
        fixable=fixable(delivery, contact),
        email=contact is not None and contact.kind == ContactKind.EMAIL,
        usability=str(contact.usability) if contact is not None else "ok",
        imported=contact is not None and bool(contact.siecle_field),
        notice_done=str(notice.status) == "done",
        language=delivery.language,
    )


def _since() -> datetime:
    """The summary's first moment: :data:`SUMMARY_DAYS` ago."""
    return (now_utc() - timedelta(days=SUMMARY_DAYS)).astimezone(UTC)


def _filters(query: Mapping[str, str]) -> tuple[str, str, int]:
    status = _choice(query.get("status"), list(FILTERS), "all")
    channel = _choice(query.get("channel"), channel_names(), "")
    return status, channel, read_offset(query.get("offset"))


async def _show(
    page: Page,
    query: Mapping[str, str],
    back: str,
    *,
    refusal: Refusal | None = None,
    status: int = 200,
) -> web.Response:
    zone = ZoneInfo(page.school.timezone)
    state, channel, offset = _filters(query)
    batch = await delivery_rows(page.school, FILTERS[state], channel, offset, LIMIT + 1)
    rows = [_row(d, zone) for d in batch[:LIMIT]]
    here = f"/s/{page.school.uai}/deliveries"

    def at(position: int) -> str:
        return f"{here}?{urlencode({'status': state, 'channel': channel, 'offset': position})}"

    context: dict[str, Any] = {
        "here": here,
        "rows": rows,
        "status": state,
        "statuses": list(FILTERS),
        "channel": channel,
        "channels": channel_names(),
        "first": offset + 1,
        "last": offset + len(rows),
        "previous_url": at(max(0, offset - LIMIT)) if offset > 0 else None,
        "next_url": at(offset + LIMIT) if len(batch) > LIMIT else None,
        "back": back,
        "can_resend": page.can(Permission.WRITE_EVENTS),
        "summary": await daily_counts(page.school, _since(), zone),
        "alerts": await open_alerts(page.school),
        "can_resolve": may_resolve(page.role),
        "alerts_base": f"/s/{page.school.uai}/alerts",
        "flash": page.session.pop("flash", None),
        "refusal": refusal,
    }
    return page.render("deliveries.html", context, status=status)


async def board(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.DELIVERIES)
    return await _show(page, request.query, request.path_qs)


def _back(page: Page, form: Mapping[str, Any], *, home: bool = False) -> str:
    """Where a form goes back to: the board (with its filters), or the dashboard for ``home``."""
    here = f"/s/{page.school.uai}/deliveries"
    back = str(form.get("back", ""))
    if "//" in back or "\\" in back:
        return here
    if back.startswith(here) or (home and back in ("/", f"/?school={page.school.uai}")):
        return back
    return here


def _done(page: Page, target: str, flash: str) -> web.Response:
    page.session["flash"] = page.gettext(flash)
    response = web.Response(status=303, headers={"Location": target})
    session.store(page.request, response, page.session)
    return response


async def resend(request: web.Request) -> web.StreamResponse:
    """A new scheduled delivery copying the failed one, enqueued once committed."""
    page = await school_page(request, Permission.WRITE_EVENTS)
    form = await require_csrf(page)
    try:
        fresh = await resend_delivery(page.school, page.actor, path_id(request), now=now_utc())
    except NotFound:
        raise web.HTTPNotFound(text="no such delivery") from None
    except Conflict as error:
        raise Said(worded(page.words, error), 409) from None
    await enqueue_deliveries(request.config_dict[QUEUE], [(fresh.id, None)])
    raise web.HTTPSeeOther(_back(page, form))


async def _refused_row(page: Page, delivery_id: int) -> Row | None:
    delivery = await school_delivery(page.school, delivery_id)
    return None if delivery is None else _row(delivery, ZoneInfo(page.school.timezone))


async def fix(request: web.Request) -> web.StreamResponse:
    """Correct the number or address of a failed delivery; the notice leaves again if asked."""
    page = await school_page(request, Permission.WRITE_EVENTS)
    form = await require_csrf(page)
    delivery_id = path_id(request)
    value, note = str(form.get("value", ""))[:300], str(form.get("note", ""))[:200]
    again = form.get("resend") in ("1", "on", "true")
    back = _back(page, form)
    try:
        fixed = await fix_contact(
            page.school, page.actor, delivery_id, value, now=now_utc(), note=note, resend=again
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such delivery") from None
    except DomainError as error:
        row = await _refused_row(page, delivery_id)
        if row is None:  # deleted meanwhile
            raise web.HTTPNotFound(text="no such delivery") from None
        message = worded(page.words, error, "dl.fix.error")
        refusal = Refusal(row, value, note, again, message)
        query = dict(parse_qsl(urlsplit(back).query))
        return await _show(page, query, back, refusal=refusal, status=REFUSED.get(type(error), 400))
    if fixed.resent is not None:
        await enqueue_deliveries(request.config_dict[QUEUE], [(fixed.resent.id, None)])
    return _done(
        page,
        back,
        N_("Coordonnée corrigée ; l'avis repart.") if fixed.resent else N_("Coordonnée corrigée."),
    )


async def alert_seen(request: web.Request) -> web.StreamResponse:
    """A CPE or an admin marks an alert as seen; it leaves the board and the dashboard."""
    page = await school_page(request)
    if not may_resolve(page.role):
        raise refusal(
            page, N_("Votre rôle dans cet établissement ne donne pas accès à cette page.")
        )
    form = await require_csrf(page)
    try:
        await resolve_alert(page.school, page.actor, path_id(request), now=now_utc())
    except NotFound:
        raise web.HTTPNotFound(text="no such alert") from None
    raise web.HTTPSeeOther(_back(page, form, home=True))
