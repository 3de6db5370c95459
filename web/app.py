"""The aiohttp application factory: panel, JSON API, provider webhooks, health and metrics."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from bot import webhook as telegram_hook
from core.queries.calendar import calendars_remembered
from core.services.ports import Mailroom, TemplateTools
from core.settings import Settings
from web import api, hooks, monitoring, panel
from web.forwarded import client_address_middleware
from web.keys import MAILROOM, QUEUE, SECRET, SETTINGS, TEMPLATE_TOOLS
from workers.queue import Queue


@web.middleware
async def calendars_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Each request reads a school's calendar once, however many services need it."""
    with calendars_remembered():
        return await handler(request)


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
    metrics = monitoring.Metrics()
    app = web.Application(
        client_max_size=20 * 1024 * 1024,
        middlewares=[
            monitoring.metrics_middleware(metrics),  # first: it sees every final status
            client_address_middleware(settings.trusted_networks),
            calendars_middleware,
        ],
    )
    app[SETTINGS] = settings
    app[QUEUE] = queue
    if mailroom is not None:
        app[MAILROOM] = mailroom
    if template_tools is not None:
        app[TEMPLATE_TOOLS] = template_tools
    app[SECRET] = settings.resolved_secret_key()
    monitoring.setup(app, metrics)
    api.setup(app)
    hooks.setup(app)
    telegram_hook.setup(app, settings, queue)
    panel.setup(app)
    return app
