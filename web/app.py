"""The aiohttp application factory: panel, JSON API, provider webhooks, health probe."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from bot import webhook as telegram_hook
from core.db import database_answers
from core.queries.calendar import calendars_remembered
from core.services.ports import Mailroom, TemplateTools
from core.settings import Settings
from web import api, hooks, panel
from web.forwarded import client_address_middleware
from web.keys import MAILROOM, QUEUE, SECRET, SETTINGS, TEMPLATE_TOOLS
from workers.queue import Queue


@web.middleware
async def calendars_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Each request reads a school's calendar once, however many services need it."""
    with calendars_remembered():
        return await handler(request)


async def healthz(request: web.Request) -> web.Response:
    """``{"status": "ok", "database": "ok", "queue": "redis"|"inline"}``; 503 when degraded."""
    queue = request.app[QUEUE]
    database = "ok" if await database_answers() else "unavailable"
    queue_ok = await queue.ping()
    status = "ok" if database == "ok" and queue_ok else "degraded"
    body = {
        "status": status,
        "database": database,
        "queue": queue.backend,
        "queue_status": "ok" if queue_ok else "unavailable",
    }
    return web.json_response(body, status=200 if status == "ok" else 503)


def create_app(
    settings: Settings,
    queue: Queue,
    *,
    mailroom: Mailroom | None = None,
    template_tools: TemplateTools | None = None,
) -> web.Application:
    """Build the application; the caller owns the database and the queue's lifecycle.

    ``mailroom`` (``workers.mailroom.build_mailroom``) gives the letter and outbox pages their
    files; without it they list the letters but cannot merge their PDFs nor read the outbox.
    ``template_tools`` (``workers.template_tools.build_template_tools``) lets the template
    editor try, save and preview templates; without it the template pages only read.
    """
    app = web.Application(
        client_max_size=20 * 1024 * 1024,
        middlewares=[client_address_middleware(settings.trusted_networks), calendars_middleware],
    )
    app[SETTINGS] = settings
    app[QUEUE] = queue
    if mailroom is not None:
        app[MAILROOM] = mailroom
    if template_tools is not None:
        app[TEMPLATE_TOOLS] = template_tools
    app[SECRET] = settings.resolved_secret_key()
    app.router.add_get("/healthz", healthz)
    api.setup(app)
    hooks.setup(app)
    telegram_hook.setup(app, settings, queue)
    panel.setup(app)
    return app
