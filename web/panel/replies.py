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

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

from core.errors import DomainError
from core.i18n import N_
from core.queries.inbound import (
    absence_reasons,
    family_absences,
    find_guardians,
    inbound_page,
    reply_document,
    reply_of,
    reply_spans,
)
from core.queries.scope import reader_scope
from core.rules.permissions import Permission
from core.services.notices.replies import (
    MAX_EVENTS,
    accept_reply,
    attach_reply,
    close_reply,
    reject_reply,
)
from web.keys import QUEUE, SETTINGS
from web.panel import session
from web.panel.guard import Page, require_csrf, school_page
from web.panel.inputs import path_id, read_ids
from workers.queue import enqueue_scheduled

BASE = "/s/{uai}/replies"
STATUSES = ("pending", "unmatched", "accepted", "rejected", "acknowledged", "opt_out", "all")
SHOWN = 200  # replies on one page (the pending ones are read every day: few)
REFUSED = {
    "decided": N_("Cette réponse a déjà été traitée."),
    "reason_required": N_("Choisissez le motif que donne la famille."),
    "not_found": N_("Cette réponse n'existe pas dans cet établissement."),
    "unknown_reason": N_("Ce motif n'existe pas dans cet établissement."),
    "unknown_guardian": N_("Ce responsable n'existe pas dans cet établissement."),
    "guardian_required": N_("Choisissez d'abord le responsable qui a écrit."),
    "not_their_child": N_("Cet élève n'est pas un enfant de ce responsable."),
    "unknown_event": N_("Cette absence n'est pas celle de cet élève."),
    "too_many": N_("Choisissez moins d'absences à la fois."),
}
GUARDIAN_SET = N_("Réponse rattachée à ce responsable : vérifiez l'élève et les absences.")
OTHER = N_("Cette réponse n'a pas pu être traitée : rechargez la page et réessayez.")


def setup_replies(app: web.Application) -> None:
    app.router.add_get(BASE, replies_page)
    app.router.add_post(BASE + "/accept", accept_chosen)
    app.router.add_post(BASE + r"/{id:\d+}/accept", accept_one)
    app.router.add_post(BASE + r"/{id:\d+}/reject", reject_one)
    app.router.add_post(BASE + r"/{id:\d+}/close", close_one)
    app.router.add_get(BASE + r"/{id:\d+}/attach", attach_page)
    app.router.add_get(BASE + r"/{id:\d+}/documents/{doc:\d+}", document)
    app.router.add_post(BASE + r"/{id:\d+}/attach", attach_one)


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


def _back(
    page: Page, *, flash: str | None = None, error: str | None = None, to: str = ""
) -> web.Response:
    if flash:
        page.session["flash"] = flash
    if error:
        page.session["error"] = error
    location = f"/s/{page.school.uai}/replies{to}"
    response = web.Response(status=303, headers={"Location": location})
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
    return await _file_one(
        request, reject_reply, N_("Réponse rejetée : l'absence reste telle quelle.")
    )


async def close_one(request: web.Request) -> web.Response:
    return await _file_one(
        request, close_reply, N_("Réponse classée : il n'y avait rien à justifier.")
    )


async def _file_one(
    request: web.Request, decide: Callable[..., Awaitable[object]], done: str
) -> web.Response:
    """A reply rejected or filed (``decide``), then back to the list with ``done`` said."""
    page = await school_page(request, Permission.DECIDE)
    await require_csrf(page)
    try:
        await decide(page.school, page.actor, path_id(request))
    except DomainError as error:
        return _back(page, error=_worded(page, error))
    return _back(page, flash=page.gettext(done))


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


async def attach_page(request: web.Request) -> web.Response:
    """Attach a reply by hand: the guardian who wrote (found by their or a child's name), one
    of their children, some of that child's absences of the last weeks."""
    page = await school_page(request, Permission.DECIDE)
    scope = await reader_scope(page.school, page.user.id, page.role)
    reply = await reply_of(page.school, path_id(request), scope)
    if reply is None:
        raise web.HTTPNotFound(text="no such reply")
    query = request.query.get("q", "")[:60]
    children = (
        await family_absences(page.school, reply.guardian_id, reply.received_at)
        if reply.guardian_id is not None
        else []
    )
    context: dict[str, Any] = {
        "here": f"/s/{page.school.uai}/replies",
        "reply": reply,
        "query": query,
        "found": await find_guardians(page.school, query) if query else [],
        "children": children,
        "open": reply.status in ("pending", "unmatched"),
        "flash": page.session.pop("flash", None),
        "error": page.session.pop("error", None),
    }
    return page.render("reply_attach.html", context)


async def document(request: web.Request) -> web.StreamResponse:
    """A photo or a PDF a family sent with a reply, for the staff who decide on it."""
    page = await school_page(request, Permission.DECIDE)
    scope = await reader_scope(page.school, page.user.id, page.role)
    found = await reply_document(page.school, path_id(request), path_id(request, "doc"), scope)
    var_dir = request.app[SETTINGS].var_dir
    path = (var_dir / found.path).resolve() if found is not None else None
    if found is None or path is None or not path.is_relative_to(var_dir.resolve()):
        raise web.HTTPNotFound(text="no such document")
    if not await asyncio.to_thread(path.is_file):
        raise web.HTTPNotFound(text="no such document")
    name = quote(found.file_name or path.name)
    headers = {
        "Content-Type": found.content_type,
        "Content-Disposition": f"inline; filename*=UTF-8''{name}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, no-store",
    }
    return web.FileResponse(path, headers=headers)


def _one_id(form: dict[str, Any], name: str) -> int | None:
    value = str(form.get(name) or "").strip()
    return read_ids([value])[0] if value else None


async def attach_one(request: web.Request) -> web.Response:
    """The guardian (then back to the page, to check the child and absences), or the child
    and the absences chosen (then back to the list)."""
    page = await school_page(request, Permission.DECIDE)
    form = await require_csrf(page)
    reply_id = path_id(request)
    again = f"/{reply_id}/attach"
    guardian, student = _one_id(form, "guardian_id"), _one_id(form, "student_id")
    posted = await request.post()
    events = read_ids([str(v) for v in posted.getall("event", [])][: MAX_EVENTS + 1])
    try:
        await attach_reply(
            page.school,
            page.actor,
            reply_id,
            guardian_id=guardian,
            student_id=student,
            event_ids=events or None,
        )
    except DomainError as error:
        return _back(page, error=_worded(page, error), to=again)
    if guardian is not None:
        said = page.gettext(
            "Réponse rattachée à ce responsable : vérifiez l'élève et les absences."
        )
        return _back(page, flash=said, to=again)
    return _back(page, flash=page.gettext("Réponse rattachée : elle attend votre décision."))
