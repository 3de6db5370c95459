"""Panel POSTs must come from the panel's own pages (``Origin``, else ``Referer``).

A second line behind the CSRF token (:mod:`core.rules.origin`): a request changing something
(any method but GET, HEAD, OPTIONS) outside ``/api/`` (bearer tokens, no cookies) and
``/hooks/`` (signed by the provider) is refused with a page of the panel's layout when the
browser names another site, or nothing at all.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from core.rules.origin import origin_allowed
from web.keys import SETTINGS
from web.panel.render import render

log = logging.getLogger("absences.panel.origin")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PREFIXES = ("/api/", "/hooks/")


def checked(request: web.Request) -> bool:
    """Whether the request is one the origin check applies to."""
    return request.method not in SAFE_METHODS and not request.path.startswith(EXEMPT_PREFIXES)


def from_our_pages(request: web.Request) -> bool:
    return origin_allowed(
        request.headers.get("Origin"),
        request.headers.get("Referer"),
        public_url=request.app[SETTINGS].configured_public_url(),
        own_host=request.host,
    )


@web.middleware
async def check_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
    if checked(request) and not from_our_pages(request):
        log.warning(
            "refused %s %s from origin %r (referer %r)",
            request.method,
            request.path,
            request.headers.get("Origin"),
            request.headers.get("Referer"),
        )
        return render(request, "origin_refused.html", {}, status=403)
    return await handler(request)


def setup_origin_check(app: web.Application) -> None:
    app.middlewares.append(check_origin)
