"""API tokens over real HTTP: the account page makes (secret shown once), lists and revokes
them; the API answers 401 saying whether a token was revoked or has expired."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from core.models import ApiToken, AuditEntry
from core.services.access.tokens import create_token
from tests.web.settings_support import SYSTEM, UAI_A, Client, log_in, post, two_schools
from web.panel.session import CLOCK

EMAIL = "cpe@a.example.org"


async def call(client: Client, token: str) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    response = await client.get(f"/api/v1/schools/{UAI_A}/students", headers=headers)
    return response.status, await response.json()


async def test_a_revoked_token_answers_401_saying_so(db: str, app_client: Client) -> None:
    await two_schools()
    token = await create_token(EMAIL, SYSTEM, name="export")
    assert (await call(app_client, token))[0] == 200
    await log_in(app_client, "cpe")
    row = await ApiToken.get()
    response = await post(app_client, f"/account/tokens/{row.id}/revoke", {})
    assert (response.status, response.headers["Location"]) == (303, "/account")
    status, body = await call(app_client, token)
    assert status == 401
    assert body["error"]["code"] == "token_revoked"
    assert "revoked" in body["error"]["message"]
    assert await AuditEntry.exists(action="token.revoke", actor_label=EMAIL)


async def test_an_expired_token_answers_401_saying_so(db: str, app_client: Client) -> None:
    await two_schools()
    token = await create_token(EMAIL, SYSTEM, days=1)
    await ApiToken.filter().update(expires_at=(await ApiToken.get()).created_at)
    status, body = await call(app_client, token)
    assert (status, body["error"]["code"]) == (401, "token_expired")
    status, body = await call(app_client, token + "x")
    assert (status, body["error"]["code"]) == (401, "unauthorized")


async def test_the_account_makes_a_token_and_shows_it_once(db: str, app_client: Client) -> None:
    await two_schools()
    await log_in(app_client, "cpe")
    response = await post(app_client, "/account/tokens", {"name": "tableur", "days": "30"})
    assert response.status == 200
    page = await response.text()
    found = re.search(r'<code id="new-token">(abs_[^<]+)</code>', page)
    assert found is not None
    secret = found.group(1)
    assert (await call(app_client, secret))[0] == 200
    again = await (await app_client.get("/account")).text()
    assert secret not in again and secret[:12] in again and "tableur" in again
    row = await ApiToken.get()
    assert row.expires_at is not None
    assert row.expires_at - row.created_at == timedelta(days=30)
    assert (await row.user).email == EMAIL
    forever = await post(app_client, "/account/tokens", {"name": "", "days": "never"})
    assert forever.status == 200
    assert await ApiToken.filter(expires_at=None).count() == 1
    bad = await post(app_client, "/account/tokens", {"name": "x", "days": "0"})
    assert bad.status == 400 and "Durée de validité inconnue" in await bad.text()
    assert await ApiToken.all().count() == 2


async def test_revoked_and_expired_tokens_are_listed_as_such(db: str, app_client: Client) -> None:
    await two_schools()
    await create_token(EMAIL, SYSTEM, name="old", days=1)
    await log_in(app_client, "cpe")
    app_client.app[CLOCK].offset = timedelta(days=2)
    await log_in(app_client, "cpe")
    page = await (await app_client.get("/account")).text()
    assert "Expiré" in page and "Révoquer le jeton" not in page


async def test_another_users_token_cannot_be_revoked(db: str, app_client: Client) -> None:
    await two_schools()
    await create_token("admin@a.example.org", SYSTEM)
    theirs = await ApiToken.get()
    await log_in(app_client, "cpe")
    response = await post(app_client, f"/account/tokens/{theirs.id}/revoke", {})
    assert response.status == 404
    assert (await ApiToken.get()).revoked_at is None
