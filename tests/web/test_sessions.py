"""Server-side panel sessions over real HTTP: the cookie is only a key, logout ends it for every
copy, timeouts, and the account page's list of sessions (time moved, never slept)."""

from __future__ import annotations

import re
from datetime import timedelta

from core.models import ApiToken, AuditEntry, StaffSession
from core.services.access.sessions import hash_key
from core.services.schools.users import create_token, user_for_token
from tests.web.settings_support import (
    PASSWORD,
    SYSTEM,
    Client,
    csrf_of,
    log_in,
    post,
    two_schools,
)
from web.panel.session import CLOCK

NEW = "another long password"


def session_cookie(client: Client) -> str:
    return client.session.cookie_jar.filter_cookies(client.make_url("/"))["absences_session"].value


def use_session(client: Client, value: str) -> None:
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies(
        {"absences_session": value}, response_url=client.make_url("/")
    )


async def sign_in_elsewhere(client: Client, who: str) -> None:
    """Log in as from another browser (this one's cookies are set aside)."""
    client.session.cookie_jar.clear()
    assert (await log_in(client, who)).status == 303


async def status_of(client: Client, path: str = "/account") -> int:
    return (await client.get(path, allow_redirects=False)).status


async def test_the_cookie_holds_only_a_random_key(db: str, app_client: Client) -> None:
    await two_schools()
    await app_client.get("/login")
    anonymous = session_cookie(app_client)  # the login form's key: never stored
    assert not await StaffSession.exists()
    assert (await log_in(app_client, "cpe")).status == 303
    key = session_cookie(app_client)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key) and key != anonymous  # no fixation
    row = await StaffSession.get()
    assert row.key_hash == hash_key(key)
    assert (await row.user).email == "cpe@a.example.org"


async def test_a_cookie_saved_before_logout_opens_nothing_after(
    db: str, app_client: Client
) -> None:
    await two_schools()
    await log_in(app_client, "cpe")
    saved = session_cookie(app_client)
    token = await csrf_of(app_client, "/")
    response = await app_client.post("/logout", data={"csrf": token}, allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (303, "/login")
    assert not await StaffSession.exists()
    use_session(app_client, saved)
    assert await status_of(app_client) == 303
    assert await status_of(app_client, "/") == 303
    again = await app_client.post(
        "/account/sessions/end-others", data={"csrf": token}, allow_redirects=False
    )
    assert (again.status, again.headers["Location"]) == (303, "/login")
    assert await AuditEntry.exists(action="session.end")


async def test_the_form_token_belongs_to_its_session(db: str, app_client: Client) -> None:
    await two_schools()
    await log_in(app_client, "cpe")
    first = await csrf_of(app_client, "/account")
    await sign_in_elsewhere(app_client, "cpe")  # another session of the same user
    response = await app_client.post("/account/sessions/end-others", data={"csrf": first})
    assert response.status == 403
    assert await StaffSession.filter().count() == 2


async def test_an_idle_session_ends_and_a_used_one_ends_after_twelve_hours(
    db: str, app_client: Client
) -> None:
    await two_schools()
    clock = app_client.app[CLOCK]
    await log_in(app_client, "cpe")
    clock.offset = timedelta(hours=1, minutes=59)
    assert await status_of(app_client) == 200
    clock.offset = timedelta(hours=3, minutes=58)  # 1:59 after the last use
    assert await status_of(app_client) == 200
    clock.offset = timedelta(hours=6)  # 2:02 idle
    assert await status_of(app_client) == 303
    await log_in(app_client, "cpe")  # at +6 h
    for hours in range(7, 18):
        clock.offset = timedelta(hours=hours)
        assert await status_of(app_client) == 200
    clock.offset = timedelta(hours=18)
    assert await status_of(app_client) == 303


async def test_the_account_lists_the_sessions_and_ends_one(db: str, app_client: Client) -> None:
    await two_schools()
    await log_in(app_client, "cpe")
    elsewhere = session_cookie(app_client)
    await sign_in_elsewhere(app_client, "cpe")
    here = session_cookie(app_client)
    page = await (await app_client.get("/account")).text()
    assert "Sessions ouvertes" in page and page.count('/end"') == 2
    assert "(Cette session)" in page and "127.0.0.1" in page
    other = await StaffSession.get(key_hash=hash_key(elsewhere))
    response = await post(app_client, f"/account/sessions/{other.id}/end", {})
    assert (response.status, response.headers["Location"]) == (303, "/account")
    assert "Session fermée." in await (await app_client.get("/account")).text()
    use_session(app_client, elsewhere)
    assert await status_of(app_client) == 303
    use_session(app_client, here)
    assert await status_of(app_client) == 200
    assert (await post(app_client, f"/account/sessions/{other.id}/end", {})).status == 404


async def test_end_all_others_keeps_this_one(db: str, app_client: Client) -> None:
    await two_schools()
    await log_in(app_client, "admin")  # another user's session is not touched
    for _ in range(3):
        await sign_in_elsewhere(app_client, "cpe")
    here = session_cookie(app_client)
    assert "Fermer toutes les autres sessions" in await (await app_client.get("/account")).text()
    response = await post(app_client, "/account/sessions/end-others", {})
    assert response.status == 303
    left = await StaffSession.all().prefetch_related("user")
    assert sorted((s.user.email, s.key_hash == hash_key(here)) for s in left) == [
        ("admin@a.example.org", False),
        ("cpe@a.example.org", True),
    ]


async def test_a_new_login_in_a_browser_ends_its_previous_session(
    db: str, app_client: Client
) -> None:
    """On a shared computer, signing in over someone's session ends theirs."""
    await two_schools()
    await log_in(app_client, "admin")
    forgotten = session_cookie(app_client)
    await log_in(app_client, "cpe")
    rows = await StaffSession.all().prefetch_related("user")
    assert [row.user.email for row in rows] == ["cpe@a.example.org"]
    use_session(app_client, forgotten)
    assert await status_of(app_client) == 303
    entry = await AuditEntry.get(action="session.end")
    assert entry.after == {"reason": "replaced"} and entry.actor_label == "cpe@a.example.org"


async def test_another_users_session_cannot_be_ended(db: str, app_client: Client) -> None:
    await two_schools()
    await log_in(app_client, "admin")
    theirs = await StaffSession.get()
    await sign_in_elsewhere(app_client, "cpe")
    response = await post(app_client, f"/account/sessions/{theirs.id}/end", {})
    assert response.status == 404
    assert await StaffSession.exists(id=theirs.id)


async def test_a_password_change_may_revoke_the_tokens(db: str, app_client: Client) -> None:
    await two_schools()
    token = await create_token("cpe@a.example.org", SYSTEM, name="script")
    await log_in(app_client, "cpe")
    page = await (await app_client.get("/account")).text()
    assert "Révoquer aussi mes jetons" in page
    form = {"current": PASSWORD, "new": NEW, "confirm": NEW}
    assert (await post(app_client, "/account/password", form)).status == 303
    assert await user_for_token(token) is not None
    form = {"current": NEW, "new": PASSWORD, "confirm": PASSWORD, "revoke_tokens": "on"}
    assert (await post(app_client, "/account/password", form)).status == 303
    assert await user_for_token(token) is None
    assert (await ApiToken.get()).revoked_at is not None
