"""The statistics page's school for the panel's tests, over HTTP and in Chromium: Collège Jean
Moulin from its SIECLE export with the events of tests/core/services/stats_support.py, its
staff, and the panel's clock on Monday 30 November 2026 at noon."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from core.services.schools.school import now_utc
from core.services.schools.users import add_user
from core.settings import load_settings
from tests.core.services.stats_support import ADMIN, NOW, World, stats_world
from web.app import create_app
from web.panel.session import CLOCK
from workers.mailroom import build_mailroom
from workers.runtime import start_runtime

PASSWORD = "a long enough password"
STAFF = {
    "direction": "principal@jean-moulin.example",
    "cpe": "cpe@jean-moulin.example",
    "vie_scolaire": "vs@jean-moulin.example",
    "teacher": "prof@jean-moulin.example",
}


async def stats_school() -> World:
    world = await stats_world()
    for role, email in STAFF.items():
        await add_user(email, PASSWORD, world.school, role, ADMIN, display_name=role.upper())
    return world


async def serve_stats(var_dir: Path, *, mailroom: bool = False) -> AsyncIterator[Any]:
    """The panel's app, its clock on the story's Monday (``mailroom``: as ``absences serve``
    assembles it, which prints PDFs)."""
    runtime = await start_runtime(load_settings(var_dir=var_dir), sweep=False)
    settings = runtime.ctx["settings"]
    room = build_mailroom(settings) if mailroom else None
    app = create_app(settings, runtime.queue, mailroom=room)
    app[CLOCK].offset = NOW - now_utc()
    try:
        yield app
    finally:
        await runtime.close()
