"""Answering a family's reply by SMS from the replies page (« Répondre par SMS »).

``POST /s/{uai}/replies/{id}/answer`` (the form of ``_reply_answer.html``, under each reply)
writes the answer through :mod:`core.services.notices.answers`, enqueues its SMS once committed
and goes back to ``/s/{uai}/replies`` saying what was done, or why not, in French; another
school's reply, or one that does not exist, is a 404.
"""

from __future__ import annotations

from aiohttp import web

from core.errors import DomainError, NotFound
from core.i18n import N_
from core.rules.permissions import Permission
from core.services.notices.answers import MAX_TEXT, answer_reply
from web.keys import QUEUE
from web.panel import session
from web.panel.guard import Page, require_csrf, school_page
from web.panel.inputs import path_id
from workers.queue import enqueue_scheduled

ANSWER = r"/s/{uai}/replies/{id:\d+}/answer"
REFUSED = {
    "no_family": N_(
        "Cette réponse n'est rattachée à aucun responsable ni élève : rattachez-la avant d'y "
        "répondre."
    ),
    "not_a_number": N_("Cette réponse ne vient pas d'un numéro de téléphone."),
    "landline": N_("Ce numéro est un fixe : appelez la famille."),
    "opted_out": N_("Ce numéro ne reçoit plus de SMS de l'établissement (STOP)."),
    "empty": N_("Écrivez la réponse à envoyer."),
    "too_long": N_("La réponse compte au plus {count} caractères."),
}
OTHER = N_("La réponse n'a pas pu être envoyée : rechargez la page et réessayez.")


def setup_reply_answer(app: web.Application) -> None:
    app.router.add_post(ANSWER, answer_one)


def _back(page: Page, key: str, said: str) -> web.Response:
    """Back to the replies page, which says ``said`` (``key``: ``flash`` or ``error``)."""
    page.session[key] = said
    response = web.Response(status=303, headers={"Location": f"/s/{page.school.uai}/replies"})
    session.store(page.request, response, page.session)
    return response


async def answer_one(request: web.Request) -> web.Response:
    page = await school_page(request, Permission.DECIDE)
    form = await require_csrf(page)
    text = str(form.get("text") or "")
    try:
        done = await answer_reply(page.actor, page.school, path_id(request), text)
    except NotFound:  # another school's reply, or none: as a page that is not there
        raise web.HTTPNotFound(text="no such reply") from None
    except DomainError as error:
        said = page.gettext(REFUSED.get(error.code, OTHER)).format(count=MAX_TEXT)
        return _back(page, "error", said)
    await enqueue_scheduled(page.request.config_dict[QUEUE], done.due)
    return _back(
        page, "flash", page.gettext("Réponse envoyée par SMS au {number}.").format(number=done.to)
    )
