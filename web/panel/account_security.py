"""The account page's sessions and API tokens: each signed-in browser of the user, with its
last use, that can be ended one by one or all but this one; each token, with its dates, that
can be revoked (a new one is made in :mod:`web.panel.account`, which shows its secret once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from core.errors import NotFound
from core.i18n import N_
from core.models import User
from core.rules.sessions import browser_of
from core.rules.tokens import DEFAULT_TOKEN_DAYS, token_state
from core.services.access.sessions import end_other_sessions, end_session_of, sessions_of
from core.services.access.tokens import revoke_token, tokens_of
from core.services.audit import Actor
from core.services.schools.users import schools_of
from web.keys import SETTINGS
from web.panel import session
from web.panel.guard import current_user
from web.panel.inputs import FormExpired

PARIS = "Europe/Paris"
TOKEN_DAYS = (30, 90, DEFAULT_TOKEN_DAYS)  # the lifetimes offered (or none)


async def owner(request: web.Request) -> tuple[User, dict[str, Any]]:
    """The signed-in user and the page values; a stranger goes to the login page."""
    user = await current_user(request)
    if user is None:
        raise web.HTTPSeeOther("/login")
    return user, session.load(request)


async def checked_form(request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
    form = dict(await request.post())
    if not session.check_csrf(data, form.get("csrf")):
        raise FormExpired()
    return form


def back_to_account(request: web.Request, data: dict[str, Any], flash: str) -> web.Response:
    response = web.Response(status=303, headers={"Location": "/account"})
    session.store(request, response, {**data, "flash": flash})
    return response


async def _zone(user: User) -> ZoneInfo:
    """The zone times are shown in: the user's first school's."""
    schools = await schools_of(user)
    return ZoneInfo(schools[0][0].timezone if schools else PARIS)


def _shown(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


async def security_context(request: web.Request, user: User) -> dict[str, Any]:
    """The user's live sessions, as the account page lists them."""
    zone = await _zone(user)
    here = session.key_hash(request)
    rows = await sessions_of(user, now=session.now_of(request), policy=session.policy(request))
    listed = [
        {
            "id": row.id,
            "created": _shown(row.created_at, zone),
            "last_seen": _shown(row.last_seen_at, zone),
            "ip": row.ip,
            "browser": browser_of(row.user_agent),
            "current": row.key_hash == here,
        }
        for row in rows
    ]
    now = session.now_of(request)
    tokens = [
        {
            "id": row.id,
            "name": row.name,
            "prefix": row.prefix,
            "created": _shown(row.created_at, zone),
            "last_used": _shown(row.last_used_at, zone),
            "expires": _shown(row.expires_at, zone),
            "state": token_state(row.revoked_at, row.expires_at, now).value,
        }
        for row in await tokens_of(user)
    ]
    settings = request.app[SETTINGS]
    return {
        "sessions": listed,
        "tokens": tokens,
        "token_days": TOKEN_DAYS,
        "idle_minutes": settings.session_idle_minutes,
        "session_hours": settings.session_hours,
    }


async def end_one(request: web.Request) -> web.Response:
    """End one of the user's sessions (this one too: then the next page asks to sign in)."""
    user, data = await owner(request)
    await checked_form(request, data)
    try:
        session_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if not await end_session_of(user, session_id, Actor.of(user)):
        raise web.HTTPNotFound()
    return back_to_account(request, data, N_("Session fermée."))


async def end_others(request: web.Request) -> web.Response:
    user, data = await owner(request)
    await checked_form(request, data)
    await end_other_sessions(user, session.key_hash(request), Actor.of(user))
    return back_to_account(request, data, N_("Les autres sessions sont fermées."))


async def revoke(request: web.Request) -> web.Response:
    """Revoke one of the user's own tokens (another user's is a 404)."""
    user, data = await owner(request)
    await checked_form(request, data)
    try:
        await revoke_token(int(request.match_info["id"]), Actor.of(user), owner=user)
    except NotFound:
        raise web.HTTPNotFound() from None
    return back_to_account(request, data, N_("Jeton révoqué."))


def setup_account_security(app: web.Application) -> None:
    app.router.add_post(r"/account/tokens/{id:\d{1,9}}/revoke", revoke)
    app.router.add_post(r"/account/sessions/{id:\d{1,9}}/end", end_one)
    app.router.add_post("/account/sessions/end-others", end_others)
