"""Typed keys for what the application holds (aiohttp ``AppKey``s)."""

from __future__ import annotations

from aiohttp import web

from core.services.ports import Mailroom, TemplateTools
from core.settings import Settings
from workers.queue import Queue

SETTINGS = web.AppKey("settings", Settings)
QUEUE = web.AppKey("queue", Queue)
SECRET = web.AppKey("secret", str)
MAILROOM = web.AppKey("mailroom", Mailroom)  # letters and outbox files (optional)
TEMPLATE_TOOLS = web.AppKey("template_tools", TemplateTools)  # the template editor's (optional)
