"""Réponses: the families' replies waiting for the CPE, and the decision on each.

``/s/{uai}/replies?status=pending`` lists the replies (pending by default; ``accepted``,
``rejected``, ``unmatched``, ``opt_out``, ``all``) with the student, the absences each is about
and the reason it was read as, for the roles that decide on justifications (CPE, vie
scolaire, admin). Each row posts to ``…/replies/{id}/accept`` (with the reason chosen in its
list, the proposed one by default) or ``…/replies/{id}/reject``; the chosen rows post together
to ``…/replies/accept`` (each with its proposed reason). The work is done by
:mod:`core.services.notices.replies`; what it refuses is worded here from its codes.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.errors import DomainError
from core.i18n import N_
from core.queries.inbound import absence_reasons, inbound_page, reply_spans
from core.queries.scope import reader_scope
from core.rules.permissions import Permission
from core.services.notices.replies import accept_reply, reject_reply
from web.keys import QUEUE
from web.panel import session
from web.panel.guard import Page, require_csrf, school_page
from web.panel.inputs import path_id, read_ids
from workers.queue import enqueue_scheduled

BASE = "/s/{uai}/replies"
STATUSES = ("pending", "accepted", "rejected", "unmatched", "opt_out", "all")
SHOWN = 200  # replies on one page (the pending ones are read every day: few)
REFUSED = {
    "decided": N_("Cette réponse a déjà été traitée."),
    "reason_required": N_("Choisissez le motif que donne la famille."),
    "not_found": N_("Cette réponse n'existe pas dans cet établissement."),
    "unknown_reason": N_("Ce motif n'existe pas dans cet établissement."),
}
OTHER = N_("Cette réponse n'a pas pu être traitée : rechargez la page et réessayez.")


def setup_replies(app: web.Application) -> None:
    app.router.add_get(BASE, replies_page)
    app.router.add_post(BASE + "/accept", accept_chosen)
    app.router.add_post(BASE + r"/{id:\d+}/accept", accept_one)
    app.router.add_post(BASE + r"/{id:\d+}/reject", reject_one)


async def replies_page(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.DECIDE)
    status = request.query.get("status", "pending")
    if status not in STATUSES:
        status = "pending"
    scope = await reader_scope(page.school, page.user.id, page.role)
    found = await inbound_page(
        page.school, status=None if status == "all" else status, limit=SHOWN, scope=scope
    )
    context: dict[str, Any] = {
        "here": f"/s/{page.school.uai}/replies",
        "status": status,
        "statuses": STATUSES,
        "rows": found.items,
        "total": found.total,
        "spans": await reply_spans(page.school, list(found.items)),
        "reasons": await absence_reasons(page.school),
        "flash": page.session.pop("flash", None),
        "error": page.session.pop("error", None),
    }
    return page.render("replies.html", context)


def _worded(page: Page, error: DomainError) -> str:
    return page.gettext(REFUSED.get(error.code, OTHER))


def _back(page: Page, *, flash: str | None = None, error: str | None = None) -> web.Response:
    if flash:
        page.session["flash"] = flash
    if error:
        page.session["error"] = error
    response = web.Response(status=303, headers={"Location": f"/s/{page.school.uai}/replies"})
    session.store(page.request, response, page.session)
    return response


async def _accept(page: Page, reply_id: int, reason: str | None) -> None:
    done = await accept_reply(page.school, page.actor, reply_id, reason=reason)
    await enqueue_scheduled(page.request.config_dict[QUEUE], done.due)


async def accept_one(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.DECIDE)
    form = await require_csrf(page)
    reason = str(form.get("reason") or "")[:30] or None
    try:
        await _accept(page, path_id(request), reason)
    except DomainError as error:
        return _back(page, error=_worded(page, error))
    return _back(page, flash=page.gettext("Réponse acceptée : l'absence est justifiée."))


async def reject_one(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.DECIDE)
    await require_csrf(page)
    try:
        await reject_reply(page.school, page.actor, path_id(request))
    except DomainError as error:
        return _back(page, error=_worded(page, error))
    return _back(page, flash=page.gettext("Réponse rejetée : l'absence reste telle quelle."))


async def accept_chosen(request: web.Request) -> web.Response:
    """The chosen replies, each with the reason it was read as."""
    page = await school_page(request, Permission.DECIDE)
    await require_csrf(page)
    ids = read_ids([str(v) for v in (await request.post()).getall("id", [])])
    if not ids:
        return _back(page, error=page.gettext("Choisissez au moins une réponse."))
    refused: list[str] = []
    for reply_id in ids:
        try:
            await _accept(page, reply_id, None)
        except DomainError as error:
            refused.append(_worded(page, error))
    accepted = len(ids) - len(refused)
    said = page.words.ngettext(
        "{count} réponse acceptée.", "{count} réponses acceptées.", accepted
    ).format(count=accepted)
    if refused:
        said += " " + page.words.ngettext(
            "{count} ne l'a pas été : {why}", "{count} ne l'ont pas été : {why}", len(refused)
        ).format(count=len(refused), why=" ".join(dict.fromkeys(refused)))
    return _back(page, flash=said)
