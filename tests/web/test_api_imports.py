"""POST /api/v1/schools/{uai}/imports/siecle: multipart files in, the import's summary out.

School A of the personas is the sample's school (0751234X, school year 2025-26): its four
students made by the fixtures are not in the files, so the import makes the active ones leave.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from core.models import AuditEntry, Student
from core.settings import load_settings
from tests.web.conftest import UAI_A, UAI_B, Api
from tests.web.personas import panel_client
from web.api import imports
from web.app import create_app
from workers.runtime import start_runtime

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "siecle" / "college-jean-moulin"
URL = f"/schools/{UAI_A}/imports/siecle"


def sample_form(**fields: str) -> FormData:
    form = FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for path in sorted(SAMPLE.glob("*.xml")):
        form.add_field("files", path.read_bytes(), filename=path.name, content_type="text/xml")
    return form


def one_file(name: str, data: bytes) -> FormData:
    form = FormData()
    form.add_field("files", data, filename=name, content_type="text/xml")
    return form


async def test_an_admin_imports_the_sample_and_gets_the_summary(api: Api) -> None:
    status, body = await api.call("POST", URL, as_="admin", data=sample_form())
    assert status == 200, body
    assert body["uai"] == UAI_A and not body["dry_run"] and not body["school_created"]
    assert body["counts"]["students"] == {
        "created": 418,
        "updated": 0,
        "unchanged": 0,
        "removed": 3,
    }
    assert body["counts"]["persons"]["created"] == 831
    assert len(body["arrived"]) == 418
    assert {n["siecle_id"] for n in body["left"]} == {"1001", "1002", "1003"}
    assert [n["siecle_id"] for n in body["unassigned"]] == ["1202436", "1203528", "1204057"]
    assert body["exported_on"] == "2025-09-22"
    assert await Student.filter(school__uai=UAI_A, active=True).count() == 418
    entry = await AuditEntry.filter(action="siecle.import").order_by("-id").first()
    assert entry is not None and "admin@a.example.org" in entry.actor_label

    status, again = await api.call("POST", URL, as_="admin", data=sample_form())
    assert status == 200 and again["changes"] == 0


@pytest.mark.parametrize("how", ["query", "form"])
async def test_a_dry_run_changes_nothing(api: Api, how: str) -> None:
    before = await Student.filter(school__uai=UAI_A).count()
    audit = await AuditEntry.all().count()
    if how == "query":
        status, body = await api.call(
            "POST", URL + "?dry_run=true", as_="admin", data=sample_form()
        )
    else:
        status, body = await api.call("POST", URL, as_="admin", data=sample_form(dry_run="true"))
    assert status == 200 and body["dry_run"]
    assert body["counts"]["students"]["created"] == 418
    assert await Student.filter(school__uai=UAI_A).count() == before
    assert await AuditEntry.all().count() == audit


async def test_only_an_admin_of_the_school_may_import(api: Api) -> None:
    status, body = await api.call("POST", URL, as_="cpe", data=sample_form())
    assert status == 403 and body["error"]["code"] == "forbidden"
    other = f"/schools/{UAI_B}/imports/siecle"
    status, body = await api.call("POST", other, as_="admin", data=sample_form())
    assert status == 403 and UAI_B in body["error"]["message"]
    status, _ = await api.call("POST", URL, as_=None, data=sample_form())
    assert status == 401
    assert await Student.filter(school__uai=UAI_A).count() == 4


async def test_a_refused_file_is_a_422_with_one_line_and_nothing_changes(api: Api) -> None:
    students = (SAMPLE / "ElevesSansAdresses.xml").read_bytes()
    refusals = {
        "truncated": one_file("ElevesSansAdresses.xml", students[:5000]),
        "dtd": one_file(
            "ElevesSansAdresses.xml",
            students.replace(b"?>", b"?>\n<!DOCTYPE BEE_ELEVES [<!ENTITY a 'b'>]>", 1),
        ),
        "other school": one_file(
            "ElevesSansAdresses.xml", students.replace(b"<UAJ>0751234X<", b"<UAJ>0759999Z<")
        ),
        "no file": FormData({"dry_run": "true"}, default_to_multipart=True),
        "not a file": FormData({"files": "x.xml"}, default_to_multipart=True),
    }
    for case, form in refusals.items():
        status, body = await api.call("POST", URL, as_="admin", data=form)
        assert status == 422, (case, body)
        codes = {
            "other school": "siecle_other_school",
            "not a file": "invalid",
            "no file": "invalid",
        }
        assert body["error"]["code"] == codes.get(case, "siecle"), (case, body)
        assert "\n" not in body["error"]["message"], case
    assert await Student.filter(school__uai=UAI_A).count() == 4


async def test_a_body_that_is_not_multipart_is_a_415(api: Api) -> None:
    status, body = await api.call("POST", URL, as_="admin", json={"files": []})
    assert status == 415 and body["error"]["code"] == "unsupported_media_type"


@pytest.fixture
async def small_limit_client(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient[Any, Any]]:
    """The app again, with an upload limit of 100 kB on the import route."""
    monkeypatch.setattr(imports, "ROUTES", [replace(imports.ROUTES[0], upload_limit=100_000)])
    runtime = await start_runtime(load_settings(var_dir=tmp_path / "small"), sweep=False)
    app = create_app(runtime.ctx["settings"], runtime.queue)
    try:
        async with panel_client(app) as client:
            yield client
    finally:
        await runtime.close()


async def test_an_upload_over_the_limit_is_a_413(
    api: Api, small_limit_client: TestClient[Any, Any]
) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['admin']}"}
    response = await small_limit_client.post("/api/v1" + URL, data=sample_form(), headers=headers)
    assert response.status == 413
    body = await response.json()
    assert body["error"]["code"] == "too_large" and "97.7 kB" in body["error"]["message"]
    assert await Student.filter(school__uai=UAI_A).count() == 4


async def test_the_openapi_document_describes_the_multipart_upload(api: Api) -> None:
    status, document = await api.call("GET", "/openapi.json", as_=None)
    assert status == 200
    post = document["paths"]["/schools/{uai}/imports/siecle"]["post"]
    assert post["x-permission"] == "import"
    schema_ref = post["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    form = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert form["properties"]["files"]["items"] == {
        **form["properties"]["files"]["items"],
        "type": "string",
        "format": "binary",
    }
    assert form["required"] == ["files"]
    assert {"200", "401", "403", "413", "415", "422"} <= set(post["responses"])
    assert {p["name"] for p in post["parameters"]} == {"uai", "dry_run", "force_year"}
