"""Login throttling behind a reverse proxy, over real HTTP: the client address comes from
X-Forwarded-For only when the peer is a trusted proxy (here the test client, 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.models import LoginAttempt, StaffSession
from core.settings import load_settings
from tests.web.personas import panel_client
from tests.web.settings_support import PASSWORD, Client, csrf_of, two_schools
from web.app import create_app
from workers.runtime import start_runtime

EMAIL = "cpe@a.example.org"


@pytest.fixture
async def proxied(db: str, tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    """The application behind a proxy on 127.0.0.1 (the test client's address)."""
    settings = load_settings(var_dir=tmp_path / "var", trusted_proxies="127.0.0.1/32")
    runtime = await start_runtime(settings, sweep=False)
    try:
        async with panel_client(create_app(settings, runtime.queue)) as client:
            yield client
    finally:
        await runtime.close()


async def attempt(client: Client, password: str, forwarded: str | None) -> int:
    client.session.cookie_jar.clear()
    token = await csrf_of(client)
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    response = await client.post(
        "/login",
        data={"csrf": token, "email": EMAIL, "password": password},
        headers=headers,
        allow_redirects=False,
    )
    return response.status


async def test_a_guesser_elsewhere_does_not_lock_the_colleague_out(proxied: Client) -> None:
    await two_schools()
    for _ in range(5):
        assert await attempt(proxied, "wrong password", "198.51.100.66") == 401
    assert await attempt(proxied, PASSWORD, "198.51.100.66") == 429
    assert await attempt(proxied, PASSWORD, "203.0.113.5") == 303  # the colleague, at school
    ips = set(await LoginAttempt.all().values_list("ip", flat=True))
    assert ips == {"198.51.100.66", "203.0.113.5"}
    row = await StaffSession.get()
    assert row.ip == "203.0.113.5"


async def test_a_client_cannot_spoof_what_the_proxy_appends(proxied: Client) -> None:
    await two_schools()
    for n in range(5):
        spoofed = f"192.0.2.{n}, 198.51.100.66"  # the client wrote the first, the proxy the last
        assert await attempt(proxied, "wrong password", spoofed) == 401
    assert await attempt(proxied, PASSWORD, "192.0.2.99, 198.51.100.66") == 429


async def test_without_trusted_proxies_the_header_is_ignored(db: str, app_client: Client) -> None:
    await two_schools()
    for n in range(5):
        assert await attempt(app_client, "wrong password", f"198.51.100.{n}") == 401
    assert await attempt(app_client, PASSWORD, "203.0.113.5") == 429
    assert set(await LoginAttempt.all().values_list("ip", flat=True)) == {"127.0.0.1"}
