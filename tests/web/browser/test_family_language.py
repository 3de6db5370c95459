"""Families' languages in Chromium, on the demo school: the CPE writes the school's first
Spanish template in Modèles (the Spanish column then counts it), then sets a guardian's
language to Spanish and their preferred channel in the student's file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from cli.demo.build import build_demo
from core.models import GuardianLink, Person, School
from core.settings import load_settings
from tests.web.browser.conftest import screenshot
from tests.web.browser.test_convocation import reachable_student
from tests.web.browser.test_follow_up import log_in
from web.app import create_app
from workers.runtime import start_runtime
from workers.template_tools import build_template_tools


@pytest.fixture
async def served(db: str, tmp_path: Path) -> AsyncIterator[str]:
    """The app with its template tools, as ``absences serve`` gives them."""
    settings = load_settings(var_dir=tmp_path / "var")
    runtime = await start_runtime(settings, sweep=False)
    tools = build_template_tools(settings, runtime.ctx.get("channels"))
    server = TestServer(create_app(settings, runtime.queue, template_tools=tools), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()
        await runtime.close()


async def test_the_cpe_adds_spanish_and_gives_it_to_a_guardian(served: str, page: Any) -> None:
    live_server = served
    summary = await build_demo(students=12, weeks=1, seed=7)
    school = await School.get(uai=summary.school_uai)
    student = await reachable_student(school)
    link = await GuardianLink.filter(student=student).order_by("priority", "id").first()
    assert link is not None
    await log_in(page, live_server, summary, "cpe")

    await page.goto(f"{live_server}/s/{school.uai}/templates")
    await page.locator("#tpl-language").select_option("es")
    await page.get_by_role("button", name="Afficher ses modèles").click()
    await expect(page.locator('th[data-language="es"]')).to_have_text("Español")
    await page.locator('a[data-template="absence/sms/es"]').click()
    await page.locator("#tpl-body").fill("{{ student.first_name }} está ausente.")
    await page.get_by_role("button", name="Enregistrer", exact=True).click()
    await expect(page.locator(".flash")).to_contain_text("Modèle enregistré.")
    await page.goto(f"{live_server}/s/{school.uai}/templates")
    await expect(page.locator('#tpl-coverage td[data-language="es"]')).to_contain_text("1 sur")
    await screenshot(page, "templates-languages")

    await page.goto(f"{live_server}/s/{school.uai}/students/{student.id}#guardians")
    card = page.locator("#guardians article").first
    await card.get_by_label("Langue", exact=True).select_option("es")
    await card.get_by_label("Canal préféré").select_option("email")
    await card.get_by_role("button", name="Enregistrer").click()
    await expect(page.locator("#guardians")).to_contain_text("Langue des avis : Español")
    await screenshot(page, "guardian-language")
    person = await Person.get(id=link.person_id)
    assert (person.language, person.preferred_channel) == ("es", "email")
