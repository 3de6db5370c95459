"""Sessions in a real browser: /account lists each signed-in browser and ends one; after
logout, the session cookie saved before it opens nothing."""

from __future__ import annotations

from typing import Any

from tests.web.browser.conftest import screenshot
from tests.web.settings_support import PASSWORD, PEOPLE, two_schools

EMAIL = PEOPLE["cpe"][0]


async def sign_in(page: Any, server: str) -> None:
    await page.goto(server + "/login")
    await page.get_by_label("Adresse électronique").fill(EMAIL)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(server + "/")


async def test_the_account_lists_the_sessions_and_ends_another(
    live_server: str, browser: Any
) -> None:
    await two_schools()
    office = await (await browser.new_context(locale="fr-FR")).new_page()
    laptop = await (await browser.new_context(locale="fr-FR")).new_page()
    await sign_in(office, live_server)
    await sign_in(laptop, live_server)
    await laptop.goto(live_server + "/account")
    rows = laptop.locator("#sessions tbody tr")
    assert await rows.count() == 2
    assert "Cette session" in await laptop.locator("#sessions tr.current").inner_text()
    await screenshot(laptop, "account-sessions")
    other = laptop.locator("#sessions tbody tr:not(.current)")
    await other.get_by_role("button", name="Fermer").click()
    await laptop.wait_for_url(live_server + "/account")
    assert "Session fermée." in await laptop.get_by_role("status").inner_text()
    assert await rows.count() == 1
    await office.goto(live_server + "/account")
    await office.wait_for_url(live_server + "/login")


async def test_a_cookie_saved_before_logout_opens_nothing(live_server: str, browser: Any) -> None:
    await two_schools()
    context = await browser.new_context(locale="fr-FR")
    page = await context.new_page()
    await sign_in(page, live_server)
    saved = [c for c in await context.cookies() if c["name"] == "absences_session"]
    assert len(saved) == 1
    await page.get_by_role("button", name="Se déconnecter").click()
    await page.wait_for_url(live_server + "/login")

    thief = await browser.new_context(locale="fr-FR")
    await thief.add_cookies(saved)
    stolen = await thief.new_page()
    await stolen.goto(live_server + "/account")
    await stolen.wait_for_url(live_server + "/login")
    assert "Se connecter" in await stolen.get_by_role("button", name="Se connecter").inner_text()
