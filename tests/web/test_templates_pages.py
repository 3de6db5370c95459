"""The template pages over real HTTP: the list, the editor, save, preview (JSON and PDF),
reset, the logo — CSRF, roles, and another school."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from PIL import Image

from core.models import AuditEntry, LetterTemplate, MessageTemplate, School
from core.settings import load_settings
from tests.web.personas import UAI_A, UAI_B, log_in_as, panel_client, schools_and_staff
from web.app import create_app
from workers.runtime import start_runtime
from workers.template_tools import build_template_tools

Client = TestClient[Any, Any]
STAFF = {
    "admin": ("admin@a.example.org", UAI_A, "admin", "Mme Admin"),
    "cpe": ("cpe@a.example.org", UAI_A, "cpe", "Mme Lefèvre"),
    "direction": ("direction@a.example.org", UAI_A, "direction", "M. le principal"),
    "vie": ("vie@a.example.org", UAI_A, "vie_scolaire", "M. Garnier"),
    "teacher": ("prof@a.example.org", UAI_A, "teacher", "M. Moreau"),
    "other_cpe": ("cpe@b.example.org", UAI_B, "cpe", "M. Autre"),
}
LIST = f"/s/{UAI_A}/templates"
SMS = f"{LIST}/absence/sms/fr"
LETTER = f"{LIST}/absence/letter/fr"


async def _client(tmp_path: Path, *, tools: bool) -> AsyncIterator[Client]:
    runtime = await start_runtime(load_settings(var_dir=tmp_path / "var"), sweep=False)
    settings = runtime.ctx["settings"]
    given = build_template_tools(settings, runtime.ctx.get("channels")) if tools else None
    app = create_app(settings, runtime.queue, template_tools=given)
    try:
        async with panel_client(app) as client:
            yield client
    finally:
        await runtime.close()


@pytest.fixture
async def client(db: str, tmp_path: Path) -> AsyncIterator[Client]:
    async for made in _client(tmp_path, tools=True):
        yield made


@pytest.fixture
async def schools(client: Client) -> dict[str, School]:
    return (await schools_and_staff(STAFF))[0]


async def log_in(client: Client, persona: str) -> str:
    return await log_in_as(client, STAFF[persona][0])


def textarea(page: str) -> str:
    found = re.search(r'<textarea id="tpl-body"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert found is not None
    return found.group(1)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 6), "navy").save(buffer, "PNG")
    return buffer.getvalue()


async def test_the_cpe_edits_an_sms_and_saves_it(
    schools: dict[str, School], client: Client
) -> None:
    token = await log_in(client, "cpe")
    page = await (await client.get(LIST)).text()
    assert "Modèles des avis aux familles" in page and f'href="{SMS}"' in page
    assert f'href="{LIST}"' in await (await client.get("/")).text()  # the menu entry
    page = await (await client.get(SMS)).text()
    assert "{{ student.first_name }}" in textarea(page)
    assert 'id="tpl-counter"' in page and 'data-insert="{{ student.first_name }}"' in page
    body = "{{ school.name }} : {{ student.first_name }} absent(e) ce {{ day }}."
    refused = await client.post(SMS, data={"body": body}, allow_redirects=False)
    assert refused.status == 403 and await MessageTemplate.all().count() == 0
    saved = await client.post(SMS, data={"csrf": token, "body": body}, allow_redirects=False)
    assert saved.status == 303 and saved.headers["Location"] == SMS
    page = await (await client.get(SMS)).text()
    assert "Modèle enregistré." in page and textarea(page) == body
    assert "Revenir au modèle par défaut" in page
    row = await MessageTemplate.get(school=schools[UAI_A], kind="absence", channel="sms")
    assert row.body == body and row.language == "fr"
    assert await AuditEntry.filter(action="template.save", school_id=schools[UAI_A].id).count() == 1
    listed = await (await client.get(LIST)).text()
    assert re.search(rf'href="{SMS}"[^>]*\n?\s*class="tpl-state tpl-own"', listed)


async def test_a_refused_template_is_explained_and_the_draft_kept(
    schools: dict[str, School], client: Client
) -> None:
    token = await log_in(client, "cpe")
    for body, words in (
        ("{{ ''.__class__ }}", "Construction interdite"),
        ("{{ pupil.name }}", "Ce champ de fusion"),
        ("Bonjour {{ student.first_name", "Erreur de syntaxe"),
        ("{{ [1].append(2) }}", "a échoué"),
    ):
        response = await client.post(SMS, data={"csrf": token, "body": body})
        page = await response.text()
        assert response.status == 422, body
        assert words in page and 'id="tpl-error"' in page
        assert "{{" in textarea(page)  # the draft, escaped, not lost
    assert "&lt;script&gt;" not in page
    assert await MessageTemplate.all().count() == 0
    body = {"csrf": token, "body": "Bonjour\n{{ student.first_name }"}
    french = await (await client.post(SMS + "?lang=fr", data=body)).text()
    assert "Texte, ligne 2 :" in french and "body, line" not in french
    english = await (await client.post(SMS + "?lang=en", data=body)).text()
    assert "Text, line 2:" in english


async def test_an_over_long_sms_is_saved_with_a_warning(
    schools: dict[str, School], client: Client
) -> None:
    token = await log_in(client, "admin")
    body = "{{ school.name }} : " + "merci de nous indiquer le motif de cette absence. " * 5
    saved = await client.post(SMS, data={"csrf": token, "body": body}, allow_redirects=False)
    assert saved.status == 303
    page = await (await client.get(SMS)).text()
    assert "segments, facturés chacun" in page
    assert await MessageTemplate.all().count() == 1


async def test_the_preview_renders_a_draft_in_the_sandbox(
    schools: dict[str, School], client: Client
) -> None:
    token = await log_in(client, "cpe")
    url = SMS + "/preview"
    draft = {"body": "{{ student.first_name }} à {{ start }}, {{ school.name }} « x »"}
    response = await client.post(url, json=draft)
    assert response.status == 403
    response = await client.post(url, json=draft, headers={"X-CSRF-Token": token})
    result = await response.json()
    assert response.status == 200
    assert result["body"] == "Camille à 8h05, Collège A « x »"
    assert result["sms"] == {"encoding": "UCS-2", "length": 31, "segments": 1}
    assert result["warnings"] and "UCS-2" in result["warnings"][0]
    bad = await client.post(url, json={"body": "{{ ''.__mro__ }}"}, headers={"X-CSRF-Token": token})
    assert bad.status == 422 and "Construction interdite" in (await bad.json())["error"]
    huge = {"body": "{{ range(99999 * 999) | list }}"}  # the sandbox's own text stays out
    refused = await client.post(url, json=huge, headers={"X-CSRF-Token": token})
    said = (await refused.json())["error"]
    assert refused.status == 422 and said == (
        "Le modèle a échoué à l'essai avec les valeurs d'exemple."
    ), said
    assert await MessageTemplate.all().count() == 0


async def test_a_letter_is_saved_sanitised_and_previewed_as_a_pdf(
    schools: dict[str, School], client: Client
) -> None:
    token = await log_in(client, "cpe")
    page = await (await client.get(LETTER)).text()
    assert "/static/vendor/quill/quill.js" in page and 'id="tpl-quill"' in page
    assert "img-src 'self' data:" in (await client.get(LETTER)).headers["Content-Security-Policy"]
    html = (
        "<p>Madame, Monsieur,</p><p><strong>{{ student.first_name }}</strong> a manqué la classe."
        '</p><script>alert(1)</script><img src="https://tracker.example/p.png" onerror="x()">'
    )
    saved = await client.post(LETTER, data={"csrf": token, "body": html}, allow_redirects=False)
    assert saved.status == 303
    stored = (await LetterTemplate.get(school=schools[UAI_A])).html
    assert "<script" not in stored and "tracker" not in stored and "onerror" not in stored
    assert "<strong>{{ student.first_name }}</strong> a manqué la classe." in stored
    pdf = await client.post(LETTER + "/preview.pdf", data={"csrf": token, "body": stored})
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(await pdf.read())).pages[0].extract_text()
    assert "Camille a manqué la classe." in text and "Collège A" in text
    assert "75011 PARIS" in text  # the sample address, in the window
    refused = await client.post(LETTER + "/preview.pdf", data={"body": stored})
    assert refused.status == 403
    sms_pdf = await client.post(SMS + "/preview.pdf", data={"csrf": token, "body": "x"})
    assert sms_pdf.status == 404


async def test_reset_brings_the_default_back(schools: dict[str, School], client: Client) -> None:
    token = await log_in(client, "cpe")
    await client.post(SMS, data={"csrf": token, "body": "Mon texte"}, allow_redirects=False)
    refused = await client.post(SMS + "/reset", data={}, allow_redirects=False)
    assert refused.status == 403 and await MessageTemplate.all().count() == 1
    done = await client.post(SMS + "/reset", data={"csrf": token}, allow_redirects=False)
    assert done.status == 303 and await MessageTemplate.all().count() == 0
    page = await (await client.get(SMS)).text()
    assert "Le modèle par défaut s&#39;applique de nouveau." in page
    assert "{{ student.first_name }}" in textarea(page)
    assert await AuditEntry.filter(action="template.reset").count() == 1


async def test_the_direction_reads_but_may_not_change(
    schools: dict[str, School], client: Client
) -> None:
    token = await log_in(client, "direction")
    assert f'href="{LIST}"' in await (await client.get("/")).text()
    page = await (await client.get(SMS)).text()
    assert "Lecture seule" in page and 'id="tpl-save"' not in page and "readonly" in page
    for url in (SMS, SMS + "/reset", LIST + "/logo", LIST + "/logo/remove"):
        response = await client.post(url, data={"csrf": token, "body": "x"})
        assert response.status == 403, url
    preview = await client.post(
        SMS + "/preview", json={"body": "{{ day }}"}, headers={"X-CSRF-Token": token}
    )
    assert preview.status == 200
    assert await MessageTemplate.all().count() == 0


@pytest.mark.parametrize("persona", ["teacher", "vie"])
async def test_teachers_and_the_vie_scolaire_have_no_template_pages(
    schools: dict[str, School], client: Client, persona: str
) -> None:
    token = await log_in(client, persona)
    assert f'href="{LIST}"' not in await (await client.get("/")).text()
    for url in (LIST, SMS, LIST + "/logo"):
        assert (await client.get(url)).status == 403, url
    response = await client.post(SMS, data={"csrf": token, "body": "x"})
    assert response.status == 403
    preview = await client.post(
        SMS + "/preview", json={"body": "x"}, headers={"X-CSRF-Token": token}
    )
    assert preview.status == 403
    assert await MessageTemplate.all().count() == 0


async def test_another_schools_cpe_cannot_reach_these_templates(
    schools: dict[str, School], client: Client
) -> None:
    cpe_token = await log_in(client, "cpe")
    await client.post(SMS, data={"csrf": cpe_token, "body": "Texte de A"}, allow_redirects=False)
    token = await log_in(client, "other_cpe")
    for url in (LIST, SMS, LIST + "/logo"):
        assert (await client.get(url)).status == 403, url
    for url in (SMS, SMS + "/reset", SMS + "/preview"):
        response = await client.post(url, data={"csrf": token, "body": "Piraté"})
        assert response.status == 403, url
    own = await (await client.get(f"/s/{UAI_B}/templates/absence/sms/fr")).text()
    assert "Texte de A" not in own
    assert (await MessageTemplate.get()).body == "Texte de A"
    assert (await client.get(f"/s/{UAI_B}/templates/nope/sms/fr")).status == 404
    assert (await client.get(f"/s/{UAI_B}/templates/absence/sms/xx")).status == 404  # not listed


async def test_the_logo_is_uploaded_shown_and_removed(
    schools: dict[str, School], client: Client
) -> None:
    token = await log_in(client, "admin")
    assert (await client.get(LIST + "/logo")).status == 404
    form = FormData()
    form.add_field("csrf", token)
    form.add_field("logo", png(), filename="logo.png", content_type="image/png")
    response = await client.post(LIST + "/logo", data=form, allow_redirects=False)
    assert response.status == 303
    image = await client.get(LIST + "/logo")
    assert image.status == 200 and image.content_type == "image/png" and await image.read() == png()
    page = await (await client.get(LIST)).text()
    assert "Logo enregistré." in page and 'id="tpl-logo-image"' in page
    assert 'id="tpl-insert-logo"' in await (await client.get(LETTER)).text()
    bad = FormData()
    bad.add_field("csrf", token)
    bad.add_field("logo", b"<svg/>", filename="logo.svg", content_type="image/svg+xml")
    await client.post(LIST + "/logo", data=bad, allow_redirects=False)
    assert "Logo refusé" in await (await client.get(LIST)).text()
    assert (await client.get(LIST + "/logo")).status == 200  # the good one stays
    other = await log_in(client, "other_cpe")
    assert (await client.get(LIST + "/logo")).status == 403
    response = await client.post(LIST + "/logo/remove", data={"csrf": other})
    assert response.status == 403
    token = await log_in(client, "admin")
    await client.post(LIST + "/logo/remove", data={"csrf": token}, allow_redirects=False)
    assert (await client.get(LIST + "/logo")).status == 404
    assert await AuditEntry.filter(action="school.logo").count() == 2


async def test_without_the_tools_the_pages_only_read(db: str, tmp_path: Path) -> None:
    async for client in _client(tmp_path, tools=False):
        await schools_and_staff(STAFF)
        token = await log_in(client, "cpe")
        page = await (await client.get(SMS)).text()
        assert "ne sont pas disponibles" in page and 'id="tpl-save"' not in page
        response = await client.post(SMS, data={"csrf": token, "body": "x"})
        assert response.status == 503 and await MessageTemplate.all().count() == 0


async def test_a_school_adds_a_language_by_writing_its_templates_and_sees_its_coverage(
    schools: dict[str, School], client: Client
) -> None:
    token = await log_in(client, "cpe")
    page = await (await client.get(LIST)).text()
    assert '<th scope="col" data-language="es">' not in page
    assert '<option value="es">Español</option>' in page  # "Ajouter une langue"
    shown = await (await client.get(LIST + "?language=es")).text()  # its column, all in French
    coverage = shown.split('id="tpl-coverage"', 1)[1].split("</tr>", 1)[0]
    assert '<td data-language="es">0 sur' in coverage
    assert 'data-template="absence/sms/es"' in shown and "Envoyé en français" in shown

    spanish = f"{LIST}/absence/sms/es"
    editor = await client.get(spanish)
    assert editor.status == 200 and "Español" in await editor.text()
    body = "{{ school.name }} : {{ student.first_name }} está ausente. Indíquenos el motivo."
    saved = await client.post(spanish, data={"csrf": token, "body": body}, allow_redirects=False)
    assert saved.status == 303
    assert (await MessageTemplate.get(language="es")).body == body

    page = await (await client.get(LIST)).text()  # the school's language from now on
    coverage = page.split('id="tpl-coverage"', 1)[1].split("</tr>", 1)[0]
    total = re.search(r'<td data-language="fr">(\d+) sur (\d+)</td>', coverage)
    assert total is not None
    assert f'<td data-language="es">1 sur {total.group(2)}</td>' in coverage
    assert f'<td data-language="en">{total.group(1)} sur {total.group(2)}</td>' in coverage
    assert '<option value="es">' not in page  # no longer to add
    cell = page.split('data-template="absence/sms/es"', 1)[1].split("</a>", 1)[0]
    assert "Personnalisé" in cell


async def test_a_language_outside_the_list_is_neither_shown_nor_edited(
    schools: dict[str, School], client: Client
) -> None:
    await log_in(client, "cpe")
    page = await (await client.get(LIST + "?language=xx")).text()
    assert 'data-language="xx"' not in page
    assert (await client.get(f"{LIST}/absence/sms/xx")).status == 404
