"""Panel pages: login, logout, the dashboard. Thin: they read, or call services."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.rules.permissions import Permission, allows
from core.services.access.login import Throttled, log_in
from core.services.access.sessions import end_session, open_session
from core.services.audit import Actor
from core.services.schools.users import schools_of
from web.i18n import language, translator
from web.panel import session
from web.panel.account import now_of, remember_language, throttled_page
from web.panel.dashboard import board_context
from web.panel.guard import current_user
from web.panel.render import render


async def login_form(request: web.Request) -> web.Response:
    return await _login_page(request, error=None)


async def _login_page(
    request: web.Request, *, error: str | None, status: int = 200, email: str = ""
) -> web.Response:
    data = session.load(request)
    token = session.csrf_token(data)
    response = render(
        request,
        "login.html",
        {"csrf": token, "error": error, "email": email},
        status=status,
    )
    session.store(request, response, data)
    return response


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    data = session.load(request)
    t = translator(language(request))
    if not session.check_csrf(data, form.get("csrf")):
        return await _login_page(request, error=t["login.csrf"], status=400)
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    address, now = request.remote or "", now_of(request)
    try:
        user = await log_in(email, password, address, now=now)
    except Throttled as refused:
        return await throttled_page(request, _login_page, refused.until, email)
    if user is None:
        return await _login_page(request, error=t["login.failed"], status=401, email=email)
    response = web.Response(status=303, headers={"Location": "/"})
    # A new key at login: the form's key (and any key planted by someone else) opens nothing,
    # and a session this browser still had (someone else's, on a shared computer) ends.
    previous = session.cookie_key(request)
    if previous is not None:
        await end_session(previous, Actor.of(user), reason="replaced")
    agent = request.headers.get("User-Agent", "")
    key = await open_session(
        user, ip=address, user_agent=agent, now=now, policy=session.policy(request)
    )
    session.begin(request, response, key)
    remember_language(response, user.language)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session on the server: a copy of the cookie opens nothing afterwards."""
    form = await request.post()
    if not session.check_csrf(session.load(request), form.get("csrf")):
        raise web.HTTPBadRequest(text="invalid form token")
    found = await session.resumed(request)
    key = session.cookie_key(request)
    if found is not None and key is not None:
        await end_session(key, Actor.of(found.user))
    response = web.Response(status=303, headers={"Location": "/login"})
    session.clear(response)
    return response


async def home(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    if user is None:
        raise web.HTTPSeeOther("/login")
    data = session.load(request)
    token = session.csrf_token(data)
    memberships = await schools_of(user)
    context: dict[str, Any] = {"user": user, "csrf": token, "memberships": memberships}
    wanted = request.query.get("school")
    chosen = next(((s, r) for s, r in memberships if wanted in (None, s.uai)), None)
    if wanted is not None and chosen is None:
        raise web.HTTPForbidden(text=translator(language(request))["forbidden"])
    if chosen is not None and allows(chosen[1], Permission.READ):
        board = await board_context(request, chosen[0], user.id, chosen[1])
        context.update(school=chosen[0], role=chosen[1], **board)
    response = render(
        request, "home.html", {"school": None, "role": None, "board": None, "links": {}, **context}
    )
    session.store(request, response, data)
    return response
