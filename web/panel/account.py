"""The user's own account (``/account``): password change, language (sessions and tokens
in :mod:`web.panel.account_security`); and the login's
throttling answer (429) with the clock it reads, which tests move instead of sleeping."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from core.errors import Invalid
from core.models import User
from core.services.access.account import change_language
from core.services.access.sessions import change_password_here
from core.services.access.tokens import create_token_for
from core.services.audit import Actor
from core.services.schools.users import MIN_PASSWORD_LENGTH
from web.i18n import language, register, translator
from web.panel import session
from web.panel.account_security import (
    back_to_account,
    checked_form,
    owner,
    security_context,
    setup_account_security,
)
from web.panel.account_words import MESSAGES
from web.panel.render import render
from web.panel.session import CLOCK, Clock
from web.panel.session import now_of as now_of  # where the other pages read the clock

LANG_MAX_AGE = 365 * 86400


LoginPage = Callable[..., Awaitable[web.Response]]


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


async def _page(
    request: web.Request,
    data: dict[str, Any],
    user: User,
    *,
    error: str | None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
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
        "new_token": None,
        "token_error": None,
        **await security_context(request, user),
        **(extra or {}),
    }
    response = render(request, "account.html", context, status=status)
    session.store(request, response, data)
    return response


async def account_page(request: web.Request) -> web.Response:
    user, data = await owner(request)
    return await _page(request, data, user, error=None)


def _password_problem(form: dict[str, Any]) -> str | None:
    new, again = str(form.get("new", "")), str(form.get("confirm", ""))
    if len(new) < MIN_PASSWORD_LENGTH:
        return "account.too_short"
    if new != again:
        return "account.mismatch"
    return None


async def password_submit(request: web.Request) -> web.Response:
    """Change the password; this session goes on, every other session of the user ends."""
    user, data = await owner(request)
    form = await checked_form(request, data)
    t = translator(language(request))
    problem = _password_problem(form)
    if problem is None:
        try:
            await change_password_here(
                user,
                str(form.get("current", "")),
                str(form["new"]),
                Actor.of(user),
                keep_hash=session.key_hash(request),
                revoke_tokens=form.get("revoke_tokens") == "on",
                now=now_of(request),
            )
        except Invalid:
            problem = "account.wrong_current"
    if problem is not None:
        text = t[problem].format(min=MIN_PASSWORD_LENGTH)
        return await _page(request, data, user, error=text, status=400)
    return back_to_account(request, data, "account.password_changed")


async def token_submit(request: web.Request) -> web.Response:
    """Make a token for the user and show its secret on this answer only."""
    user, data = await owner(request)
    form = await checked_form(request, data)
    lifetime = str(form.get("days", ""))
    days = None if lifetime == "never" else int(lifetime) if lifetime.isdigit() else -1
    name = str(form.get("name", ""))
    try:
        secret = await create_token_for(
            user, Actor.of(user), name=name, days=days, now=now_of(request)
        )
    except Invalid:
        t = translator(language(request))
        extra = {"token_error": t["account.bad_days"]}
        return await _page(request, data, user, error=None, status=400, extra=extra)
    return await _page(request, data, user, error=None, extra={"new_token": secret})


async def language_submit(request: web.Request) -> web.Response:
    user, data = await owner(request)
    form = await checked_form(request, data)
    chosen = str(form.get("language", ""))
    try:
        await change_language(user, chosen, Actor.of(user))
    except Invalid:
        t = translator(language(request))
        return await _page(request, data, user, error=t["account.bad_language"], status=400)
    response = back_to_account(request, data, "account.language_changed")
    remember_language(response, chosen)
    return response


def setup_account(app: web.Application) -> None:
    """Mount ``/account`` and the login clock."""
    register(MESSAGES)
    app[CLOCK] = Clock()
    app.router.add_get("/account", account_page)
    app.router.add_post("/account/password", password_submit)
    app.router.add_post("/account/language", language_submit)
    app.router.add_post("/account/tokens", token_submit)
    setup_account_security(app)
