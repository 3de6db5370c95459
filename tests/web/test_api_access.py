"""Who may call what: tokens, schools, roles — and errors that are always JSON."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.queries import lists
from tests.web.conftest import MONDAY, UAI_A, UAI_B, Api, at
from web.api.routes import all_routes

STUDENTS = f"/schools/{UAI_A}/students"


def error_code(body: Any) -> str:
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return str(body["error"]["code"])


async def test_it_refuses_a_request_without_a_token(api: Api) -> None:
    response = await api.client.get("/api/v1" + STUDENTS)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_code(await response.json()) == "unauthorized"
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer   "):
        status, body = await api.call("GET", STUDENTS, as_=None, headers={"Authorization": header})
        assert (status, error_code(body)) == (401, "unauthorized"), header


async def test_it_refuses_an_unknown_token(api: Api) -> None:
    for token in ("abs_not-a-real-token", "something-else", api.tokens["cpe"] + "x"):
        headers = {"Authorization": f"Bearer {token}"}
        status, body = await api.call("GET", STUDENTS, as_=None, headers=headers)
        assert (status, error_code(body)) == (401, "unauthorized")


async def test_a_user_of_another_school_is_forbidden_on_every_route(api: Api) -> None:
    event_id = api.other_event.id if api.other_event else 1
    checked = 0
    for route in all_routes():
        if route.permission is None or "{uai}" not in route.path:
            continue  # public, or of the whole install (each school the caller may see)
        names = {"kind": "absence", "channel": "sms", "language": "fr"}  # a template's path
        path = route.path.format(uai=UAI_A, id=event_id, **names)
        status, body = await api.call(route.method, path, as_="other_cpe", json={})
        assert (status, error_code(body)) == (403, "forbidden"), (route.method, route.path)
        checked += 1
    assert checked >= 7
    status, _ = await api.call("GET", f"/schools/{UAI_B}/students", as_="other_cpe")
    assert status == 200


async def test_roles_without_the_right_are_forbidden(api: Api) -> None:
    new = {"student_id": api.sid("marie"), "kind": "absence", "start": at(MONDAY, 8).isoformat()}
    status, body = await api.call("POST", f"/schools/{UAI_A}/events", as_="teacher", json=new)
    assert (status, error_code(body)) == (403, "forbidden")
    assert "write_events" in body["error"]["message"]
    patch = {"notice_delay_minutes": 5}
    status, body = await api.call(
        "PATCH", f"/schools/{UAI_A}/settings", as_="direction", json=patch
    )
    assert (status, error_code(body)) == (403, "forbidden")
    for persona in ("teacher", "direction"):
        assert (await api.call("GET", STUDENTS, as_=persona))[0] == 200
        assert (await api.call("GET", f"/schools/{UAI_A}/settings", as_=persona))[0] == 200


async def test_an_unknown_school_is_not_found(api: Api) -> None:
    for uai in ("0000000A", "nonsense"):
        status, body = await api.call("GET", f"/schools/{uai}/students")
        assert (status, error_code(body)) == (404, "not_found")


async def test_ids_of_another_school_are_not_found(api: Api) -> None:
    assert api.other_event is not None
    jean, theirs = api.sid("jean"), api.other_event.id
    for method, path in [
        ("GET", f"/schools/{UAI_A}/students/{jean}"),
        ("GET", f"/schools/{UAI_A}/students/999999"),
        ("GET", f"/schools/{UAI_A}/students/abc"),
        ("GET", f"/schools/{UAI_A}/events/{theirs}"),
        ("DELETE", f"/schools/{UAI_A}/events/{theirs}"),
    ]:
        status, body = await api.call(method, path)
        assert (status, error_code(body)) == (404, "not_found"), path
    status, body = await api.call("PATCH", f"/schools/{UAI_A}/events/{theirs}", json={})
    assert status == 404
    new = {"student_id": jean, "kind": "absence", "start": at(MONDAY, 8).isoformat()}
    status, body = await api.call("POST", f"/schools/{UAI_A}/events", json=new)
    assert (status, error_code(body)) == (404, "not_found")
    assert "Autre" not in body["error"]["message"]


async def test_unknown_paths_and_methods_answer_json(app_client: TestClient[Any, Any]) -> None:
    response = await app_client.get("/api/v1/nothing-here")
    assert response.status == 404
    assert error_code(await response.json()) == "not_found"
    response = await app_client.put(f"/api/v1/schools/{UAI_A}/settings")
    assert response.status == 405
    assert "PATCH" in response.headers["Allow"]
    assert error_code(await response.json()) == "method_not_allowed"


async def test_an_unexpected_error_is_a_logged_json_500(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("a bug with a secret inside")

    monkeypatch.setattr(lists, "student_page", broken)
    with caplog.at_level(logging.ERROR, logger="absences.api"):
        status, body = await api.call("GET", STUDENTS)
    assert (status, error_code(body)) == (500, "internal")
    assert "secret" not in body["error"]["message"]
    assert any(r.exc_info and "a bug with a secret" in str(r.exc_info[1]) for r in caplog.records)
