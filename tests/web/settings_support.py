"""Personas and helpers for the settings and account pages over real HTTP.

School A has one user per role; school B has its own administrator. Everything is created
with the real services.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from core.models import School
from core.services.audit import Actor
from core.services.schools.school import create_school
from core.services.schools.users import add_user
from tests.core.services.conftest import MONDAY

UAI_A = "0751234X"
UAI_B = "0759999Z"
PASSWORD = "a long enough password"
SYSTEM = Actor.system("tests")
PEOPLE = {
    "admin": ("admin@a.example.org", UAI_A, "admin"),
    "cpe": ("cpe@a.example.org", UAI_A, "cpe"),
    "direction": ("direction@a.example.org", UAI_A, "direction"),
    "vie": ("vie@a.example.org", UAI_A, "vie_scolaire"),
    "teacher": ("prof@a.example.org", UAI_A, "teacher"),
    "admin_b": ("admin@b.example.org", UAI_B, "admin"),
}
Client = TestClient[Any, Any]
GENERAL_FORM = {  # the general settings page's form as the page fills it for school A
    "name": "Collège A",
    "timezone": "Europe/Paris",
    "midday": "12:00",
    "midday_tolerance_minutes": "10",
    "counting_mode": "raw",
    "lateness_threshold_minutes": "15",
    "absence_threshold_half_days": "4",
    "persistent_threshold_half_days": "10",
}


async def two_schools() -> dict[str, School]:
    schools = {
        UAI_A: await create_school(UAI_A, "Collège A", SYSTEM, today=MONDAY),
        UAI_B: await create_school(UAI_B, "Collège B", SYSTEM, today=MONDAY),
    }
    for email, uai, role in PEOPLE.values():
        await add_user(email, PASSWORD, schools[uai], role, SYSTEM)
    return schools


async def csrf_of(client: Client, path: str = "/login") -> str:
    page = await (await client.get(path)).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, page[:500]
    return found.group(1)


async def log_in(client: Client, who: str = "admin", password: str = PASSWORD) -> ClientResponse:
    email = PEOPLE[who][0] if who in PEOPLE else who
    token = await csrf_of(client)
    return await client.post(
        "/login",
        data={"csrf": token, "email": email, "password": password},
        allow_redirects=False,
    )


async def post(
    client: Client, path: str, data: dict[str, str], *, token_from: str = "/account"
) -> ClientResponse:
    """POST a form with the session's CSRF token, without following the redirect."""
    token = await csrf_of(client, token_from)
    return await client.post(path, data={"csrf": token, **data}, allow_redirects=False)


def settings(path: str = "") -> str:
    return f"/s/{UAI_A}/settings{path}"
