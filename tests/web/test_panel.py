"""The panel over real HTTP: login with CSRF, the session cookie, the dashboard, logout."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from core.models import School, Student
from core.rules.counting import EventKind
from core.services.audit import Actor
from core.services.events.record import record_event
from core.services.schools.school import create_school, now_utc
from core.services.schools.users import add_user
from core.settings import load_settings
from tests.web.personas import panel_client
from web.app import create_app
from workers.runtime import start_runtime

PASSWORD = "correct horse battery"


@pytest.fixture
async def school(db: str) -> School:
    return await create_school("0750001A", "Collège Alpha", Actor.system("tests"))


@pytest.fixture
async def client(school: School, tmp_path: Path) -> AsyncIterator[TestClient]:
    await add_user("cpe@alpha.example", PASSWORD, school, "cpe", Actor.system("tests"))
    other = await create_school("0690002B", "Lycée Beta", Actor.system("tests"))
    await add_user("cpe@beta.example", PASSWORD, other, "cpe", Actor.system("tests"))
    runtime = await start_runtime(load_settings(var_dir=tmp_path), sweep=False)
    app = create_app(runtime.ctx["settings"], runtime.queue)
    async with panel_client(app) as test_client:
        yield test_client
    await runtime.close()


async def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = await (await client.get(path)).text()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def log_in(client: TestClient, email: str = "cpe@alpha.example") -> None:
    token = await csrf_of(client)
    response = await client.post(
        "/login",
        data={"csrf": token, "email": email, "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status == 303


async def test_the_dashboard_sends_a_stranger_to_the_login_page(client: TestClient) -> None:
    response = await client.get("/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"


async def test_the_login_page_is_french_first_and_english_on_request(client: TestClient) -> None:
    assert "Se connecter" in await (await client.get("/login")).text()
    assert "Sign in" in await (await client.get("/login?lang=en")).text()


async def test_a_wrong_password_is_refused_without_saying_which_part(client: TestClient) -> None:
    token = await csrf_of(client)
    response = await client.post(
        "/login", data={"csrf": token, "email": "cpe@alpha.example", "password": "nope-nope-no"}
    )
    assert response.status == 401
    assert "Adresse ou mot de passe incorrect" in await response.text()


async def test_a_login_without_the_form_token_is_refused(client: TestClient) -> None:
    response = await client.post(
        "/login", data={"email": "cpe@alpha.example", "password": PASSWORD}
    )
    assert response.status == 400


async def test_a_cpe_logs_in_and_sees_todays_absences(client: TestClient, school: School) -> None:
    student = await Student.create(school=school, last_name="Martin", first_name="Léa")
    now = now_utc()
    await record_event(
        school,
        Actor.system("tests"),
        student_id=student.id,
        kind=EventKind.LATENESS,
        start=now - timedelta(minutes=1),
    )
    await log_in(client)
    page = await (await client.get("/")).text()
    assert "Collège Alpha" in page
    assert "MARTIN Léa" in page
    assert '<strong id="late-count">1</strong>' in page


async def test_the_header_names_the_role_in_words(client: TestClient, school: School) -> None:
    await add_user("prof@alpha.example", PASSWORD, school, "teacher", Actor.system("tests"))
    await add_user("vs@alpha.example", PASSWORD, school, "vie_scolaire", Actor.system("tests"))
    await log_in(client, "prof@alpha.example")
    page = await (await client.get("/?lang=fr")).text()
    assert "<span> · Enseignant</span>" in page, page[page.find("account") :][:400]
    assert "<span> · Teacher</span>" in await (await client.get("/?lang=en")).text()
    await log_in(client, "vs@alpha.example")
    page = await (await client.get("/?lang=fr")).text()
    assert "<span> · Vie scolaire</span>" in page and "vie_scolaire<" not in page


async def test_a_forged_session_cookie_is_ignored(client: TestClient) -> None:
    await log_in(client)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["absences_session"]
    for forged in (cookie.value[:-1] + ("A" if cookie.value[-1] != "A" else "B"), "x" * 43, "1"):
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies(
            {"absences_session": forged}, response_url=client.make_url("/")
        )
        response = await client.get("/", allow_redirects=False)
        assert response.status == 303, forged


async def test_a_user_of_another_school_cannot_open_this_one(client: TestClient) -> None:
    await log_in(client, "cpe@beta.example")
    assert "Lycée Beta" in await (await client.get("/")).text()
    response = await client.get("/?school=0750001A")
    assert response.status == 403
    assert "Collège Alpha" not in await response.text()


async def test_logout_needs_the_form_token_and_ends_the_session(client: TestClient) -> None:
    await log_in(client)
    assert (await client.post("/logout", data={})).status == 400
    token = await csrf_of(client, "/")
    response = await client.post("/logout", data={"csrf": token}, allow_redirects=False)
    assert response.status == 303
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_healthz_reports_the_database_and_the_queue(client: TestClient) -> None:
    body = await (await client.get("/healthz")).json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "queue": "inline",
        "queue_status": "ok",
        "degraded": [],
        "checks": {
            "database": {"state": "ok"},
            "queue": {"state": "ok"},
            "workers": {"state": "ok"},
            "deliveries": {"state": "ok"},
        },
    }


async def test_a_page_that_is_not_there_is_said_in_the_layout_and_the_readers_language(
    client: TestClient,
) -> None:
    await log_in(client)
    html = {"Accept": "text/html,application/xhtml+xml"}
    for path in ("/s/0750001A/students/99999999", "/s/0750001A/nowhere"):
        response = await client.get(path + "?lang=fr", headers=html)
        page = await response.text()
        assert response.status == 404 and "<h1>Page introuvable</h1>" in page, path
        assert "no such" not in page
        english = await (await client.get(path + "?lang=en", headers=html)).text()
        assert "<h1>Page not found</h1>" in english
    tool = await client.get("/s/0750001A/students/99999999?lang=fr")  # any client: never bare text
    assert tool.status == 404 and "<h1>Page introuvable</h1>" in await tool.text()
    script = await client.get(
        "/s/0750001A/students/99999999?lang=fr", headers={"Accept": "application/json"}
    )  # a script: the sentence alone, in JSON
    said = (await script.json())["error"]["message"]
    assert script.status == 404 and said.startswith("Cette page n'existe pas")
