"""The account page's sessions: each signed-in browser of the user, with its last use, that
can be ended one by one or all but this one."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from core.models import User
from core.rules.sessions import browser_of
from core.services.audit import Actor
from core.services.sessions import end_other_sessions, end_session_of, sessions_of
from core.services.users import schools_of
from web.keys import SETTINGS
from web.panel import session
from web.panel.guard import current_user

PARIS = "Europe/Paris"


async def owner(request: web.Request) -> tuple[User, dict[str, Any]]:
    """The signed-in user and the page values; a stranger goes to the login page."""
    user = await current_user(request)
    if user is None:
        raise web.HTTPSeeOther("/login")
    return user, session.load(request)


async def checked_form(request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
    form = dict(await request.post())
    if not session.check_csrf(data, form.get("csrf")):
        raise web.HTTPForbidden(text="invalid form token")
    return form


def back_to_account(request: web.Request, data: dict[str, Any], flash: str) -> web.Response:
    response = web.Response(status=303, headers={"Location": "/account"})
    session.store(request, response, {**data, "flash": flash})
    return response


async def _zone(user: User) -> ZoneInfo:
    """The zone times are shown in: the user's first school's."""
    schools = await schools_of(user)
    return ZoneInfo(schools[0][0].timezone if schools else PARIS)


async def security_context(request: web.Request, user: User) -> dict[str, Any]:
    """The user's live sessions, as the account page lists them."""
    zone = await _zone(user)
    here = session.key_hash(request)
    rows = await sessions_of(user, now=session.now_of(request), policy=session.policy(request))
    listed = [
        {
            "id": row.id,
            "created": row.created_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
            "last_seen": row.last_seen_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
            "ip": row.ip,
            "browser": browser_of(row.user_agent),
            "current": row.key_hash == here,
        }
        for row in rows
    ]
    settings = request.app[SETTINGS]
    return {
        "sessions": listed,
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
    return back_to_account(request, data, "account.session_ended")


async def end_others(request: web.Request) -> web.Response:
    user, data = await owner(request)
    await checked_form(request, data)
    await end_other_sessions(user, session.key_hash(request), Actor.of(user))
    return back_to_account(request, data, "account.others_ended")


def setup_account_security(app: web.Application) -> None:
    app.router.add_post(r"/account/sessions/{id:\d{1,9}}/end", end_one)
    app.router.add_post("/account/sessions/end-others", end_others)
