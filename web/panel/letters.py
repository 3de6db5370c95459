"""The day's letters to families: to print, printed, posted; one merged PDF; the marks.

``/s/{uai}/letters?day=YYYY-MM-DD`` (today in the school's zone by default) lists the letters
whose PDF the letter channel made that day, for whoever may read letters (admin, direction, CPE,
vie scolaire). ``/s/{uai}/letters.pdf?day=&id=…`` downloads the chosen letters (else the day's
letters not yet printed) as one PDF. The page's form posts to ``/s/{uai}/letters`` with
``action`` = ``pdf`` (the same download), ``printed`` or ``posted`` (marks: admin, CPE, vie
scolaire; the direction reads only). The work is done by :mod:`core.services.delivery.letters`;
the files
come through the app's :class:`core.services.ports.Mailroom`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from core.i18n import N_
from core.queries.letters import STATES, letters_of_day, oldest_day_to_print
from core.rules.permissions import Permission
from core.rules.postal import households
from core.services.delivery.letters import MARKS, Marked, mark_letters, print_batch
from core.services.schools.school import now_utc
from web.i18n import language
from web.keys import MAILROOM
from web.panel import session
from web.panel.grid_data import day_label, today_in
from web.panel.guard import Page, require_csrf, school_page
from web.panel.inputs import BadInput, Said, read_day, read_ids
from web.panel.pdf import mailroom_of
from web.panel.refusals import worded

BASE = "/s/{uai}/letters"
PDF = "/s/{uai}/letters.pdf"
HEADER_IDS = 500  # ids named in the X-Letters headers (a header must stay under 8 KB)
STATUS: dict[type[DomainError], int] = {Invalid: 422, NotFound: 404, Conflict: 409, Forbidden: 403}


def setup_letters(app: web.Application) -> None:
    """Mount the letters page, its PDF and its form (and register the words of both pages)."""
    app.router.add_get(BASE, letters_page)
    app.router.add_get(PDF, letters_pdf)
    app.router.add_post(BASE, letters_submit)


def _day(page: Page, raw: object) -> date:
    if not raw:
        return today_in(page.school, now_utc())
    return read_day(raw)


def _ids(raw: Sequence[object]) -> list[int]:
    return read_ids([str(value) for value in raw])


async def _show(
    page: Page, day: date, *, error: str | None = None, status: int = 200
) -> web.Response:
    rows = await letters_of_day(page.school, day)
    earlier, oldest = await oldest_day_to_print(page.school, day)
    lang = language(page.request)
    context: dict[str, Any] = {
        "here": f"/s/{page.school.uai}/letters",
        "day": day,
        "day_label": day_label(day, lang),
        "today": today_in(page.school, now_utc()),
        "previous": (day - timedelta(days=1)).isoformat(),
        "next": (day + timedelta(days=1)).isoformat(),
        "groups": [
            (state, shown, len(households(shown, lambda row: row.household)))
            for state in STATES
            for shown in [[row for row in rows if row.state == state]]
        ],
        "total": len(rows),
        "earlier": earlier,
        "oldest": oldest,
        "oldest_label": day_label(oldest, lang) if oldest is not None else "",
        "can_mark": page.can(Permission.POST_LETTERS),
        "has_files": MAILROOM in page.request.config_dict,
        "flash": page.session.pop("flash", None),
        "error": error,
    }
    return page.render("letters.html", context, status=status)


async def letters_page(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.LETTERS)
    return await _show(page, _day(page, request.query.get("day")))


async def _pdf(page: Page, day: date, ids: list[int]) -> web.Response:
    """The merged PDF; raises ``DomainError`` (nothing to print, a file that cannot be made)."""
    mailroom = mailroom_of(page)
    batch = await print_batch(
        page.school, mailroom.letters, mailroom.render, day=day, delivery_ids=ids or None
    )
    name = f"courriers-{page.school.uai}-{day.isoformat()}.pdf"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Letters-Count": str(len(batch.letters)),
        "X-Letters-Envelopes": str(batch.envelopes),
        "X-Letters": ",".join(str(letter.id) for letter in batch.letters[:HEADER_IDS]),
        "X-Letters-Regenerated": ",".join(str(i) for i in batch.regenerated[:HEADER_IDS]),
        "Cache-Control": "no-store",
    }
    return web.Response(body=batch.pdf, content_type="application/pdf", headers=headers)


async def letters_pdf(request: web.Request) -> web.Response:
    """``?day=`` and optional ``id=`` (repeated): the merged PDF, or a one-line refusal."""
    page = await school_page(request, Permission.LETTERS)
    day = _day(page, request.query.get("day"))
    try:
        return await _pdf(page, day, _ids(request.query.getall("id", [])))
    except DomainError as error:
        raise Said(worded(page.words, error), STATUS.get(type(error), 422)) from None


async def _posted_ids(page: Page, form: dict[str, Any]) -> list[int]:
    if page.request.content_type == "application/json":
        raw = form.get("id", [])
        return _ids(raw if isinstance(raw, list) else [raw])
    return _ids((await page.request.post()).getall("id", []))


def _said(page: Page, marked: Marked) -> str:
    if not marked.changed:
        return page.gettext("Rien n'a changé : ces courriers étaient déjà marqués.")
    said, changed, unchanged = page.words, len(marked.changed), len(marked.unchanged)
    if marked.mark == "posted":
        text = said.ngettext(
            "{count} courrier marqué posté : l'envoi est remis.",
            "{count} courriers marqués postés : l'envoi est remis.",
            changed,
        )
    else:
        text = said.ngettext(
            "{count} courrier marqué imprimé.", "{count} courriers marqués imprimés.", changed
        )
    text = text.format(count=changed)
    if unchanged:
        text += " " + said.ngettext(
            "{count} l'était déjà : rien n'a changé pour lui.",
            "{count} l'étaient déjà : rien n'a changé pour eux.",
            unchanged,
        ).format(count=unchanged)
    return text


async def letters_submit(request: web.Request) -> web.StreamResponse:
    """The page's form: download the chosen letters, or mark them printed or posted."""
    page = await school_page(request, Permission.LETTERS)
    form = await require_csrf(page)
    day = _day(page, form.get("day"))
    ids = await _posted_ids(page, form)
    action = str(form.get("action", ""))
    if action not in ("pdf", *MARKS):
        raise BadInput(N_("Choisissez : télécharger, marquer imprimés ou marquer postés."))
    if action != "pdf" and not page.can(Permission.POST_LETTERS):
        raise Said(page.gettext("Votre rôle ne permet pas de marquer les courriers."), 403)
    if action != "pdf" and not ids:
        return await _show(
            page, day, error=page.gettext("Choisissez au moins un courrier."), status=422
        )
    try:
        if action == "pdf":
            return await _pdf(page, day, ids)
        marked = await mark_letters(page.school, page.actor, ids, action, now=now_utc())
    except DomainError as error:
        return await _show(
            page, day, error=worded(page.words, error), status=STATUS.get(type(error), 422)
        )
    page.session["flash"] = _said(page, marked)
    target = f"/s/{page.school.uai}/letters?day={day.isoformat()}"
    response = web.Response(status=303, headers={"Location": target})
    session.store(request, response, page.session)
    return response
