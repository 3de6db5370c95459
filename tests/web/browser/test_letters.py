"""The letters page in Chromium: a CPE chooses letters, downloads them as one PDF, marks them
printed, then posted; the letters are made by the real letter transport in the app's var
folder, and the app has its mailroom as ``absences serve`` gives it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from core.models import Delivery, DeliveryStatus
from core.settings import load_settings
from tests.core.services.letter_support import MONDAY, channels, monday_letters
from tests.web.browser.conftest import screenshot
from tests.web.letters_support import STAFF, pages, texts
from tests.web.personas import PASSWORD, SYSTEM, UAI_A, schools_and_staff
from web.app import create_app
from workers.mailroom import build_mailroom
from workers.runtime import start_runtime


@pytest.fixture
async def served(db: str, tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """The app with its mailroom on a loopback port, and its var folder."""
    settings = load_settings(var_dir=tmp_path / "var")
    runtime = await start_runtime(settings, sweep=False)
    mailroom = build_mailroom(settings, runtime.ctx.get("channels"))
    server = TestServer(create_app(settings, runtime.queue, mailroom=mailroom), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/"), settings.var_dir
    finally:
        await server.close()
        await runtime.close()


async def log_in(page: Any, base: str, email: str) -> None:
    await page.goto(base + "/login")
    await page.get_by_label("Adresse électronique").fill(email)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(base + "/")


def group(page: Any, state: str) -> Any:
    return page.locator(f'section[data-state="{state}"]')


async def test_a_cpe_downloads_the_days_letters_then_marks_them_printed_then_posted(
    served: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    base, var_dir = served
    schools, _ = await schools_and_staff(STAFF)
    box = channels(var_dir)
    letters = await monday_letters(schools[UAI_A], SYSTEM, box)
    await box.close()

    await log_in(page, base, STAFF["cpe"][0])
    await page.get_by_role("link", name="Courriers").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Courriers aux familles")
    await page.get_by_label("Jour", exact=True).fill(MONDAY.isoformat())
    await page.get_by_role("button", name="Afficher").click()
    to_print = group(page, "to_print")
    await expect(to_print.locator("tbody tr")).to_have_count(3)
    await expect(to_print.locator("tbody tr").first).to_contain_text("BERNARD Léa")
    await screenshot(page, "letters-1-to-print")

    # Choose all, download one PDF of the three letters, in the order of the list.
    await to_print.get_by_label("Tout choisir").check()
    for box_ in await to_print.locator('input[name="id"]').all():
        await expect(box_).to_be_checked()
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Télécharger le PDF").click()
    download = await download_info.value
    saved = tmp_path / "batch.pdf"
    await download.save_as(saved)
    pdf = saved.read_bytes()
    assert download.suggested_filename == f"courriers-{UAI_A}-{MONDAY.isoformat()}.pdf"
    assert pages(pdf) >= 3
    merged = texts(pdf)
    assert merged.index("BERNARD") < merged.index("DUPONT") < merged.index("MARTIN")

    # Two of them came out of the printer.
    await to_print.get_by_label("Tout choisir").uncheck()
    await page.get_by_label("Choisir le courrier de Mme BERNARD Claire").check()
    await page.get_by_label("Choisir le courrier de Mme DUPONT Claire").check()
    await page.get_by_role("button", name="Marquer imprimés").click()
    await expect(page.get_by_role("status")).to_have_text("2 courriers marqués imprimés.")
    await expect(group(page, "printed").locator("tbody tr")).to_have_count(2)
    await expect(group(page, "to_print").locator("tbody tr")).to_have_count(1)
    await screenshot(page, "letters-2-printed")

    # They went to the post.
    await group(page, "printed").get_by_label("Tout choisir").check()
    await page.get_by_role("button", name="Marquer postés").click()
    await expect(page.get_by_role("status")).to_contain_text("2 courriers marqués postés")
    posted = group(page, "posted")
    await expect(posted.locator("tbody tr")).to_have_count(2)
    await expect(posted).to_contain_text("remis à la Poste")
    await expect(group(page, "to_print")).to_contain_text("MARTIN Léa")
    await screenshot(page, "letters-3-posted")

    for delivery in (letters.bernard, letters.dupont):
        row = await Delivery.get(id=delivery.id)
        assert row.status == DeliveryStatus.DELIVERED and row.posted_at is not None
    assert (await Delivery.get(id=letters.martin.id)).status == DeliveryStatus.SENT
