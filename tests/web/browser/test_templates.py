"""The template editor in Chromium: a CPE edits an SMS and watches its segment counter, then
writes a letter in the WYSIWYG editor (bold, a list, a table, a merge field) and saves it; the
app has its template tools as ``absences serve`` gives them."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from core.models import LetterTemplate, MessageTemplate
from core.rules.sms import sms_segments
from core.settings import load_settings
from tests.web.browser.conftest import screenshot
from tests.web.personas import PASSWORD, UAI_A, UAI_B, schools_and_staff
from web.app import create_app
from workers.runtime import start_runtime
from workers.template_tools import build_template_tools

STAFF = {
    "cpe": ("cpe@a.example.org", UAI_A, "cpe", "Mme Lefèvre"),
    "other_cpe": ("cpe@b.example.org", UAI_B, "cpe", "M. Autre"),
}
BASE = f"/s/{UAI_A}/templates"


@pytest.fixture
async def served(db: str, tmp_path: Path) -> AsyncIterator[str]:
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


async def log_in(page: Any, base: str, email: str) -> None:
    await page.goto(base + "/login")
    await page.get_by_label("Adresse électronique").fill(email)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(base + "/")


async def test_a_cpe_edits_an_sms_and_sees_the_counter_change(served: str, page: Any) -> None:
    schools, _ = await schools_and_staff(STAFF)
    await log_in(page, served, "cpe@a.example.org")
    await page.get_by_role("link", name="Modèles").click()
    await expect(page.locator("#tpl-list")).to_be_visible()
    await screenshot(page, "templates-list")
    await page.locator('a[data-template="absence/sms/fr"]').click()
    counter = page.locator("#tpl-counter")
    await expect(counter).to_contain_text("1 SMS · GSM-7")
    body = page.locator("#tpl-body")
    await body.fill("{{ school.name }} : {{ student.first_name }} est absent(e).")
    shown = sms_segments("Collège A : Camille est absent(e).")  # the sample values in place
    await expect(counter).to_have_text(f"{shown.length} caractères · 1 SMS · GSM-7")
    await body.press("End")
    await body.type(" Merci de répondre " + "vite, " * 24)
    await expect(counter).to_contain_text("2 SMS · GSM-7")
    await body.type("là-bas ô")
    await expect(counter).to_contain_text("4 SMS · UCS-2")  # 205 units, 67 a part
    await expect(counter).to_contain_text("Hors GSM-7 : ô")
    await page.get_by_role("button", name="Prénom de l'élève").click()
    assert (await body.input_value()).endswith("là-bas ô{{ student.first_name }}")
    await page.get_by_role("button", name="Aperçu", exact=True).click()
    preview = page.locator("#tpl-preview-body")
    await expect(preview).to_contain_text("Collège A : Camille est absent(e).")
    await expect(page.locator("#tpl-preview-warnings")).to_contain_text("UCS-2")
    await screenshot(page, "templates-sms")
    await page.get_by_role("button", name="Enregistrer").click()
    await expect(page.locator(".flash")).to_have_text("Modèle enregistré.")
    await expect(page.locator("#tpl-warnings")).to_contain_text("segments")
    saved = await MessageTemplate.get(school=schools[UAI_A])
    assert saved.body.endswith("{{ student.first_name }}") and "ô" in saved.body


async def test_a_cpe_writes_a_letter_in_the_wysiwyg_editor_and_saves_it(
    served: str, page: Any
) -> None:
    schools, _ = await schools_and_staff(STAFF)
    await log_in(page, served, "cpe@a.example.org")
    await page.goto(served + BASE + "/threshold/letter/fr")
    editor = page.locator("#tpl-quill .ql-editor")
    await expect(editor).to_be_visible()
    await expect(page.locator("#tpl-body")).to_be_hidden()
    await expect(editor).to_contain_text("Objet : absences sans motif légitime")  # the default
    await editor.click()
    await page.keyboard.press("Control+a")
    await page.keyboard.press("Delete")
    await page.keyboard.type("Madame, Monsieur,")
    await page.keyboard.press("Enter")
    await page.locator("#tpl-toolbar .ql-bold").click()
    await page.keyboard.type("Absences répétées")
    await page.locator("#tpl-toolbar .ql-bold").click()
    await page.keyboard.type(" de ")
    await page.get_by_role("button", name="Prénom de l'élève").click()
    await page.keyboard.press("Enter")
    await page.locator('#tpl-toolbar .ql-list[value="bullet"]').click()
    await page.keyboard.type("premier point")
    await page.keyboard.press("Enter")
    await page.keyboard.type("second point")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Enter")
    await page.get_by_role("button", name="Insérer un tableau").click()
    await page.keyboard.type("Mois")
    await page.keyboard.press("Tab")
    await page.get_by_role("button", name="Mois", exact=True).click()
    await expect(editor.locator("table td")).to_have_count(4)
    await expect(editor.locator("strong")).to_have_text("Absences répétées")
    await page.get_by_role("button", name="Aperçu", exact=True).click()
    preview = page.locator("#tpl-preview-body")
    await expect(preview).to_contain_text("Absences répétées de Camille")
    await expect(preview.locator("table")).to_contain_text("mars 2026")
    await screenshot(page, "templates-letter")
    await page.get_by_role("button", name="Enregistrer").click()
    await expect(page.locator(".flash")).to_have_text("Modèle enregistré.")
    await expect(editor.locator("strong")).to_have_text("Absences répétées")
    stored = (await LetterTemplate.get(school=schools[UAI_A], kind="threshold")).html
    assert "<strong>Absences répétées</strong> de {{ student.first_name }}" in stored
    assert "<table>" in stored and "{{ month_label }}" in stored
    assert '<li data-list="bullet">premier point</li>' in stored
    csrf = await page.locator("#tpl-form input[name=csrf]").input_value()
    pdf = await page.request.post(
        served + BASE + "/threshold/letter/fr/preview.pdf",
        form={"csrf": csrf, "body": stored},
        headers={"Origin": served},  # as the page itself would post it
    )
    assert pdf.status == 200
    text = pypdf.PdfReader(io.BytesIO(await pdf.body())).pages[0].extract_text()
    assert "Absences répétées de Camille" in text and "mars 2026" in text
    await screenshot(page, "templates-letter-saved")
