"""The JSON API under /api/v1: a sub-application with its own error middleware.

Every endpoint is a :class:`web.api.registry.Route` of :func:`web.api.routes.all_routes`; the
same list registers the aiohttp routes and generates ``GET /api/v1/openapi.json``.
"""

from __future__ import annotations

from aiohttp import web

from web.api.errors import error_middleware
from web.api.openapi import DOCUMENT, PREFIX, ApiDocument
from web.api.registry import register
from web.api.routes import all_routes


def create_api() -> web.Application:
    """The API as an application of its own (errors are JSON for anything under it)."""
    api = web.Application(middlewares=[error_middleware])
    routes = all_routes()
    register(api, routes)
    api[DOCUMENT] = ApiDocument.of(routes)
    return api


def setup(app: web.Application) -> None:
    """Mount the API's routes on ``app`` under /api/v1."""
    app.add_subapp(PREFIX, create_api())
