"""The statistics page over HTTP on Collège Jean Moulin (its SIECLE export) with two weeks of
absences and lateness (tests/core/services/stats_support.py): the figures the direction and the
CPE read, who may not, each refused filter's sentence, and the CSV and XLSX exports."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiohttp.test_utils import TestClient

from core.models import Division, DivisionSet, Student, TeachingGroup
from tests.core.services.stats_support import UAI, World
from tests.web.personas import log_in_as, panel_client
from tests.web.stats_support import STAFF, serve_stats, stats_school

Client = TestClient[Any, Any]
PAGE = f"/s/{UAI}/stats"
FIVE_A = "?period=range&from=2026-11-16&to=2026-11-29&scope=division:5A&lang=fr"


@pytest.fixture
async def world(db: str) -> World:
    return await stats_school()


@pytest.fixture
async def client(world: World, tmp_path: Path) -> AsyncIterator[Client]:
    async for app in serve_stats(tmp_path):
        async with panel_client(app) as test_client:
            yield test_client


def text(page: str) -> str:
    """The page's words as shown: tags out, spaces folded."""
    shown = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"[ \t\r\n]+", " ", shown).strip()  # a narrow no-break space stays


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return text(page[start : page.index("</table>", start)])


@pytest.mark.parametrize("role", ["direction", "cpe"])
async def test_the_direction_and_the_cpe_read_the_figures_of_a_division(
    client: Client, role: str
) -> None:
    await log_in_as(client, STAFF[role])
    response = await client.get(PAGE + FIVE_A)
    assert response.status == 200
    page = await response.text()
    figures = text(page[page.index('id="stats-figures"') : page.index("</dl>")])
    # ana 2 + 1, ben 1, cleo 9 (raw count, the school's default); 12 of them unjustified.
    assert "Élèves 25" in figures
    assert "Demi-journées d'absence 13" in figures and "dont non justifiées 12" in figures
    lost = 32_400 + 7_200 + 14_400 + 4 * 32_400 + 14_400
    share = f"{100 * lost / (25 * 2 * (4 * 32_400 + 14_400)):.1f}".replace(".", ",")
    assert f"Part du temps de cours manqué {share}\u202f%" in figures
    assert "Indicateur DEPP (moyenne septembre–avril) 1,3\u202f%" in figures  # (1/25) / 3
    assert "5A 25 13 12 0,52 4,0\u202f%" in section(page, "stats-divisions")
    reasons = section(page, "stats-reasons")
    assert "Sans motif 3 12 11" in reasons and "Convenance personnelle 1 1 1" in reasons
    assert "Lundi Matin 2 2 4,0\u202f%" in section(page, "stats-slots")
    weeks = section(page, "stats-weeks")
    assert "47 16/11/2026 4 —" in weeks and "48 23/11/2026 9 —" in weeks  # no one last year
    depp = section(page, "stats-depp")
    assert "novembre 2026 25 1 4,0\u202f%" in depp and "Moyenne — — 1,3\u202f%" in depp
    for chart in ("divisions", "reasons", "slots", "weeks", "depp"):
        svg = page[
            page.index(f'id="chart-{chart}"') : page.index(
                "</svg>", page.index(f'id="chart-{chart}"')
            )
        ]
        assert "<title" in svg and "<desc" in svg and "style=" not in svg
    assert f'href="/s/{UAI}/stats"' in page  # the menu's link


async def test_lateness_of_the_school(client: Client) -> None:
    await log_in_as(client, STAFF["cpe"])
    response = await client.get(PAGE + "?period=2026-11&kind=lateness&lang=fr")
    assert response.status == 200
    page = await response.text()
    figures = text(page[page.index('id="stats-figures"') : page.index("</dl>")])
    assert "Retards 2" in figures and "Minutes de retard 15" in figures
    assert "Difficulté accidentelle de transport 1 10" in section(page, "stats-reasons")


@pytest.mark.parametrize("role", ["teacher", "vie_scolaire"])
async def test_a_teacher_and_the_vie_scolaire_may_not(client: Client, role: str) -> None:
    await log_in_as(client, STAFF[role])
    for path in (PAGE, PAGE + ".csv", PAGE + ".xlsx"):
        assert (await client.get(path)).status == 403
    home = await (await client.get(f"/?school={UAI}")).text()
    assert f'href="/s/{UAI}/stats"' not in home


