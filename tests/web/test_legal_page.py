"""The legal follow-up page over HTTP, on Collège Jean Moulin (its SIECLE export): the list of
who crossed the threshold (the day, the letter, the actions), recording an action from it, the
families who did not answer, the report to the DASEN as a PDF and marked sent, the dashboard's
line; who may (direction, CPE, admin) and what a bad request gets."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from aiohttp.test_utils import TestClient

from core.models import Action, AuditEntry
from tests.web.legal_support import STAFF, UAI, Story, october, serve_story
from tests.web.personas import log_in_as, panel_client

Client = TestClient[Any, Any]
PAGE = f"/s/{UAI}/follow-up/legal"


@pytest.fixture
async def story(db: str, tmp_path: Path) -> Story:
    return await october(tmp_path)


@pytest.fixture
async def client(story: Story, tmp_path: Path) -> AsyncIterator[Client]:
    async for app in serve_story(tmp_path):
        async with panel_client(app) as test_client:
            yield test_client


async def text_of(client: Client, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, (path, response.status)
    return html.unescape(await response.text())


def row_of(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return " ".join(page[start : page.index("</tr>", start)].split())  # spaces as shown


async def test_the_cpe_sees_the_day_the_letter_and_the_actions(
    client: Client, story: Story
) -> None:
    await log_in_as(client, STAFF["cpe"])
    page = await text_of(client, PAGE + "?lang=fr")
    assert "Suivi légal de l'absentéisme" in page and "octobre 2026" in page
    row = row_of(page, f"student-{story.pupil.id}-2026-10")
    assert story.pupil.display_name in row
    assert "08/10/2026" in row  # the fourth half-day: Thursday morning
    assert "Seuil de demi-journées atteint" in row
    assert "Courrier ×2 — à imprimer (prêt le 09/10/2026)" in row  # both parents' copies
    assert "09/10/2026 — Entretien avec la famille" in row and "Reçue avec son père" in row
    assert f"student-{story.silent.id}-2026-10" not in page  # one half-day

    silent = row_of(page, f"unanswered-{story.silent.id}")
    assert "06/10/2026" in silent  # the absence and the requests' day
    assert "<li>06/10/2026 — Absence (SMS)</li></ul>" in silent  # to both parents, said once
    assert "1 sans réponse" in silent and "Aucune" in silent

    english = html.unescape(await (await client.get(PAGE + "?lang=en")).text())
    assert "Legal follow-up of absenteeism" in english and "October 2026" in english


async def test_the_dashboard_says_how_many_crossed_this_month(client: Client, story: Story) -> None:
    await log_in_as(client, STAFF["direction"])
    home = await text_of(client, "/?lang=fr")
    assert f'<a href="{PAGE}">1 élève a franchi le seuil légal ce mois-ci</a>' in home
    await log_in_as(client, STAFF["vie_scolaire"])
    home = await text_of(client, "/?lang=fr")
    assert "seuil légal" not in home and "/follow-up/legal" not in home


@pytest.mark.parametrize("persona", ["vie_scolaire", "teacher"])
async def test_the_vie_scolaire_and_a_teacher_may_not(
    client: Client, story: Story, persona: str
) -> None:
    await log_in_as(client, STAFF[persona])
    response = await client.get(PAGE + "?lang=fr")
    assert response.status == 403
    assert "ne donne pas accès à cette page" in html.unescape(await response.text())
    pdf = await client.get(f"/s/{UAI}/students/{story.pupil.id}/dasen-report.pdf")
    assert pdf.status == 403


async def test_the_direction_records_a_commission_educative_from_the_list(
    client: Client, story: Story
) -> None:
    csrf = await log_in_as(client, STAFF["direction"])
    form = {
        "csrf": csrf,
        "student": str(story.pupil.id),
        "type": "COMMISSION_EDUCATIVE",
        "at": "2026-10-12T09:30",
        "comment": "Réunie avec le professeur principal",
    }
    response = await client.post(PAGE + "/actions", data=form, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"{PAGE}#student-{story.pupil.id}"
    page = await text_of(client, PAGE + "?lang=fr")
    assert "Action enregistrée." in page
    row = row_of(page, f"student-{story.pupil.id}-2026-10")
    assert "12/10/2026 — Commission éducative" in row
    action = await Action.get(type__code="COMMISSION_EDUCATIVE").prefetch_related("done_by")
    assert action.student_id == story.pupil.id  # type: ignore[attr-defined]
    assert action.done_by is not None and action.done_by.email == STAFF["direction"]
    assert await AuditEntry.filter(action="action.record").count() == 2  # with the story's


async def test_bad_requests_get_a_french_answer_never_a_500(client: Client, story: Story) -> None:
    csrf = await log_in_as(client, STAFF["cpe"])
    base = {"csrf": csrf, "type": "ENTRETIEN", "at": "2026-10-12T09:30"}
    for student in ("999999", str(story.stranger.id), "abc", ""):
        response = await client.post(PAGE + "/actions", data={**base, "student": student})
        assert response.status == 404, student
        assert "Cette page n'existe pas, ou plus" in html.unescape(await response.text())
    for path in (
        f"/s/{UAI}/students/999999/dasen-report.pdf",
        f"/s/{UAI}/students/{story.stranger.id}/dasen-report.pdf",
    ):
        response = await client.get(path + "?lang=fr")
        assert response.status == 404, path
        assert "Cette page n'existe pas, ou plus" in html.unescape(await response.text())
    stranger = await client.post(
        f"/s/{UAI}/students/{story.stranger.id}/dasen-report/sent", data=base
    )
    assert stranger.status == 404

    pupil = {**base, "student": str(story.pupil.id)}
    wrong = await client.post(PAGE + "/actions", data={**pupil, "type": "APPEL"})  # not legal
    assert wrong.status == 400
    assert "Type de suivi inconnu dans l'établissement." in html.unescape(await wrong.text())
    when = await client.post(PAGE + "/actions", data={**pupil, "at": "12/10/2026"})
    assert when.status == 400 and "Date et heure invalides." in html.unescape(await when.text())
    no_token = await client.post(PAGE + "/actions", data={**pupil, "csrf": "forged"})
    assert no_token.status == 403
    assert await Action.filter(student_id=story.pupil.id).count() == 1  # the story's only


async def test_the_report_to_the_dasen_is_a_pdf_of_the_file_and_marked_sent_an_action(
    client: Client, story: Story
) -> None:
    csrf = await log_in_as(client, STAFF["direction"])
    file = await text_of(client, f"/s/{UAI}/students/{story.pupil.id}?lang=fr")
    assert f"/s/{UAI}/students/{story.pupil.id}/dasen-report.pdf" in file
    response = await client.get(f"/s/{UAI}/students/{story.pupil.id}/dasen-report.pdf")
    assert response.status == 200 and response.content_type == "application/pdf"
    assert "signalement-dasen" in response.headers["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(await response.read()))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Signalement d'absentéisme scolaire" in text
    assert story.pupil.last_name in text and "MARTINEZ Yanis" in text  # a guardian
    assert "octobre 2026 5" in text  # the month's unjustified half-days
    assert "Seuil de demi-journées atteint" in text  # the letter, a request to the family
    assert "Entretien avec la famille" in text and "Reçue avec son père" in text
    assert "Le chef d'établissement" in text or "Signature" in text

    form = {"csrf": csrf, "at": "2026-10-12T11:00", "back": "file"}
    sent = await client.post(
        f"/s/{UAI}/students/{story.pupil.id}/dasen-report/sent", data=form, allow_redirects=False
    )
    assert sent.status == 303
    assert sent.headers["Location"] == f"/s/{UAI}/students/{story.pupil.id}#actions"
    file = await text_of(client, f"/s/{UAI}/students/{story.pupil.id}?lang=fr")
    assert "Signalement au DASEN enregistré." in file
    assert "12/10/2026 11:00" in file and "Signalement au DASEN" in file
    assert await Action.filter(type__code="SIGNALEMENT_DASEN").count() == 1
