"""The panel's answers to what went wrong: a 400 page for a value it cannot use, a 404 page for
a browser asking a page that is not there, and — last resort — a 500 page for a bug, all in the
layout and the user's language.

The JSON API and the provider webhooks have their own error answers and are left alone. A bug
keeps its traceback in the log, never in the page.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from core.bounds import storable
from core.i18n import N_, words
from web.bodies import BodyError
from web.i18n import language
from web.panel.inputs import BadInput
from web.panel.render import render

logger = logging.getLogger("absences.panel")
NOT_THE_PANEL = ("/api/", "/hooks/")


def problem_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    """A page in the layout that says what went wrong, with ``status``."""
    return render(request, "problem.html", {"title": title, "message": message}, status=status)


async def _storable_input(request: web.Request) -> bool:
    """No text of the query, the path or a plain form holds a NUL (no column can store it)."""
    texts = [*request.query.values(), *request.match_info.values()]
    if request.content_type == "application/x-www-form-urlencoded":
        texts += [value for value in (await request.post()).values() if isinstance(value, str)]
    return all(storable(text) for text in texts)


@web.middleware
async def panel_problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bad input → 400 with a sentence; any unexpected exception → 500, logged."""
    if request.path.startswith(NOT_THE_PANEL):
        return await handler(request)
    t = words(language(request))
    try:
        if not await _storable_input(request):
            raise BadInput(
                N_("Cette demande contient une valeur que l'application ne peut pas lire.")
            )
        return await handler(request)
    except BadInput as error:
        message = t.gettext(error.key).format(**error.values)
        return problem_page(request, 400, t.gettext("Demande impossible"), message)
    except BodyError as error:  # a JSON body not UTF-8, too deep or too large
        return problem_page(
            request,
            error.status,
            t.gettext("Demande impossible"),
            t.gettext("Cette demande contient une valeur que l'application ne peut pas lire."),
        )
    except UnicodeDecodeError:  # a form or a query that is not UTF-8
        return problem_page(
            request,
            400,
            t.gettext("Demande impossible"),
            t.gettext("Cette demande contient une valeur que l'application ne peut pas lire."),
        )
    except web.HTTPNotFound:
        if request.method != "GET" or "text/html" not in request.headers.get("Accept", ""):
            raise  # a form post or a script's call keeps its short answer
        return problem_page(
            request,
            404,
            t.gettext("Page introuvable"),
            t.gettext(
                "Cette page n'existe pas, ou plus : l'adresse est peut-être incomplète, ou ce "
                "qu'elle désigne n'est pas de cet établissement."
            ),
        )
    except web.HTTPException:
        raise
    except Exception:  # a bug: keep the traceback in the log, not in the page
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return problem_page(
            request,
            500,
            t.gettext("Erreur interne"),
            t.gettext(
                "Une erreur inattendue s'est produite. Elle a été consignée ; merci de "
                "réessayer plus tard ou de prévenir l'administrateur."
            ),
        )


def setup_problems(app: web.Application) -> None:
    """Install the middleware and its words on the main application."""
    app.middlewares.append(panel_problems)
