"""The invitation link's pages (public): ``/invitations/{secret}``.

GET shows the invitation (200), or says it is unknown (404) or no longer valid — used,
cancelled, expired (410). The person accepts either by signing in with the account of the
invited email (``POST …/account``, counted and throttled as a login) or by creating that
account (``POST …/new``, refused with "sign in instead" when it exists). Both forms carry the
session's CSRF token; the Origin check applies as to every panel POST.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.errors import Conflict, Invalid, NotFound
from core.services.access.login import Throttled
from core.services.schools import invitations
from core.services.schools.invitations import Gone, Opened
from core.services.schools.users import MIN_PASSWORD_LENGTH
from web.i18n import language, register, translator
from web.panel import session
from web.panel.account import now_of, throttled_page
from web.panel.invitation_words import MESSAGES
from web.panel.render import render

BASE = "/invitations/{secret}"


def setup_invitations(app: web.Application) -> None:
    register(MESSAGES)
    app.router.add_get(BASE, invitation_page)
    app.router.add_post(BASE + "/account", accept_with_account)
    app.router.add_post(BASE + "/new", accept_with_new_account)


def _t(request: web.Request) -> dict[str, str]:
    return translator(language(request))


def _page(request: web.Request, context: dict[str, Any], *, status: int = 200) -> web.Response:
    data = session.load(request)
    token = session.csrf_token(data)
    base = {
        "state": "open",
        "csrf": token,
        "error": None,
        "error_form": "",
        "name": "",
        "min_length": MIN_PASSWORD_LENGTH,
        "secret": request.match_info["secret"],
    }
    response = render(request, "invitation.html", {**base, **context}, status=status)
    # the link's secret is never sent to another site (and "no-referrer" would make the
    # browser post with ``Origin: null``, which the origin check refuses)
    response.headers["Referrer-Policy"] = "same-origin"
    session.store(request, response, data)
    return response


async def _opened(request: web.Request) -> Opened | web.Response:
    """The pending invitation of the link, or the 404 / 410 page."""
    try:
        return await invitations.open_invitation(request.match_info["secret"], now_of(request))
    except NotFound:
        return _page(request, {"state": "unknown"}, status=404)
    except Gone:
        return _page(request, {"state": "gone"}, status=410)


def _open_context(request: web.Request, opened: Opened) -> dict[str, Any]:
    role = _t(request).get("settings.staff.role." + opened.invitation.role, opened.invitation.role)
    # not "school" nor "role": the layout reads those as the staff member's own
    return {"school_name": opened.school.name, "role_name": role, "email": opened.invitation.email}


async def invitation_page(request: web.Request) -> web.Response:
    opened = await _opened(request)
    if isinstance(opened, web.Response):
        return opened
    return _page(request, _open_context(request, opened))


async def _posted(request: web.Request) -> tuple[Opened, dict[str, Any]] | web.Response:
    """The pending invitation and the posted form, or the page that refuses them (404, 410, or
    the form again when its CSRF token is wrong)."""
    opened = await _opened(request)
    if isinstance(opened, web.Response):
        return opened
    posted = await request.post()
    if not session.check_csrf(session.load(request), posted.get("csrf")):
        context = _open_context(request, opened) | {"error": _t(request)["invitation.csrf"]}
        return _page(request, context, status=400)
    return opened, dict(posted)


def _done(request: web.Request, opened: Opened) -> web.Response:
    return _page(request, {"state": "done", "school_name": opened.school.name})


async def accept_with_account(request: web.Request) -> web.Response:
    posted = await _posted(request)
    if isinstance(posted, web.Response):
        return posted
    opened, form = posted

    async def again(
        request: web.Request, *, error: str, status: int, email: str = ""
    ) -> web.Response:
        context = _open_context(request, opened) | {"error": error, "error_form": "account"}
        return _page(request, context, status=status)

    try:
        await invitations.accept_with_account(
            request.match_info["secret"],
            str(form.get("password", "")),
            request.remote or "",
            now=now_of(request),
        )
    except Throttled as refused:
        return await throttled_page(request, again, refused.until, opened.invitation.email)
    except Invalid:
        return await again(request, error=_t(request)["invitation.wrong"], status=401)
    except Gone:
        return _page(request, {"state": "gone"}, status=410)
    return _done(request, opened)


async def accept_with_new_account(request: web.Request) -> web.Response:
    posted = await _posted(request)
    if isinstance(posted, web.Response):
        return posted
    opened, form = posted
    name = str(form.get("display_name", ""))
    try:
        await invitations.accept_with_new_account(
            request.match_info["secret"], name, str(form.get("password", "")), now=now_of(request)
        )
    except Conflict:
        error, status = _t(request)["invitation.exists"], 409
    except Invalid:
        error = _t(request)["invitation.short"].format(min=MIN_PASSWORD_LENGTH)
        status = 400
    except Gone:
        return _page(request, {"state": "gone"}, status=410)
    else:
        return _done(request, opened)
    context = _open_context(request, opened) | {"error": error, "error_form": "new", "name": name}
    return _page(request, context, status=status)
