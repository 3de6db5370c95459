"""Browser tests: the real app served on loopback, driven in headless Chromium by Playwright.

Chromium is Debian's (/usr/bin/chromium); Playwright never downloads a browser. These tests
run on SQLite only (the API and service tests cover PostgreSQL). Screenshots go to
``var/screenshots/`` for a reviewer to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import tortoise_test_context

from core.db import normalise_url
from core.services.schools.school import now_utc
from core.settings import load_settings
from tests.conftest import MODEL_MODULES_FOR_TESTS, unavailable
from web.app import create_app
from web.panel.session import CLOCK
from workers.runtime import start_runtime

CHROMIUM = os.environ.get("ABSENCES_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[str]:
    """SQLite only for browser tests (overrides the two-backend fixture)."""
    url = f"sqlite://{tmp_path}/browser.sqlite3"
    EXECUTOR_CACHE.clear()
    async with tortoise_test_context(MODEL_MODULES_FOR_TESTS, db_url=normalise_url(url)):
        yield url
    EXECUTOR_CACHE.clear()


@asynccontextmanager
async def serving(tmp_path: Path, now: datetime | None = None) -> AsyncIterator[str]:
    """The whole app on a free loopback port, the panel's clock moved to ``now`` when given;
    yields its base URL."""
    runtime = await start_runtime(load_settings(var_dir=tmp_path), sweep=False)
    app = create_app(runtime.ctx["settings"], runtime.queue)
    if now is not None:
        app[CLOCK].offset = now - now_utc()
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
        await runtime.close()


async def log_in(page: Any, base: str, email: str, password: str) -> None:
    """Log in through the panel's form as a person would; waits for the home page."""
    await page.goto(base + "/login")
    await page.get_by_label("Adresse électronique").fill(email)
    await page.get_by_label("Mot de passe").fill(password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(base + "/")


@pytest.fixture
async def live_server(db: str, tmp_path: Path) -> AsyncIterator[str]:
    """The whole app on a free loopback port; yields its base URL."""
    async with serving(tmp_path) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """A headless Debian Chromium (skipped, or failed in CI, when it is missing)."""
    if not shutil.which(CHROMIUM):
        unavailable("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("Playwright", "the playwright package is not installed")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    tab = await context.new_page()
    try:
        yield tab
    finally:
        await context.close()


async def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under var/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
