"""The user's own account (``/account``): password change, language; and the login's
throttling answer (429) with the clock it reads, which tests move instead of sleeping."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from core.errors import Invalid
from core.services.account import change_language
from core.services.audit import Actor
from core.services.schools import now_utc
from core.services.users import MIN_PASSWORD_LENGTH, change_password
from web.i18n import language, register, translator
from web.panel import session
from web.panel.account_words import MESSAGES
from web.panel.guard import current_user
from web.panel.render import render

LANG_MAX_AGE = 365 * 86400


class Clock:
    """The panel's time: the real one, moved by ``offset`` in tests."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return now_utc() + self.offset


CLOCK = web.AppKey("panel_clock", Clock)
LoginPage = Callable[..., Awaitable[web.Response]]


def now_of(request: web.Request) -> datetime:
    clock = request.app.get(CLOCK)
    return clock.now() if clock is not None else now_utc()


def remember_language(response: web.StreamResponse, lang: str) -> None:
    response.set_cookie("lang", lang, max_age=LANG_MAX_AGE, samesite="Lax", path="/")


async def throttled_page(
    request: web.Request, login_page: LoginPage, until: datetime, email: str
) -> web.Response:
    """The login page refusing the attempt (429), saying how long to wait."""
    seconds = max(1, math.ceil((until - now_of(request)).total_seconds()))
    text = translator(language(request))["login.throttled"].format(minutes=math.ceil(seconds / 60))
    response = await login_page(request, error=text, status=429, email=email)
    response.headers["Retry-After"] = str(seconds)
    return response


async def _context(request: web.Request) -> tuple[Any, dict[str, Any]]:
    user = await current_user(request)
    if user is None:
        raise web.HTTPSeeOther("/login")
    return user, session.load(request)


def _page(
    request: web.Request, data: dict[str, Any], user: Any, *, error: str | None, status: int = 200
) -> web.Response:
    flash = data.pop("flash", None)
    t = translator(language(request))
    context = {
        "user": user,
        "csrf": session.csrf_token(data),
        "school": None,
        "role": None,
        "error": error,
        "flash": t.get(flash) if isinstance(flash, str) else None,
        "min_length": MIN_PASSWORD_LENGTH,
    }
    response = render(request, "account.html", context, status=status)
    session.store(request, response, data)
    return response


async def account_page(request: web.Request) -> web.Response:
    user, data = await _context(request)
    return _page(request, data, user, error=None)


async def _checked_form(request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
    form = dict(await request.post())
    if not session.check_csrf(data, form.get("csrf")):
        raise web.HTTPForbidden(text="invalid form token")
    return form


def _done(request: web.Request, data: dict[str, Any], flash: str) -> web.Response:
    response = web.Response(status=303, headers={"Location": "/account"})
    session.store(request, response, {**data, "flash": flash})
    return response


def _password_problem(form: dict[str, Any]) -> str | None:
    new, again = str(form.get("new", "")), str(form.get("confirm", ""))
    if len(new) < MIN_PASSWORD_LENGTH:
        return "account.too_short"
    if new != again:
        return "account.mismatch"
    return None


async def password_submit(request: web.Request) -> web.Response:
    """Change the password; this session goes on, every other session of the user ends."""
    user, data = await _context(request)
    form = await _checked_form(request, data)
    t = translator(language(request))
    problem = _password_problem(form)
    if problem is None:
        try:
            await change_password(
                user, str(form.get("current", "")), str(form["new"]), Actor.of(user)
            )
        except Invalid:
            problem = "account.wrong_current"
    if problem is not None:
        text = t[problem].format(min=MIN_PASSWORD_LENGTH)
        return _page(request, data, user, error=text, status=400)
    data["pwd"] = session.password_stamp(request, user.password_hash)
    return _done(request, data, "account.password_changed")


async def language_submit(request: web.Request) -> web.Response:
    user, data = await _context(request)
    form = await _checked_form(request, data)
    chosen = str(form.get("language", ""))
    try:
        await change_language(user, chosen, Actor.of(user))
    except Invalid:
        t = translator(language(request))
        return _page(request, data, user, error=t["account.bad_language"], status=400)
    response = _done(request, data, "account.language_changed")
    remember_language(response, chosen)
    return response


def setup_account(app: web.Application) -> None:
    """Mount ``/account`` and the login clock."""
    register(MESSAGES)
    app[CLOCK] = Clock()
    app.router.add_get("/account", account_page)
    app.router.add_post("/account/password", password_submit)
    app.router.add_post("/account/language", language_submit)
