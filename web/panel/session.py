"""The panel's sessions: the cookie holds only a random key, the session lives in the database.

:mod:`core.services.access.sessions` keeps the sessions (only the key's SHA-256 is stored);
logging out
deletes the row, so a copy of the cookie opens nothing afterwards. A browser that is not signed
in has a key too (never stored), from which the login form's CSRF token is derived. The CSRF
token is an HMAC of the key with the secret. Short-lived page values (flash messages) travel in
a second, signed cookie: ``load`` reads them, ``store`` writes what is left of them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from core.models import User
from core.rules.sessions import SessionPolicy
from core.services.access.sessions import Resumed, hash_key, new_key, resume
from core.services.schools.school import now_utc
from web.keys import SECRET, SETTINGS

COOKIE = "absences_session"
FLASH_COOKIE = "absences_flash"
CSRF = "csrf"
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_NEW_KEY = web.RequestKey("session_new_key", str)
_RESUMED = web.RequestKey("session_resumed", object)


class Clock:
    """The panel's time: the real one, moved by ``offset`` in tests."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return now_utc() + self.offset


CLOCK = web.AppKey("panel_clock", Clock)


def now_of(request: web.Request) -> datetime:
    clock = request.app.get(CLOCK)
    return clock.now() if clock is not None else now_utc()


def policy(request: web.Request) -> SessionPolicy:
    settings = request.app[SETTINGS]
    return SessionPolicy.of(settings.session_idle_minutes, settings.session_hours)


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def encode(secret: str, data: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    return payload.decode() + "." + _sign(secret, payload)


def decode(secret: str, value: str) -> dict[str, Any] | None:
    """The signed values, or None if the cookie is forged or malformed."""
    payload, _, signature = value.partition(".")
    if not hmac.compare_digest(_sign(secret, payload.encode()), signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def cookie_key(request: web.Request) -> str | None:
    """The session key the browser sent, if it has the shape of one."""
    raw = request.cookies.get(COOKIE, "")
    return raw if _KEY_SHAPE.match(raw) else None


def key_hash(request: web.Request) -> str | None:
    """The SHA-256 of the browser's key (what the database keeps), if it sent one."""
    key = cookie_key(request)
    return None if key is None else hash_key(key)


def _browser_key(request: web.Request) -> str:
    """The browser's key, or a new one (not signed in) that :func:`store` will set."""
    key = cookie_key(request) or request.get(_NEW_KEY)
    if key is None:
        key = request[_NEW_KEY] = new_key()
    return key


def csrf_of_key(secret: str, key: str) -> str:
    return _sign(secret, b"csrf:" + key.encode())[:43]


def load(request: web.Request) -> dict[str, Any]:
    """The page values (flash messages) and the session's CSRF token (under ``"csrf"``)."""
    raw = request.cookies.get(FLASH_COOKIE)
    values = (decode(request.app[SECRET], raw) if raw else None) or {}
    return {**values, CSRF: csrf_of_key(request.app[SECRET], _browser_key(request))}


def _set_key(request: web.Request, response: web.StreamResponse, key: str) -> None:
    secure = request.app[SETTINGS].public_url.startswith("https://")
    response.set_cookie(
        COOKIE,
        key,
        max_age=request.app[SETTINGS].session_hours * 3600,
        httponly=True,
        samesite="Lax",
        secure=secure,
        path="/",
    )


def store(request: web.Request, response: web.StreamResponse, data: dict[str, Any]) -> None:
    """Keep the page values of ``data`` for the next page (and a new browser's key)."""
    new = request.get(_NEW_KEY)
    if new is not None:
        _set_key(request, response, new)
    values = {k: v for k, v in data.items() if k != CSRF and v is not None}
    if values:
        secure = request.app[SETTINGS].public_url.startswith("https://")
        response.set_cookie(
            FLASH_COOKIE,
            encode(request.app[SECRET], values),
            httponly=True,
            samesite="Lax",
            secure=secure,
            path="/",
        )
    elif FLASH_COOKIE in request.cookies:
        response.del_cookie(FLASH_COOKIE, path="/")


def begin(request: web.Request, response: web.StreamResponse, key: str) -> None:
    """Give the browser the key of the session just opened (a new key: no fixation)."""
    _set_key(request, response, key)
    response.del_cookie(FLASH_COOKIE, path="/")


def clear(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")
    response.del_cookie(FLASH_COOKIE, path="/")


async def resumed(request: web.Request) -> Resumed | None:
    """The browser's live session and its user (looked up once per request)."""
    if _RESUMED in request:
        found = request[_RESUMED]
        return found if isinstance(found, Resumed) else None
    key = cookie_key(request)
    found = None if key is None else await resume(key, now=now_of(request), policy=policy(request))
    request[_RESUMED] = found
    return found


async def signed_in(request: web.Request) -> User | None:
    """The user of the browser's live session, or None."""
    found = await resumed(request)
    return None if found is None else found.user


def csrf_token(session: dict[str, Any]) -> str:
    """The CSRF token of a session loaded by :func:`load`."""
    token = session.get(CSRF)
    return token if isinstance(token, str) else ""


def check_csrf(session: dict[str, Any], submitted: object) -> bool:
    expected = csrf_token(session)
    return (
        bool(expected) and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)
    )
