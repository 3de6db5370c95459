"""The legal follow-up in Chromium, on Collège Jean Moulin (its SIECLE export): the CPE follows
the dashboard's line to the list, reads who crossed the threshold and when, what was sent and
done, records the commission éducative from the row, and finds the family that never answered.
Screenshots ``legal-follow-up`` and ``legal-follow-up-action`` for a reviewer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from core.models import Action
from tests.web.browser.conftest import log_in, screenshot
from tests.web.legal_support import PASSWORD, STAFF, UAI, Story, october, serve_story


@pytest.fixture
async def story(db: str, tmp_path: Path) -> Story:
    return await october(tmp_path)


@pytest.fixture
async def served(story: Story, tmp_path: Path) -> AsyncIterator[str]:
    async for app in serve_story(tmp_path):
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        try:
            yield str(server.make_url("")).rstrip("/")
        finally:
            await server.close()


async def test_the_cpe_follows_the_legal_list_and_records_a_commission(
    served: str, page: Any, story: Story
) -> None:
    await log_in(page, served, STAFF["cpe"], PASSWORD)
    await page.get_by_role("link", name="1 élève a franchi le seuil légal ce mois-ci").click()
    await page.wait_for_url(f"{served}/s/{UAI}/follow-up/legal")
    await expect(page.get_by_role("heading", name="octobre 2026")).to_be_visible()
    row = page.locator(f"#student-{story.pupil.id}-2026-10")
    await expect(row).to_contain_text(story.pupil.display_name)
    await expect(row).to_contain_text("08/10/2026")
    await expect(row).to_contain_text("Seuil de demi-journées atteint")
    await expect(row).to_contain_text("Entretien avec la famille")
    silent = page.locator(f"#unanswered-{story.silent.id}")
    await expect(silent).to_contain_text("06/10/2026 — Absence (SMS)")
    await screenshot(page, "legal-follow-up")

    await row.get_by_text("Ajouter une action").click()
    form = row.locator("form")
    await form.get_by_label("Action").select_option(label="Commission éducative")
    await form.get_by_label("Date et heure").fill("2026-10-12T14:00")
    await form.get_by_label("Commentaire").fill("Avec le professeur principal")
    await screenshot(page, "legal-follow-up-form")
    await form.get_by_role("button", name="Enregistrer l'action").click()
    await expect(page.get_by_role("status")).to_contain_text("Action enregistrée.")
    await expect(row).to_contain_text("12/10/2026 — Commission éducative")
    await screenshot(page, "legal-follow-up-action")
    assert await Action.filter(type__code="COMMISSION_EDUCATIVE").count() == 1
