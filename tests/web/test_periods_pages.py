"""Paramètres › Périodes over real HTTP: the admin has trimesters proposed, corrects and saves
them, is told in French why a list is refused; the CPE downloads a period's SIECLE absences
file from the follow-up page (audited); a teacher sees no such link."""

from __future__ import annotations

import html
import re

import pytest
from defusedxml import ElementTree

from core.models import AuditEntry, Period, School
from tests.web.settings_support import UAI_A, Client, log_in, post, settings, two_schools


@pytest.fixture
async def schools(db: str, app_client: Client) -> dict[str, School]:
    return await two_schools()


def said(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def value(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    assert found is not None, name
    return html.unescape(found.group(1))


ROWS = {
    "name-0": "Trimestre 1",
    "start-0": "2025-09-01",
    "end-0": "2025-11-30",
    "name-1": "Trimestre 2",
    "start-1": "2025-12-01",
    "end-1": "2026-03-13",
    "name-2": "Trimestre 3",
    "start-2": "2026-03-14",
    "end-2": "2026-07-04",
}


async def test_the_admin_has_trimesters_proposed_then_saves_corrected_dates(
    schools: dict[str, School], app_client: Client
) -> None:
    assert (await log_in(app_client, "admin")).status == 303
    empty = said(await (await app_client.get(settings("/periods"))).text())
    assert "Périodes de l'année 2025-2026" in empty and "Aucune période" in empty
    proposed = await (await app_client.get(settings("/periods?propose=trimesters"))).text()
    assert "Proposition à vérifier" in said(proposed)
    assert [value(proposed, f"{n}-0") for n in ("name", "start", "end")] == [
        "1er trimestre",
        "2025-09-01",
        "2025-12-11",
    ]
    assert value(proposed, "end-2") == "2026-07-04"
    assert not await Period.exists()  # a proposal saves nothing

    done = await post(app_client, settings("/periods"), ROWS)
    assert (done.status, done.headers["Location"]) == (303, settings("/periods"))
    page = said(await (await app_client.get(settings("/periods"))).text())
    assert "Modifications enregistrées." in page and "13/03/2026" in page
    stored = await Period.all().order_by("starts_on")
    assert [p.name for p in stored] == ["Trimestre 1", "Trimestre 2", "Trimestre 3"]
    assert f"/s/{UAI_A}/periods/{stored[0].id}/siecle-absences.xml" in page
    assert await AuditEntry.filter(action="period.set").count() == 1


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"start-1": "2025-11-30"}, "La période « Trimestre 2 » chevauche « Trimestre 1 »."),
        (
            {"end-2": "2026-07-10"},
            "La période « Trimestre 3 » doit tenir dans l'année scolaire, du 01/09/2025 au "
            "04/07/2026.",
        ),
        ({"name-1": ""}, "Ligne 2 : donnez un nom, une date de début et une date de fin."),
        ({"end-0": "30/11/2025"}, "Date attendue (AAAA-MM-JJ)."),
        ({"name-2": "trimestre 1"}, "Deux périodes s'appellent « trimestre 1 »."),
    ],
)
async def test_a_refused_list_is_said_in_french_and_changes_nothing(
    schools: dict[str, School], app_client: Client, change: dict[str, str], sentence: str
) -> None:
    assert (await log_in(app_client, "admin")).status == 303
    refused = await post(app_client, settings("/periods"), {**ROWS, **change})
    assert refused.status == 400
    page = said(await refused.text())
    assert sentence in page and "Traceback" not in page
    assert not await Period.exists() and not await AuditEntry.exists(action="period.set")


async def test_the_cpe_downloads_a_period_from_the_follow_up_page(
    schools: dict[str, School], app_client: Client
) -> None:
    assert (await log_in(app_client, "admin")).status == 303
    assert (await post(app_client, settings("/periods"), ROWS)).status == 303
    first = await Period.all().order_by("starts_on").first()
    assert first is not None
    link = f"/s/{UAI_A}/periods/{first.id}/siecle-absences.xml"
    app_client.session.cookie_jar.clear()
    assert (await log_in(app_client, "cpe")).status == 303
    follow_up = said(await (await app_client.get(f"/s/{UAI_A}/follow-up")).text())
    assert "Absences pour les bulletins (SIECLE)" in follow_up and link in follow_up
    assert (await app_client.get(settings("/periods"))).status == 403  # settings: admins only
    download = await app_client.get(link)
    assert download.status == 200 and download.content_type == "application/xml"
    assert "attachment" in download.headers["Content-Disposition"]
    assert ElementTree.fromstring(await download.read()).tag == "exportAbsence"
    assert await AuditEntry.filter(action="period.export_siecle").count() == 1
    app_client.session.cookie_jar.clear()
    assert (await log_in(app_client, "teacher")).status == 303
    page = said(await (await app_client.get(f"/s/{UAI_A}/follow-up")).text())
    assert link not in page and "SIECLE" not in page
    assert (await app_client.get(link)).status == 403