BAD = [
    ("?period=range&from=2026-11-16", "indiquez la date de début et la date de fin"),
    ("?period=range&from=2026-11-16&to=2026-11-01", "antérieure à sa date de début"),
    ("?period=range&from=2025-01-01&to=2026-11-01", "trop longue"),
    ("?period=range&from=2026-13-01&to=2026-11-01", "Date invalide"),
    ("?period=year-abc", "Cette période n'est pas proposée."),
    ("?scope=class:5A", "Choisissez l'établissement, une classe"),
    ("?scope=division:9Z", "Cette classe n'existe pas"),
    ("?scope=set:999999", "Ce groupe de classes n'existe pas"),
    ("?scope=level:nope", "Ce niveau n'existe pas"),
    ("?scope=group:NOPE", "Ce groupe d'élèves n'existe pas"),
    ("?scope=student:999999", "Cet élève n'est pas de l'établissement."),
    ("?kind=other", "Choisissez les absences ou les retards."),
    ("?period=2026-13", "Mois invalide"),
    ("?period=term-999999", "Cette période n'existe pas dans l'établissement."),
]


async def test_each_refused_filter_says_why(client: Client) -> None:
    await log_in_as(client, STAFF["cpe"])
    for query, sentence in BAD:
        for path in (PAGE, PAGE + ".csv"):
            response = await client.get(path + query + "&lang=fr")
            assert response.status == 400, (query, response.status)
            page = await response.text()
            said = text(
                page[
                    page.index('id="stats-error"') : page.index(
                        "</p>", page.index('id="stats-error"')
                    )
                ]
            )
            assert sentence in said, (query, said)


async def test_a_group_of_divisions_and_another_school(client: Client, world: World) -> None:
    group = await DivisionSet.create(school=world.school, name="Cinquièmes")
    await group.divisions.add(await Division.get(school=world.school, code="5A"))
    await log_in_as(client, STAFF["direction"])
    page = await (await client.get(PAGE + f"?period=2026-11&scope=set:{group.id}&lang=fr")).text()
    assert "Cinquièmes" in page and "5A 25 14 13" in section(
        page, "stats-divisions"
    )  # and Monday 30
    assert (await client.get("/s/0759999Z/stats")).status == 404


async def test_a_teaching_group_counts_its_own_students(client: Client, world: World) -> None:
    """A teaching group (SIECLE's GROUPE) of the pupils of 5A, made by hand, shows 5A's
    figures: its students are found by membership, not by division."""
    five_a = await Division.get(school=world.school, code="5A")
    group = await TeachingGroup.create(school=world.school, code="LAT5", label="Latin 5e")
    for student in await Student.filter(division=five_a):
        await student.groups.add(group)
    await log_in_as(client, STAFF["cpe"])
    home = await (await client.get(PAGE + "?lang=fr")).text()
    assert 'value="group:LAT5"' in home and "Latin 5e" in home
    by_group = await (await client.get(PAGE + FIVE_A.replace("division:5A", "group:LAT5"))).text()
    by_division = await (await client.get(PAGE + FIVE_A)).text()
    assert "Latin 5e" in by_group
    figures = [section(page, "stats-divisions") for page in (by_group, by_division)]
    assert figures[0] == figures[1] and "5A" in figures[0]
    key = [
        text(page[page.index('id="stats-figures"') : page.index("</dl>")])
        for page in (by_group, by_division)
    ]
    assert key[0] == key[1] and "Demi-journées d'absence 13" in key[0]
    depp = [section(page, "stats-depp") for page in (by_group, by_division)]
    assert depp[0] == depp[1]


async def test_the_csv_and_the_xlsx_hold_the_figures(client: Client) -> None:
    await log_in_as(client, STAFF["direction"])
    response = await client.get(PAGE + ".csv" + FIVE_A)
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert ["Demi-journées d'absence", "13"] in lines
    assert ["5A", "25", "13", "12", "0,52", "4"] in lines
    assert ["Convenance personnelle", "1", "1", "1"] in lines
    assert ["novembre 2026", "25", "1", "4"] in lines
    assert ["Classes"] in lines and "Indicateur DEPP (%)" in lines[lines.index(["Classes"]) + 1]

    response = await client.get(PAGE + ".xlsx" + FIVE_A)
    assert response.status == 200
    book = openpyxl.load_workbook(io.BytesIO(await response.read()))
    assert book.sheetnames == [
        "Chiffres clés",
        "Classes",
        "Par motif",
        "Par jour et demi-journée",
        "Semaine par semaine",
        "Indicateur mensuel de la DEPP",
    ]
    divisions = list(book["Classes"].iter_rows(values_only=True))
    assert divisions[1] == ("5A", 25, 13, 12, 0.52, 0.04)
    assert book["Classes"]["F2"].number_format == "0.0%"
