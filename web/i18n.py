"""The reader's language: the panel's words are in gettext catalogs (:mod:`core.i18n`)."""

from __future__ import annotations

from aiohttp import web

from core.i18n import LANGUAGES


def language(request: web.Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then the browser's preference, then French."""
    for candidate in (request.query.get("lang"), request.cookies.get("lang")):
        if candidate in LANGUAGES:
            return candidate
    accept = request.headers.get("Accept-Language", "")
    if accept.lower().startswith("en"):
        return "en"
    return "fr"
