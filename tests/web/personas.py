"""What the panel's test worlds share: two schools, staff made with the real services, and
logging in through the login form as a persona."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.models import School, User
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.services.schools.users import add_user
from web.keys import SETTINGS

UAI_A = "0751234X"
UAI_B = "0759999Z"
PASSWORD = "a long enough password"
PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 3, 2)  # winter time in Paris (+01:00)
SYSTEM = Actor.system("tests")
Staff = Mapping[str, tuple[str, str, str, str]]  # persona → (email, UAI, role, name)


def at(day: date, hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    """An aware moment, Paris wall time, ``days`` after ``day``."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS) + timedelta(days)


async def schools_and_staff(staff: Staff) -> tuple[dict[str, School], dict[str, User]]:
    """Schools A and B and the staff accounts (password ``PASSWORD``), by persona."""
    schools = {
        UAI_A: await create_school(UAI_A, "Collège A", SYSTEM, today=MONDAY),
        UAI_B: await create_school(UAI_B, "Collège B", SYSTEM, today=MONDAY),
    }
    users = {}
    for persona, (email, uai, role, name) in staff.items():
        users[persona] = await add_user(
            email, PASSWORD, schools[uai], role, SYSTEM, display_name=name
        )
    return schools, users


def token_of(page: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def log_in_as(client: TestClient[Any, Any], email: str) -> str:
    """Log in through the form (a fresh session); returns the session's CSRF token."""
    client.session.cookie_jar.clear()
    page = await (await client.get("/login")).text()
    response = await client.post(
        "/login",
        data={"csrf": token_of(page), "email": email, "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    return token_of(await (await client.get("/")).text())


@asynccontextmanager
async def panel_client(app: web.Application, **server: Any) -> AsyncIterator[TestClient[Any, Any]]:
    """The app over real HTTP on loopback, with a client that sends ``Origin`` as a browser on
    the app's own pages does (its public URL when set, else the server's address)."""
    test_server = TestServer(app, **server)
    await test_server.start_server()
    own = f"{test_server.scheme}://{test_server.host}:{test_server.port}"
    origin = app[SETTINGS].configured_public_url() or own
    async with TestClient(test_server, headers={"Origin": origin}) as client:
        yield client
