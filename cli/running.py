"""The commands that run servers: ``serve`` (panel, API, webhooks, the in-process worker),
``worker`` (arq), the Telegram bot's ``set-webhook`` and long polling. Imported only when one
of them runs (see :mod:`cli.commands`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import signal
from collections.abc import AsyncIterator
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiohttp import web

from bot import webhook as telegram_webhook
from bot.factory import build_bot, build_dispatcher, build_storage
from bot.menu import UPDATES, register_menu, register_webhook
from cli.commands import STARTUP_SECONDS, CommandError, _print_logins, _require_schema, database
from cli.logs import access_log_options, configure_logging
from core.db import close_db, init_db
from core.models import School
from core.services.siecle.watch import start_watch
from core.settings import Settings, load_settings
from web.app import create_app
from workers.arq_worker import run_worker
from workers.mailroom import build_mailroom
from workers.queue import ArqQueue, QueueUnavailable
from workers.runtime import Runtime, start_runtime, tune_gc
from workers.senders import build_channels
from workers.tasks import CRON, FUNCTIONS
from workers.template_tools import build_template_tools


async def _wait_for_stop() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def _start_runtime(settings: Settings) -> Runtime:
    try:
        return await start_runtime(settings)
    except QueueUnavailable as error:
        raise CommandError(f"the queue is unavailable: {error}") from None


async def serve(args: argparse.Namespace) -> int:
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = load_settings(**overrides)
    configure_logging(settings)
    async with database(settings):
        await _require_schema()
        runtime = await _start_runtime(settings)
        queue = runtime.queue
        mailroom = build_mailroom(settings, runtime.ctx.get("channels"))
        tools = build_template_tools(settings, runtime.ctx.get("channels"))
        app = create_app(settings, queue, mailroom=mailroom, template_tools=tools)
        runner = web.AppRunner(app, **access_log_options(settings))
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.host, settings.port).start()
        except OSError as error:
            await runner.cleanup()
            await runtime.close()
            reason = (
                "the port is already in use (set ABSENCES_PORT or --port)"
                if error.errno == errno.EADDRINUSE
                else (error.strerror or str(error))
            )
            raise CommandError(
                f"cannot listen on {settings.host}:{settings.port}: {reason}"
            ) from None
        from cli.demo.build import DEMO_PASSWORD, DEMO_UAI

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STARTUP_SECONDS):
                await runtime.settled()
        print(
            f"Absences serves http://{settings.host}:{settings.port} "
            f"(queue: {queue.backend}); Ctrl+C stops it.",
            flush=True,
        )
        if await School.exists(uai=DEMO_UAI):  # the demo's logins, last, where one looks
            await _print_logins(DEMO_UAI, DEMO_PASSWORD)
        siecle_watch = start_watch(settings)
        tune_gc()
        try:
            await _wait_for_stop()
        finally:
            if siecle_watch is not None:
                siecle_watch.cancel()
            await runner.cleanup()
            await runtime.close()
    return 0


async def worker(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings)
    if not settings.redis_url:
        raise CommandError("`absences worker` needs ABSENCES_REDIS_URL (redis://host:6379/0)")

    async def startup(ctx: dict[str, Any]) -> None:
        queue = ArqQueue(str(settings.redis_url))
        await queue.start()
        ctx.update(settings=settings, channels=build_channels(settings), queue=queue)
        tune_gc()

    async def shutdown(ctx: dict[str, Any]) -> None:
        for resource in ("queue", "channels"):
            if resource in ctx:
                await ctx[resource].close()

    # The database is opened and closed here, around the worker, not in its start-up and
    # shut-down hooks: tortoise keeps connections per asyncio context, and arq runs the hooks
    # in different ones, so the hook's close_db missed the SQLite connection (its thread then
    # kept the process from exiting)
    await init_db(settings.database_url)
    try:
        await run_worker(
            settings.redis_url,
            FUNCTIONS,
            on_startup=startup,
            on_shutdown=shutdown,
            burst=args.burst,
            every_minute=CRON,
            max_jobs=settings.worker_jobs,
        )
    finally:
        await close_db()
    return 0


def _bot_settings(*, webhook: bool) -> Settings:
    settings = load_settings()
    if not settings.telegram_token:
        raise CommandError(
            "the Telegram bot is not configured: set ABSENCES_TELEGRAM_TOKEN (from BotFather)"
        )
    if webhook and not settings.telegram_webhook_secret:
        raise CommandError(
            "webhook mode needs ABSENCES_TELEGRAM_WEBHOOK_SECRET (any long random string)"
        )
    if webhook and not settings.configured_public_url():
        raise CommandError(
            "webhook mode needs ABSENCES_PUBLIC_URL (https://… reachable by Telegram)"
        )
    return settings


@contextlib.asynccontextmanager
async def _telegram_errors(settings: Settings) -> AsyncIterator[None]:
    """Telegram's refusals and an unreachable Bot API as one line."""
    try:
        yield
    except TelegramNetworkError as error:
        raise CommandError(f"cannot reach {settings.telegram_api_url}: {error}") from None
    except TelegramAPIError as error:
        raise CommandError(f"Telegram refused: {error}") from None


async def bot_set_webhook(args: argparse.Namespace) -> int:
    settings = _bot_settings(webhook=True)
    url = settings.public_url + telegram_webhook.PATH
    bot = build_bot(settings)
    try:
        async with _telegram_errors(settings):
            await register_webhook(bot, url, str(settings.telegram_webhook_secret))
    finally:
        await bot.session.close()
    print(f"Telegram now posts the bot's updates to {url}")
    return 0


async def bot_poll(args: argparse.Namespace) -> int:
    settings = _bot_settings(webhook=False)
    bot = build_bot(settings)
    async with database(settings):
        await _require_schema()
        runtime = await _start_runtime(settings)
        try:
            dp = build_dispatcher(settings, runtime.queue, build_storage(settings))
            async with _telegram_errors(settings):
                await bot.delete_webhook()
                await register_menu(bot)
            print("The Telegram bot polls for updates; Ctrl+C stops it.", flush=True)
            await dp.start_polling(
                bot, handle_signals=True, close_bot_session=False, allowed_updates=UPDATES
            )
        finally:
            await bot.session.close()
            await runtime.close()
    return 0
