"""Panel POSTs must come from the panel's own pages: ``Origin`` (else ``Referer``) is checked
behind the CSRF token; the API (bearer tokens) and the webhooks (signed) are not concerned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from core.settings import load_settings
from tests.web.conftest import PERSONAS, Api
from tests.web.personas import PASSWORD, panel_client, token_of
from web.app import create_app
from workers.runtime import start_runtime

PUBLIC = "https://absences.example.org"
REFUSED = "Demande refusée"


async def login_form(client: TestClient[Any, Any]) -> dict[str, str]:
    page = await (await client.get("/login")).text()
    email = PERSONAS["cpe"][0]
    return {"csrf": token_of(page), "email": email, "password": PASSWORD}


async def post(
    client: TestClient[Any, Any], path: str, data: dict[str, str], headers: dict[str, str]
) -> tuple[int, str]:
    """POST with exactly ``headers`` (the test client's own Origin left out)."""
    cookies = client.session.cookie_jar
    async with (
        aiohttp.ClientSession(cookie_jar=cookies) as session,
        session.post(client.make_url(path), data=data, headers=headers, allow_redirects=False) as r,
    ):
        return r.status, await r.text()


async def test_a_post_naming_neither_origin_nor_referer_is_refused_in_french(api: Api) -> None:
    status, page = await post(api.client, "/login", await login_form(api.client), {})
    assert status == 403
    assert REFUSED in page and "ne vient pas d&#39;une page d&#39;Absences" in page
    assert '<link rel="stylesheet" href="/static/style.css">' in page  # the panel's layout


async def test_a_post_from_another_site_is_refused(api: Api) -> None:
    form = await login_form(api.client)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
        {"Origin": "https://evil.example", "Referer": str(api.client.make_url("/login"))},
    ):
        status, _ = await post(api.client, "/login", form, headers)
        assert status == 403, headers


async def test_the_panels_own_origin_or_referer_is_accepted(api: Api) -> None:
    own = str(api.client.make_url("/login"))
    status, _ = await post(api.client, "/login", await login_form(api.client), {"Referer": own})
    assert status == 303
    response = await api.client.post("/login", data=await login_form(api.client))
    assert response.status == 200  # the test client sends Origin as a browser does


async def test_the_refusal_speaks_english_when_asked(api: Api) -> None:
    status, page = await post(api.client, "/logout?lang=en", {}, {})
    assert status == 403 and "Request refused" in page


async def test_the_api_and_the_webhooks_are_not_concerned(api: Api) -> None:
    token = api.tokens["cpe"]
    bearer = {"Authorization": f"Bearer {token}"}
    status, page = await post(api.client, "/api/v1/schools/0751234X/events", {}, bearer)
    assert status != 403 and REFUSED not in page
    status, page = await post(api.client, "/hooks/twilio/status/x", {}, {})
    assert REFUSED not in page  # the webhook's own signature check answers


@pytest.fixture
async def public_client(db: str, tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    settings = load_settings(var_dir=tmp_path / "var", public_url=PUBLIC)
    runtime = await start_runtime(settings, sweep=False)
    try:
        async with panel_client(create_app(settings, runtime.queue)) as client:
            yield client
    finally:
        await runtime.close()


async def test_with_a_public_url_only_that_origin_is_accepted(
    public_client: TestClient[Any, Any],
) -> None:
    form = {"csrf": "x", "email": "nobody@example.org", "password": PASSWORD}
    own = str(public_client.make_url("")).rstrip("/")
    status, _ = await post(public_client, "/login", form, {"Origin": own})
    assert status == 403  # the server's own address is not the public one
    status, page = await post(public_client, "/login", form, {"Origin": PUBLIC})
    assert REFUSED not in page  # past the origin check: the login form's own answer
