"""Signed session cookies and CSRF tokens for the panel (no server-side session store)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from aiohttp import web

from web.keys import SECRET, SETTINGS

COOKIE = "absences_session"
MAX_AGE = 12 * 3600


def _sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def encode(secret: str, data: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    return payload.decode() + "." + _sign(secret, payload)


def decode(secret: str, value: str, *, now: float | None = None) -> dict[str, Any] | None:
    """The session's data, or None if the cookie is forged, malformed or expired."""
    payload, _, signature = value.partition(".")
    if not hmac.compare_digest(_sign(secret, payload.encode()), signature):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    if not isinstance(data, dict) or (now or time.time()) - float(data.get("iat", 0)) > MAX_AGE:
        return None
    return data


def load(request: web.Request) -> dict[str, Any]:
    raw = request.cookies.get(COOKIE)
    data = decode(request.app[SECRET], raw) if raw else None
    return data or {}


def store(request: web.Request, response: web.StreamResponse, data: dict[str, Any]) -> None:
    data = {**data, "iat": data.get("iat") or int(time.time())}
    secure = request.app[SETTINGS].public_url.startswith("https://")
    response.set_cookie(
        COOKIE,
        encode(request.app[SECRET], data),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=secure,
        path="/",
    )


def password_stamp(request: web.Request, password_hash: str) -> str:
    """A short keyed fingerprint of the user's password hash, kept in the session: changing
    the password changes it, which ends every other session of that user."""
    return _sign(request.app[SECRET], b"password:" + password_hash.encode())[:24]


def clear(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, created on first use (the caller stores the session)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def check_csrf(session: dict[str, Any], submitted: object) -> bool:
    expected = session.get("csrf")
    return (
        isinstance(expected, str)
        and isinstance(submitted, str)
        and hmac.compare_digest(expected, submitted)
    )
