"""The statistics' printable reports over HTTP on Collège Jean Moulin (its SIECLE export) with
two weeks of absences and lateness (tests/core/services/stats_support.py): the conseil de
classe's report of 5A and the conseil d'administration's of the year, read back from their PDF;
the links on the page, who may not, a refused filter, and the audit rows of the downloads."""

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

from core.models import AuditEntry, Student
from tests.core.services.stats_support import UAI, World
from tests.web.personas import log_in_as, panel_client
from tests.web.stats_support import STAFF, serve_stats, stats_school

Client = TestClient[Any, Any]
PAGE = f"/s/{UAI}/stats"
FIVE_A = "?period=range&from=2026-11-16&to=2026-11-29&scope=division:5A"
REPORT = f"{PAGE}/report.pdf"
YEAR = f"{PAGE}/year-report.pdf?year=2026"


@pytest.fixture
async def world(db: str) -> World:
    return await stats_school()


@pytest.fixture
async def client(world: World, tmp_path: Path) -> AsyncIterator[Client]:
    async for app in serve_stats(tmp_path, mailroom=True):
        async with panel_client(app) as test_client:
            yield test_client


async def pdf_text(client: Client, path: str, name: str) -> str:
    response = await client.get(path)
    assert response.status == 200, (path, response.status, await response.text())
    assert response.content_type == "application/pdf"
    assert name in response.headers["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(await response.read()))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


async def test_the_conseil_de_classe_report_of_5a(client: Client, world: World) -> None:
    await log_in_as(client, STAFF["cpe"])
    page = html.unescape(await (await client.get(PAGE + FIVE_A + "&lang=fr")).text())
    assert f'href="{REPORT}{FIVE_A}&lang=fr" id="stats-report">' in page
    assert "Rapport pour le conseil de classe (PDF)" in page
    assert f'href="{YEAR}" id="stats-year-report">' in page
    assert "Rapport annuel pour le conseil d'administration (PDF)" in page
    school = html.unescape(await (await client.get(PAGE + "?lang=fr")).text())
    assert f'href="{YEAR}" id="stats-year-report">' in school  # the school: no division's
    assert "/stats/report.pdf" not in school and "conseil de classe" not in school

    text = await pdf_text(client, REPORT + FIVE_A, "conseil-de-classe-5A-0751234X-20261116")
    assert "Rapport pour le conseil de classe — 5A" in text
    assert "Du 16/11/2026 au 29/11/2026" in text
    assert "COLLEGE JEAN MOULIN (0751234X) VILLE-SUR-SEINE" in text  # the letterhead
    assert "Demi-journées d'absence 13" in text  # 3 + 1 + 9, the key figures
    assert "Retards 2" in text and "Minutes de retard 15" in text
    assert f"{world.ana.display_name} 3 2 0 0 " in text
    assert f"{world.ben.display_name} 1 1 2 15 " in text  # 10 + 5 minutes late
    assert f"{world.cleo.display_name} 9 9 0 0 " in text
    assert world.dan.display_name not in text  # of 6A
    five_a = await Student.filter(division__code="5A").order_by("last_name", "first_name")
    assert len(five_a) == 25 and all(s.display_name in text for s in five_a)
    names = [s.display_name for s in sorted(five_a, key=lambda s: s.display_name)]
    assert [text.index(n) for n in names] == sorted(text.index(n) for n in names)  # by name
    assert "Sans motif 3 12 11 Convenance personnelle 1 1 1" in text  # by reason
    assert "Par jour et demi-journée" in text and "Semaine par semaine" in text
    assert "novembre 2026 25 1 4,0 % Moyenne — — 1,3 %" in text  # 5A's DEPP months

    entry = await AuditEntry.get(action="stats.report")
    assert entry.after is not None
    assert entry.after["report"] == "division" and entry.after["division"] == "5A"
    assert entry.after["students"] == 25


async def test_the_conseil_d_administration_report_names_no_student(
    client: Client, world: World
) -> None:
    await log_in_as(client, STAFF["direction"])
    text = await pdf_text(client, YEAR, "conseil-administration-2026-0751234X")
    assert "Rapport annuel pour le conseil d'administration — année 2026-2027" in text
    assert "Du 01/09/2026 au 30/11/2026" in text
    assert "Élèves 415 Demi-journées d'absence 15 dont non justifiées 14" in text
    assert "Retards 2 Minutes de retard 15" in text
    assert "Classes" in text and "5A 25 14 13 0,56 1,3 % 6A 26 1 1 0,04 0,0 %" in text  # ranked
    assert "Sans motif 4 14 13 Convenance personnelle 1 1 1" in text
    assert "novembre 2026 415 1 0,2 % Moyenne — — 0,1 %" in text  # the DEPP's months
    legal = text[text.index("Suivi légal de l'absentéisme") :]
    # cleo, 10 half-days by Monday 30 at noon: the threshold and the persistent one
    assert "septembre 2026 0 0 octobre 2026 0 0 novembre 2026 1 1" in legal
    students = await Student.filter(school=world.school)
    assert not [s.display_name for s in students if s.display_name in text]
    assert not [s.last_name for s in students if len(s.last_name) > 3 and s.last_name in text]
    entry = await AuditEntry.get(action="stats.report")
    assert entry.after is not None and entry.after["report"] == "year"
    assert entry.after["year"] == 2026


@pytest.mark.parametrize("persona", ["vie_scolaire", "teacher"])
async def test_who_may_not(client: Client, persona: str) -> None:
    await log_in_as(client, STAFF[persona])
    for path in (REPORT + FIVE_A, YEAR):
        assert (await client.get(path)).status == 403, path
    assert not await AuditEntry.filter(action="stats.report").exists()


async def test_a_refused_filter_gets_the_page_and_its_sentence(client: Client) -> None:
    await log_in_as(client, STAFF["direction"])
    refused = {
        REPORT + "?period=range&from=2026-11-16&to=2026-11-29&lang=fr": (
            "Le rapport pour le conseil de classe porte sur une classe : choisissez-la."
        ),
        REPORT + "?scope=division:9Z&lang=fr": "Cette classe n'existe pas dans l'établissement.",
        REPORT + "?period=term-999999&scope=division:5A&lang=fr": (
            "Cette période n'existe pas dans l'établissement."
        ),
        f"{PAGE}/year-report.pdf?year=abc&lang=fr": "Cette période n'est pas proposée.",
    }
    for path, sentence in refused.items():
        response = await client.get(path)
        assert response.status == 400, path
        assert response.content_type == "text/html"
        assert sentence in html.unescape(await response.text()), path
    assert not await AuditEntry.filter(action="stats.report").exists()
