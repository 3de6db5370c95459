"""``POST /hooks/telegram``: the updates Telegram posts to the bot (webhook mode).

Mounted only when the bot is configured: a token *and* a webhook secret
(``ABSENCES_TELEGRAM_TOKEN``, ``ABSENCES_TELEGRAM_WEBHOOK_SECRET``); otherwise the path answers
404 like any unknown one (an install without the bot, or polling with ``absences bot``). The
``X-Telegram-Bot-Api-Secret-Token`` header is compared in constant time with the secret:
missing → 401, wrong → 403, a warning logged and nothing done. A body that is not an update →
400. Each ``update_id`` is recorded before it is handled and handled once (Telegram retries);
the answer is a 200 at once, the update handled in the background.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime

from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.runtime import BotRuntime
from core.services.access.bot_memory import first_time
from core.settings import Settings
from workers.queue import Queue

logger = logging.getLogger("absences.hooks")

PATH = "/hooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RUNTIME = web.AppKey("telegram_bot", BotRuntime)
SECRET = web.AppKey("telegram_webhook_secret", str)


def configured(settings: Settings) -> bool:
    """Whether webhook mode can run: a token and a secret to check Telegram's calls by."""
    return bool(settings.telegram_token and settings.telegram_webhook_secret)


async def telegram_update(request: web.Request) -> web.Response:
    given = request.headers.get(SECRET_HEADER)
    if given is None:
        logger.warning("refused a telegram update without its secret from %s", request.remote)
        raise web.HTTPUnauthorized(text="missing secret")
    if not hmac.compare_digest(given.encode(), request.app[SECRET].encode()):
        logger.warning("refused a telegram update with a wrong secret from %s", request.remote)
        raise web.HTTPForbidden(text="bad secret")
    runtime = request.app[RUNTIME]
    try:
        body = await request.json()
        update = Update.model_validate(body, context={"bot": runtime.bot})
    except (ValueError, UnicodeDecodeError, ValidationError):  # ValidationError: a ValueError
        logger.warning("refused an unreadable telegram update from %s", request.remote)
        raise web.HTTPBadRequest(text="not an update") from None
    if await first_time(update.update_id, now=datetime.now(UTC)):
        runtime.handle(update)
    else:
        logger.info("telegram update %s seen before: not handled again", update.update_id)
    return web.Response(text="")


async def _close(app: web.Application) -> None:
    await app[RUNTIME].close()


def setup(app: web.Application, settings: Settings, queue: Queue) -> None:
    """Mount the webhook when the bot is configured (see the module's note)."""
    if not configured(settings):
        return
    app[RUNTIME] = BotRuntime(settings, queue)
    app[SECRET] = str(settings.telegram_webhook_secret)
    app.router.add_post(PATH, telegram_update)
    app.on_cleanup.append(_close)
