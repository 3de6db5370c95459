"""A CPE logs in through the login page in a real browser and sees the dashboard."""

from __future__ import annotations

from typing import Any

from cli.demo.build import build_demo
from tests.web.browser.conftest import screenshot


async def test_a_demo_cpe_logs_in_and_sees_the_dashboard(live_server: str, page: Any) -> None:
    summary = await build_demo(students=60, weeks=2, seed=3)
    cpe = next(login for login in summary.logins if login.role == "cpe")
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill(cpe.email)
    await page.get_by_label("Mot de passe").fill(cpe.password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(live_server + "/")
    assert summary.school_name in await page.locator("h1").inner_text()
    await screenshot(page, "dashboard")


async def test_a_wrong_password_shows_an_error_in_french(live_server: str, page: Any) -> None:
    await build_demo(students=10, weeks=0, seed=3)
    await page.goto(live_server + "/login")
    await page.get_by_label("Adresse électronique").fill("cpe@demo.absences.test")
    await page.get_by_label("Mot de passe").fill("not the password")
    await page.get_by_role("button", name="Se connecter").click()
    assert "incorrect" in await page.get_by_role("alert").inner_text()
