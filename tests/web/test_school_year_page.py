"""Paramètres › Année scolaire over real HTTP: the admin sees what starting the next year will
do, confirms it, and sets how many years are kept; the imports page sends an export of next
year there; the settings API reads and changes the retention."""

from __future__ import annotations

import html
import re

import pytest
from aiohttp import FormData

from core.models import AuditEntry, Division, School, SchoolYear
from tests.core.siecle.support import SMALL
from tests.web.conftest import Api
from tests.web.settings_support import (
    UAI_A,
    UAI_B,
    Client,
    csrf_of,
    log_in,
    post,
    settings,
    two_schools,
)

NEXT_YEAR = {  # school B's small export, as SIECLE gives it for 2026-27
    path.name: path.read_bytes().replace(b"<ANNEE_SCOLAIRE>2025<", b"<ANNEE_SCOLAIRE>2026<")
    for path in sorted(SMALL.glob("*.xml"))
}


@pytest.fixture
async def admin(db: str, app_client: Client) -> dict[str, School]:
    schools = await two_schools()
    for code in ("5A", "5B"):
        await Division.create(school=schools[UAI_A], code=code)
    assert (await log_in(app_client, "admin")).status == 303
    return schools


def said(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


async def test_the_admin_starts_the_next_year_after_a_confirmation(
    admin: dict[str, School], app_client: Client
) -> None:
    card = said(await (await app_client.get(settings("/year"))).text())
    assert "Année en cours : 2025-2026, du 1 septembre 2025 au 4 juillet 2026." in card
    assert "Commencer l'année 2026-2027…" in card
    confirm = await app_client.get(settings("/year/start"))
    assert confirm.status == 200
    page = said(await confirm.text())
    assert (
        "L'année 2026-2027 devient l'année en cours (du 1 septembre 2026 au 4 juillet 2027)" in page
    )
    assert re.search(r"Classes rendues inactives</dt><dd>2</dd>", page.replace(" <", "<"))
    assert await Division.filter(active=True).count() == 2  # shown, not done
    stale = await post(app_client, settings("/year/start"), {"year": "2027"})
    assert stale.status == 400 and "plus à jour" in said(await stale.text())
    done = await post(app_client, settings("/year/start"), {"year": "2026"})
    assert (done.status, done.headers["Location"]) == (303, settings("/year"))
    card = said(await (await app_client.get(settings("/year"))).text())
    assert "La nouvelle année a commencé" in card and "Année en cours : 2026-2027" in card
    assert "Les années jusqu'à 2025-2026 sont closes" in card
    current = await SchoolYear.get(school__uai=UAI_A, current=True)
    assert current.start_year == 2026 and not await Division.filter(active=True).exists()
    assert await AuditEntry.filter(action="year.start").count() == 1
    again = await post(app_client, settings("/year/start"), {"year": "2026"})
    assert again.status == 400  # the page was for 2026, which has started


async def test_the_admin_sets_how_many_years_are_kept(
    admin: dict[str, School], app_client: Client
) -> None:
    bad = await post(app_client, settings("/year"), {"retention_years": "11"})
    assert bad.status == 400 and "Nombre attendu entre 1 et 10." in said(await bad.text())
    assert (await post(app_client, settings("/year"), {"retention_years": "5"})).status == 303
    assert (await School.get(uai=UAI_A)).retention_years == 5
    card = said(await (await app_client.get(settings("/year"))).text())
    assert 'value="5"' in card and "avant 2021-2022" in card
    row = await AuditEntry.get(action="school.settings")
    assert (row.before, row.after) == ({"retention_years": 3}, {"retention_years": 5})


async def test_an_export_of_next_year_says_to_start_it_first(
    admin: dict[str, School], app_client: Client
) -> None:
    assert (await log_in(app_client, "admin_b")).status == 303
    imports = f"/s/{UAI_B}/imports"
    form = FormData()
    form.add_field("csrf", await csrf_of(app_client, imports))
    for name, data in NEXT_YEAR.items():
        form.add_field("files", data, filename=name, content_type="text/xml")
    refused = await app_client.post(imports, data=form, allow_redirects=False)
    assert refused.status == 422
    page = said(await refused.text())
    assert (
        "Cet export est de l'année 2026-2027 : commencez d'abord la nouvelle année "
        "(Paramètres › Année scolaire)." in page
    )
    assert f'href="/s/{UAI_B}/settings/year/start">Commencer la nouvelle année' in page


async def test_the_settings_api_reads_and_bounds_the_retention(api: Api) -> None:
    path = f"/schools/{UAI_A}/settings"
    assert (await api.call("GET", path))[1]["retention_years"] == 3
    status, body = await api.call("PATCH", path, as_="admin", json={"retention_years": 0})
    assert (status, body["error"]["code"]) == (422, "invalid")
    status, body = await api.call("PATCH", path, as_="admin", json={"retention_years": 10})
    assert (status, body["retention_years"]) == (200, 10)
