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
from core.i18n import N_, Words, words
from web.bodies import BodyError
from web.i18n import language
from web.panel.inputs import BadInput, Said
from web.panel.refusals import worded_http, worded_status
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


def _title(t: Words, status: int) -> str:
    if status == 404:
        return t.gettext("Page introuvable")
    if status in (401, 403):
        return t.gettext("Accès refusé")
    if status == 409:
        return t.gettext("Déjà modifié")
    return t.gettext("Demande impossible")


def _wants_json(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _answer(request: web.Request, t: Words, status: int, message: str) -> web.Response:
    """The refusal in the layout, or its sentence alone for a script that asked for JSON."""
    if _wants_json(request):
        return web.json_response({"error": {"message": message}}, status=status)
    return problem_page(request, status, _title(t, status), message)


@web.middleware
async def panel_problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bad input → 400 with a sentence; a page, a lesson, a class not here → 404 in words; any
    other refusal (4xx) in the layout with a sentence by its status; any unexpected
    exception → 500, logged."""
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
        return _answer(request, t, error.status, t.gettext(error.key).format(**error.values))
    except Said as error:
        return _answer(request, t, error.status, error.sentence)
    except BodyError as error:  # a JSON body not UTF-8, too deep or too large
        return _answer(request, t, error.status, worded_status(t, error.status))
    except UnicodeDecodeError:  # a form or a query that is not UTF-8
        return _answer(request, t, 400, worded_status(t, 400))
    except web.HTTPException as error:
        shown = error.content_type in ("text/html", "application/json")
        if error.status < 400 or error.status >= 500 or shown:
            raise  # a redirect, a page already in the layout, a JSON answer, a 5xx
        logger.debug("refused %s %s: %s", request.method, request.path, error.text)
        return _answer(request, t, error.status, worded_http(t, error))
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
