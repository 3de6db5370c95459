"""Bad input to the panel is a 400 page in the layout with a French sentence, never a 500.

The probe's cases one by one (days out of the window, huge offsets and ids, a 5,000-character
filter), the last-resort page of a bug, and a hypothesis property over every panel route: its
query strings and its forms, with allowed and hostile values, answer below 500.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.bounds import MAX_ID
from core.settings import load_settings
from tests.web.conftest import UAI_A, Api
from tests.web.personas import log_in_as
from web.app import create_app
from workers.runtime import start_runtime

BASE = f"/s/{UAI_A}"
LAYOUT = '<html lang="fr">'
HUGE = str(2**63)
JSON = "application/json"


async def admin(api: Api) -> str:
    """Log in as school A's admin; the session's CSRF token."""
    return await log_in_as(api.client, "admin@a.example.org")


def in_the_layout(page: str) -> bool:
    return LAYOUT in page and 'class="top"' in page and "Traceback" not in page


BAD_QUERIES = [
    ("/grid", {"date": "2026-13-45"}, "Date attendue"),
    ("/grid", {"date": "9999-12-31"}, "Date attendue"),
    ("/grid", {"date": "0001-01-01"}, "Date attendue"),
    ("/roll-call", {"date": "9999-12-31"}, "Date attendue"),
    ("/letters", {"day": "0001-01-01"}, "Date attendue"),
    ("/outbox", {"offset": HUGE}, "Nombre entier attendu"),
    ("/deliveries", {"offset": HUGE}, "Nombre entier attendu"),
    ("/letters.pdf", {"id": HUGE}, "identifiant"),
    ("/follow-up", {"student": "x" * 5000}, "Recherche impossible"),
    ("/follow-up", {"student": HUGE}, "Recherche impossible"),
    ("/follow-up", {"from": "9999-12-31"}, "Recherche impossible"),
    ("/follow-up", {"offset": HUGE}, "Recherche impossible"),
    ("/follow-up/export.csv", {"to": "0001-01-01"}, "Cette demande contient une valeur"),
    ("/follow-up", {"student": "a\x00"}, "Cette demande contient une valeur"),
    ("/grid", {"division": "\x00"}, "Cette demande contient une valeur"),
]


async def test_a_bad_query_string_is_a_400_page_in_the_layout(api: Api) -> None:
    await admin(api)
    for path, query, words in BAD_QUERIES:
        response = await api.client.get(BASE + path, params=query)
        page = await response.text()
        assert response.status == 400, (path, query, response.status)
        assert in_the_layout(page) and words in page, (path, query, page[-800:])


async def test_an_id_or_a_school_code_no_row_can_have_is_not_found(api: Api) -> None:
    await admin(api)
    for path in [
        f"{BASE}/students/{HUGE}",
        f"{BASE}/students/{MAX_ID + 1}",
        f"{BASE}/roll-call/{HUGE}",
        f"{BASE}/grid/events/{HUGE}",
        f"/s/{'X' * 5000}/grid",
    ]:
        assert (await api.client.get(path)).status == 404, path


BAD_FORMS = [
    ("/settings/reasons", {"code": "A\x00", "label": "x"}),
    ("/settings/staff", {"email": "x" * 300 + "@example.org", "role": "cpe"}),
    ("/settings/staff", {"email": "new@example.org", "role": "cpe", "display_name": "y" * 5000}),
    *[
        (f"/students/1/{what}", {"at": moment, "type": "x", "place": "ici", "with_whom": "la CPE"})
        for what in ("actions", "convocations")
        for moment in ("0001-01-01T00:00", "9999-12-31T23:59")
    ],
]


async def test_a_bad_form_is_a_400_page_in_the_layout(api: Api) -> None:
    token = await admin(api)
    for path, fields in BAD_FORMS:
        response = await api.client.post(BASE + path, data={**fields, "csrf": token})
        assert response.status == 400, (path, fields, response.status)
        assert in_the_layout(await response.text()), path


NOT_HERE = [
    ("/grid?division=ZZ", "La classe « ZZ » n'existe pas dans cet établissement."),
    ("/grid?group=ZZ", "Le groupe « ZZ » n'existe pas dans cet établissement."),
    ("/roll-call/999?date=2026-03-02", "Ce cours n'existe pas dans cet établissement."),
    ("/students/999", "Cette page n'existe pas, ou plus"),
    ("/templates/absence/sms/xx", "Cette page n'existe pas, ou plus"),
    ("/settings/nowhere", "Cette page n'existe pas, ou plus"),
]


async def test_a_query_naming_what_the_school_lacks_is_a_404_page_in_words(api: Api) -> None:
    await admin(api)
    for path, words in NOT_HERE:
        for accept in ("text/html", "*/*"):  # a browser, or a tool that asks for anything
            response = await api.client.get(BASE + path, headers={"Accept": accept})
            page = html.unescape(await response.text())
            assert response.status == 404, (path, accept, response.status)
            assert in_the_layout(page) and words in page, (path, accept, page[-600:])
    script = await api.client.get(BASE + "/grid?division=ZZ", headers={"Accept": JSON})
    assert script.status == 404 and (await script.json())["error"]["message"] == NOT_HERE[0][1]


async def test_a_refused_form_is_a_page_in_the_layout_never_bare_text(api: Api) -> None:
    token = await admin(api)
    response = await api.client.post(
        BASE + "/letters", data={"csrf": token, "day": "2026-03-02", "action": "burn"}
    )
    page = html.unescape(await response.text())
    assert response.status == 400 and in_the_layout(page) and "Choisissez :" in page
    forged = await api.client.post(BASE + "/letters", data={"csrf": "forged", "day": "x"})
    page = html.unescape(await forged.text())
    assert forged.status == 403 and in_the_layout(page) and "form token" not in page
    assert "Ce formulaire a expiré" in page  # an old tab: reload and try again


async def test_a_login_with_an_email_no_account_can_have_is_refused_like_any_other(
    api: Api,
) -> None:
    api.client.session.cookie_jar.clear()
    page = await (await api.client.get("/login")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    for email in ("x" * 5000, "a\x00@example.org"):
        data = {"csrf": token.group(1), "email": email, "password": "p" * 100}
        response = await api.client.post("/login", data=data)
        assert response.status in {400, 401}, email
        assert in_the_layout(await response.text())


async def test_grid_marks_out_of_bounds_are_refused(api: Api) -> None:
    token = await admin(api)
    headers = {"X-CSRF-Token": token}
    mark = {"student_id": api.sid("marie"), "kind": "absence", "start": "2026-03-02T08:00"}
    out_of_bounds = [
        {"student_id": 2**63},
        {"start": "9999-12-31T23:00+01:00"},
        {"end": "0001-01-01T00:00"},
    ]
    for changes in out_of_bounds:
        response = await api.client.post(
            f"{BASE}/grid/events", json={**mark, **changes}, headers=headers
        )
        body = await response.json()
        assert response.status == 422 and body["error"]["code"] == "invalid", body
    nested = "[" * 100_000 + "]" * 100_000
    response = await api.client.post(
        f"{BASE}/grid/events", data=nested, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status == 400


async def boom(request: web.Request) -> web.Response:
    raise RuntimeError("a bug, with a secret in its message")


async def test_a_bug_is_a_500_page_in_the_layout_without_its_traceback(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = await start_runtime(load_settings(var_dir=tmp_path / "var"), sweep=False)
    app = create_app(runtime.ctx["settings"], runtime.queue)
    app.router.add_get("/s/boom", boom)  # a route of the test's own that fails like a bug would
    try:
        async with TestClient(TestServer(app)) as client:
            with caplog.at_level(logging.ERROR, logger="absences.panel"):
                response = await client.get("/s/boom")
            page = await response.text()
    finally:
        await runtime.close()
    assert response.status == 500
    assert in_the_layout(page) and "Erreur interne" in page
    assert "secret" not in page and "RuntimeError" not in page
    assert any(r.exc_info for r in caplog.records if "/s/boom" in r.getMessage())


# --- the property over every route ------------------------------------------------------------

QUERY_NAMES = [
    "date", "day", "view", "offset", "year", "student", "division", "group", "set", "target",
    "from", "to", "kind", "reason", "state", "col", "cols", "sort", "status", "channel", "id",
    "school", "q", "back", "event",
]  # fmt: skip
FORM_NAMES = [
    *QUERY_NAMES, "code", "label", "colour", "name", "display_name", "email", "role", "generic",
    "legitimate", "half", "holiday_zone", "zone", "timezone", "counting_mode", "start", "end",
    "weekday", "at", "type", "comment", "place", "with_whom", "message", "meeting_at", "body",
    "subject", "action", "value", "note", "confirm", "query", "new", "absent", "late",
]  # fmt: skip
HOSTILE = [
    HUGE, str(-(2**63)), str(MAX_ID + 1), "0", "-1", "2026-13-45", "9999-12-31", "0001-01-01",
    "9999-12-31T23:00", "x" * 5000, "\x00", "é" * 300, "NaN", "1e309", "24:61", "",
]  # fmt: skip
PLAUSIBLE = ["1", "2", "5B", "2026-03-02", "2026-03-02T08:00", "08:00", "absence", "MALADIE"]
values = st.sampled_from(HOSTILE) | st.sampled_from(PLAUSIBLE) | st.text(max_size=20)
# Routes that would end the session or take the admin's rights away mid-run.
SPARED = ("/login", "/logout", "/account", "/settings/staff", "/static")
PATH_VALUES = {"kind": "absence", "channel": "sms", "language": "fr"}
BOUNDED = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def panel_routes(app: web.Application) -> list[tuple[str, str]]:
    """Every (method, path template) of the panel, but the ones spared."""
    found = []
    for resource in app.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter") or ""
        if path.startswith(("/api", "/hooks", "/healthz", "/metrics")) or path.startswith(SPARED):
            continue
        if any(spared in path for spared in SPARED):
            continue
        found += [(route.method, path) for route in resource if route.method in {"GET", "POST"}]
    return sorted(set(found))


ids = st.sampled_from(["1", "2", "3", HUGE, str(MAX_ID + 1), "x" * 300])
TOKENS: WeakKeyDictionary[Any, str] = WeakKeyDictionary()  # the admin's CSRF token, by client


def panel_request(data: st.DataObject, routes: list[tuple[str, str]]) -> tuple[str, str, dict]:
    """One request to one panel route, its query string or form filled with values."""
    method, template = data.draw(st.sampled_from(routes))

    def fill(found: re.Match[str]) -> str:
        name = found.group(1)
        if name == "uai":
            return UAI_A
        return PATH_VALUES.get(name) or data.draw(ids)

    path = re.sub(r"\{(\w+)(?::[^}]*)?\}", fill, template)
    names = FORM_NAMES if method == "POST" else QUERY_NAMES
    fields = data.draw(st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=4))
    return method, path, fields


@BOUNDED
@given(data=st.data())
async def test_no_panel_route_answers_a_5xx_to_bad_input(api: Api, data: st.DataObject) -> None:
    if api.client not in TOKENS:  # one login per run
        TOKENS[api.client] = await admin(api)
    routes = panel_routes(api.client.app)
    assert len(routes) > 40  # the panel's routes were found
    method, path, fields = panel_request(data, routes)
    if method == "GET":
        response = await api.client.get(path, params=fields, allow_redirects=False)
    else:
        form = {**fields, "csrf": TOKENS[api.client]}
        response = await api.client.post(path, data=form, allow_redirects=False)
    page = (await response.read()).decode("utf-8", "replace")  # an export may be XLSX
    unavailable = response.status == 503  # a process without the letters' files
    assert response.status < 500 or unavailable, (method, path, fields, response.status)
    assert "Traceback" not in page
    if response.status == 400 and response.content_type == "text/html":
        assert in_the_layout(page), (method, path, fields, page[-500:])
