"""The SIECLE import pages over real HTTP: upload → preview → apply → progress → summary.

School A of the personas is the sample's school (0751234X, school year 2025-26).
"""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from core.models import AuditEntry, Student
from core.services.audit import Actor
from core.services.schools.users import add_user
from tests.conftest import mode_of
from tests.web.conftest import PERSONAS, UAI_A, UAI_B, Api

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "siecle" / "college-jean-moulin"
PASSWORD = "a long enough password"
PAGE = f"/s/{UAI_A}/imports"


async def log_in(client: TestClient[Any, Any], email: str) -> None:
    page = await (await client.get("/login")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    form = {"csrf": token.group(1), "email": email, "password": PASSWORD}
    response = await client.post("/login", data=form, allow_redirects=False)
    assert response.status == 303


async def csrf_of(client: TestClient[Any, Any], path: str = PAGE) -> str:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    found = re.search(r'name="csrf" value="([^"]+)"', await response.text())
    assert found is not None
    return found.group(1)


def upload_form(csrf: str | None, files: dict[str, bytes] | None = None) -> FormData:
    form = FormData()
    if csrf is not None:
        form.add_field("csrf", csrf)
    if files is None:
        files = {p.name: p.read_bytes() for p in sorted(SAMPLE.glob("*.xml"))}
    for name, data in files.items():
        form.add_field("files", data, filename=name, content_type="text/xml")
    return form


async def students() -> int:
    return await Student.filter(school__uai=UAI_A, active=True).count()


async def upload(client: TestClient[Any, Any]) -> str:
    """Upload the sample as the logged-in admin; the preview's URL."""
    token = await csrf_of(client)
    response = await client.post(PAGE, data=upload_form(token), allow_redirects=False)
    assert response.status == 303, await response.text()
    location = response.headers["Location"]
    assert re.fullmatch(rf"{PAGE}/[0-9a-f]{{16}}", location)
    return location


async def wait_until_done(client: TestClient[Any, Any], job: str) -> list[dict[str, Any]]:
    seen = []
    for _ in range(300):
        response = await client.get(job + "/progress")
        assert response.status == 200
        seen.append(await response.json())
        if seen[-1]["state"] != "running":
            return seen
        await asyncio.sleep(0.1)
    raise AssertionError(f"the import did not finish: {seen[-1]}")


async def test_upload_preview_apply_progress_and_summary(api: Api, tmp_path: Path) -> None:
    client = api.client
    await log_in(client, PERSONAS["admin"][0])
    job = await upload(client)

    preview = await client.get(job)
    text = await preview.text()
    assert preview.status == 200
    assert "Changements à appliquer" in text and "Appliquer l&#39;import" in text
    assert re.search(r'data-kind="students">.*?<td>418</td>', text, re.S)
    assert "LEROY Manon" in text  # without a class
    assert "Lignes modifiées : <strong" in text
    assert await students() == 3  # a preview changes nothing
    files = next((tmp_path / "var" / "imports").iterdir()) / "files"
    assert len(list(files.iterdir())) == 5

    token = await csrf_of(client, job)
    applied = await client.post(job + "/apply", data={"csrf": token})
    page = await applied.text()
    assert applied.status == 200
    assert f'data-progress-url="{job}/progress"' in page and "<progress" in page
    assert '<script src="/static/imports.js"' in page

    states = await wait_until_done(client, job)
    assert states[-1]["state"] == "done" and states[-1]["percent"] == 100
    assert states[-1]["label"] == "Terminé"
    assert await students() == 418
    assert not files.exists()  # the uploaded personal data is gone once applied

    done = await (await client.get(job + "?lang=en")).text()
    assert "Import finished" in done and "Students who left" in done
    assert "Rows changed: <strong" in done and "Rows changed :" not in done  # English colons
    imports = await AuditEntry.filter(action="siecle.import").count()
    again = await client.post(job + "/apply", data={"csrf": token}, allow_redirects=False)
    assert again.status == 303 and again.headers["Location"] == job
    assert await AuditEntry.filter(action="siecle.import").count() == imports


@pytest.mark.usefixtures("lax_umask")
async def test_an_upload_is_kept_readable_by_its_owner_only(api: Api, tmp_path: Path) -> None:
    await log_in(api.client, PERSONAS["admin"][0])
    await upload(api.client)
    imports = tmp_path / "var" / "imports"
    [folder] = imports.iterdir()
    assert {mode_of(p) for p in (imports, folder, folder / "files")} == {0o700}
    assert {mode_of(p) for p in (folder / "files").iterdir()} == {0o600}
    assert mode_of(folder / "meta.json") == mode_of(folder / "preview.json") == 0o600


async def test_the_forms_need_their_csrf_token(api: Api) -> None:
    client = api.client
    await log_in(client, PERSONAS["admin"][0])
    refused = await client.post(PAGE, data=upload_form(None), allow_redirects=False)
    assert refused.status == 403
    refused = await client.post(PAGE, data=upload_form("forged"), allow_redirects=False)
    assert refused.status == 403
    job = await upload(client)
    assert (await client.post(job + "/apply", data={"csrf": "forged"})).status == 403
    assert (await client.post(job + "/apply", data={})).status == 403
    assert await students() == 3
    assert (await (await client.get(job + "/progress")).json())["state"] == "preview"


async def test_a_refused_file_stays_on_the_upload_page(api: Api, tmp_path: Path) -> None:
    client = api.client
    await log_in(client, PERSONAS["admin"][0])
    token = await csrf_of(client)
    data = (SAMPLE / "ElevesSansAdresses.xml").read_bytes()
    broken = {"ElevesSansAdresses.xml": data.replace(b"<UAJ>0751234X<", b"<UAJ>0759999Z<")}
    response = await client.post(PAGE, data=upload_form(token, broken))
    assert response.status == 422
    error = re.search(r'<p class="error" role="alert">([^<]+)</p>', await response.text())
    assert error is not None and "0759999Z" in error.group(1)
    assert "l&#39;établissement 0759999Z, pas de 0751234X" in error.group(1)  # in French
    garbage = await client.post(PAGE, data=upload_form(token, {"notes.xml": b"<html/>"}))
    said = html.unescape(await garbage.text())
    assert garbage.status == 422 and "ne forment pas un export SIECLE lisible" in said
    assert not (tmp_path / "var" / "imports").exists() or not any(
        (tmp_path / "var" / "imports").iterdir()
    )


async def test_only_the_schools_admins_see_the_imports(api: Api) -> None:
    client = api.client
    assert (await client.get(PAGE, allow_redirects=False)).status == 303  # to the login
    await log_in(client, PERSONAS["admin"][0])
    job = await upload(client)
    assert (await client.get(PAGE.replace(UAI_A, UAI_B))).status == 403
    assert (await client.get(f"{PAGE}/0123456789abcdef")).status == 404
    assert (await client.get(f"{PAGE}/not-an-id")).status == 404

    await client.post("/logout", data={"csrf": await csrf_of(client)})
    client.session.cookie_jar.clear()
    await log_in(client, PERSONAS["cpe"][0])
    for path in (PAGE, job, job + "/progress"):
        assert (await client.get(path)).status == 403, path

    await add_user("admin@b.example.org", PASSWORD, api.schools[UAI_B], "admin", Actor.system("t"))
    client.session.cookie_jar.clear()
    await log_in(client, "admin@b.example.org")
    assert (await client.get(f"/s/{UAI_B}/imports")).status == 200
    for path in (PAGE, job, job + "/progress"):
        assert (await client.get(path)).status == 403, path
    other_school_job = job.replace(UAI_A, UAI_B)
    assert (await client.get(other_school_job)).status == 404
    assert (await client.post(other_school_job + "/apply", data={})).status in (403, 404)
    assert await students() == 3
