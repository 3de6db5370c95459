"""The account page and the login's throttling, over real HTTP (time moved, never slept)."""

from __future__ import annotations

from datetime import timedelta

from core.models import AuditEntry, LoginAttempt, School, User
from tests.web.settings_support import PASSWORD, Client, csrf_of, log_in, post, two_schools
from web.panel.account import CLOCK

NEW = "another long password"


async def test_a_stranger_is_sent_to_the_login_page(db: str, app_client: Client) -> None:
    response = await app_client.get("/account", allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (303, "/login")


async def test_the_password_change_needs_the_form_token(db: str, app_client: Client) -> None:
    await two_schools()
    await log_in(app_client, "cpe")
    response = await app_client.post(
        "/account/password", data={"current": PASSWORD, "new": NEW, "confirm": NEW}
    )
    assert response.status == 403


async def test_password_mistakes_are_said_in_french(db: str, app_client: Client) -> None:
    await two_schools()
    await log_in(app_client, "cpe")
    for form, words in [
        ({"current": PASSWORD, "new": "short", "confirm": "short"}, "au moins 10 caractères"),
        ({"current": PASSWORD, "new": NEW, "confirm": NEW + "!"}, "diffèrent"),
        ({"current": "not my password", "new": NEW, "confirm": NEW}, "actuel est incorrect"),
    ]:
        response = await post(app_client, "/account/password", form)
        assert response.status == 400
        assert words in await response.text()
    assert not await AuditEntry.exists(action="user.password")


def session_cookie(client: Client) -> str:
    return client.session.cookie_jar.filter_cookies(client.make_url("/"))["absences_session"].value


def use_session(client: Client, value: str) -> None:
    client.session.cookie_jar.update_cookies(
        {"absences_session": value}, response_url=client.make_url("/")
    )


async def test_a_password_change_ends_the_other_sessions_only(db: str, app_client: Client) -> None:
    await two_schools()
    assert (await log_in(app_client, "cpe")).status == 303
    elsewhere = session_cookie(app_client)  # the same user, in another browser
    app_client.session.cookie_jar.clear()
    await log_in(app_client, "cpe")
    form = {"current": PASSWORD, "new": NEW, "confirm": NEW}
    response = await post(app_client, "/account/password", form)
    assert (response.status, response.headers["Location"]) == (303, "/account")
    page = await (await app_client.get("/account")).text()
    assert "Mot de passe changé" in page
    assert (await app_client.get("/account", allow_redirects=False)).status == 200
    here = session_cookie(app_client)
    use_session(app_client, elsewhere)
    assert (await app_client.get("/account", allow_redirects=False)).status == 303
    use_session(app_client, here)
    assert (await app_client.get("/account", allow_redirects=False)).status == 200
    row = await AuditEntry.get(action="user.password")
    assert row.actor_label == "cpe@a.example.org"
    assert (await log_in(app_client, "cpe")).status == 401
    assert (await log_in(app_client, "cpe", NEW)).status == 303


async def test_the_language_is_chosen_once_for_all(db: str, app_client: Client) -> None:
    await two_schools()
    await log_in(app_client, "cpe")
    response = await post(app_client, "/account/language", {"language": "en"})
    assert response.status == 303
    assert response.cookies["lang"].value == "en"
    assert "Language saved." in await (await app_client.get("/account")).text()
    assert (await User.get(email="cpe@a.example.org")).language == "en"
    assert await AuditEntry.exists(action="user.language")
    app_client.session.cookie_jar.clear()
    await log_in(app_client, "cpe")  # the next login brings the language back
    assert "My account" in await (await app_client.get("/account")).text()
    bad = await post(app_client, "/account/language", {"language": "de"})
    assert bad.status == 400


async def test_five_failures_lock_the_email_from_that_address_then_it_recovers(
    db: str, app_client: Client
) -> None:
    await two_schools()
    for _ in range(5):
        assert (await log_in(app_client, "cpe", "wrong password")).status == 401
    refused = await log_in(app_client, "cpe")  # even the right password waits
    assert refused.status == 429
    assert "Trop de tentatives" in await refused.text()
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert (await log_in(app_client, "admin")).status == 303  # another email is not locked
    app_client.app[CLOCK].offset = timedelta(minutes=15, seconds=1)
    assert (await log_in(app_client, "cpe")).status == 303
    assert await LoginAttempt.filter(success=False).count() == 5


async def test_twenty_failures_from_one_address_lock_it(db: str, app_client: Client) -> None:
    schools: dict[str, School] = await two_schools()
    assert schools
    for n in range(20):
        status = (await log_in(app_client, f"guess{n % 4}@a.example.org", "nope")).status
        assert status == 401
    refused = await log_in(app_client, "admin")
    assert refused.status == 429
    app_client.app[CLOCK].offset = timedelta(minutes=16)
    assert (await log_in(app_client, "admin")).status == 303
    token = await csrf_of(app_client, "/account")
    assert token
