"""Bad input to the API is a clear 4xx with the error body, never a 500: the probe's cases.

Integers past their 32-bit columns, days outside the window of ``core.bounds``, texts longer
than their column, a school code longer than a UAI, deeply nested or non-UTF-8 JSON bodies.
"""

from __future__ import annotations

from typing import Any

from core.bounds import FIRST_DAY, LAST_DAY, MAX_ID
from tests.web.conftest import MONDAY, UAI_A, Api, at
from web.bodies import MAX_JSON_BYTES, MAX_JSON_DEPTH

HUGE = 2**63
EVENTS = f"/schools/{UAI_A}/events"


def refused(status: int, body: Any, expected: int) -> bool:
    """The answer is ``expected`` with ``{"error": {"code", "message"}}`` (both strings)."""
    error = body.get("error") if isinstance(body, dict) else None
    return (
        status == expected
        and isinstance(error, dict)
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
        and error["message"] != ""
    )


BAD_QUERIES = [
    {"offset": str(HUGE)},
    {"limit": str(HUGE)},
    {"offset": "1000001"},
    {"student": str(HUGE)},
    {"student": str(MAX_ID + 1)},
    {"division": "x" * 5000},
    {"from": "0001-01-01"},
    {"to": "9999-12-31"},
    {"from": str(FIRST_DAY.replace(year=1999))},
    {"from": "2026-13-45"},
]


async def test_a_query_out_of_bounds_is_a_400(api: Api) -> None:
    for query in BAD_QUERIES:
        status, body = await api.call("GET", EVENTS, params=query)
        assert refused(status, body, 400), (query, status, body)


async def test_the_bounds_of_the_window_themselves_are_accepted(api: Api) -> None:
    query = {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()}
    status, body = await api.call("GET", EVENTS, params=query)
    assert status == 200 and body["total"] == 0


IMPOSSIBLE = [
    f"/schools/{UAI_A}/students/{HUGE}",
    f"/schools/{UAI_A}/students/{MAX_ID + 1}",
    f"/schools/{UAI_A}/events/{10**30}",
    f"/schools/{'0751234X' * 10}/students",
    f"/schools/{'X' * 5000}/events",
    "/schools/0751%00X/students",
]


async def test_an_id_or_a_school_code_that_cannot_exist_is_not_found(api: Api) -> None:
    for path in IMPOSSIBLE:
        status, body = await api.call("GET", path)
        assert refused(status, body, 404), (path, status, body)


def absence(api: Api, **changes: Any) -> dict[str, Any]:
    body = {
        "student_id": api.sid("marie"),
        "kind": "absence",
        "start": at(MONDAY, 8).isoformat(),
        "end": at(MONDAY, 10).isoformat(),
    }
    return {**body, **changes}


BAD_EVENTS = [
    {"student_id": HUGE},
    {"student_id": MAX_ID + 1},
    {"start": "9999-12-31T23:00+01:00", "end": None},
    {"start": "0001-01-01T00:00:00+00:00"},
    {"end": "9999-12-31T23:59:59-01:00"},
    {"reason": "M" * 31},
    {"comment": "x" * 5000},
]


async def test_a_new_event_out_of_bounds_is_a_422(api: Api) -> None:
    for changes in BAD_EVENTS:
        status, body = await api.call("POST", EVENTS, json=absence(api, **changes))
        assert refused(status, body, 422), (changes, status, body)


BAD_CORRECTIONS = [
    {"start": "9999-12-31T23:00+01:00"},
    {"end": "0001-01-01T00:00:00"},
    {"version": HUGE},
    {"reason": "x" * 31},
    {"justification": "x" * 5000},
]


async def test_a_correction_out_of_bounds_is_a_422(api: Api) -> None:
    status, event = await api.call("POST", EVENTS, json=absence(api))
    assert status == 201, event
    for changes in BAD_CORRECTIONS:
        status, body = await api.call("PATCH", f"{EVENTS}/{event['id']}", json=changes)
        assert refused(status, body, 422), (changes, status, body)


async def test_a_quota_out_of_bounds_is_a_422(api: Api) -> None:
    for quota in ("sms_monthly_quota", "call_monthly_quota"):
        status, body = await api.call(
            "PATCH", f"/schools/{UAI_A}/settings", as_="admin", json={quota: HUGE}
        )
        assert refused(status, body, 422), body


async def test_letter_marks_out_of_bounds_are_refused(api: Api) -> None:
    marks = {"deliveries": [HUGE], "mark": "printed"}
    status, body = await api.call("POST", f"/schools/{UAI_A}/letters/marks", json=marks)
    assert refused(status, body, 422), body
    query = {"deliveries": f"1,{MAX_ID + 1}"}
    status, body = await api.call("GET", f"/schools/{UAI_A}/letters.pdf", params=query)
    assert refused(status, body, 400), body


def nested(levels: int) -> str:
    return '{"student_id":' * (levels - 1) + "[1]" + "}" * (levels - 1)


async def test_json_nested_too_deep_is_a_400_and_within_the_limit_is_judged_by_its_model(
    api: Api,
) -> None:
    headers = {"Content-Type": "application/json"}
    for levels in (MAX_JSON_DEPTH + 1, 100_000):
        status, body = await api.call("POST", EVENTS, data=nested(levels), headers=headers)
        assert refused(status, body, 400), body
        assert "nested" in body["error"]["message"]
    status, body = await api.call("POST", EVENTS, data=nested(MAX_JSON_DEPTH), headers=headers)
    assert refused(status, body, 422), body


async def test_a_body_that_is_not_utf8_is_a_400(api: Api) -> None:
    raw = b'{"student_id": 1, "comment": "\xff\xfe caf\xe9"}'
    status, body = await api.call(
        "POST", EVENTS, data=raw, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert refused(status, body, 400), body
    assert "UTF-8" in body["error"]["message"]


async def test_a_body_too_large_is_a_413(api: Api) -> None:
    raw = b'{"comment": "' + b"x" * MAX_JSON_BYTES + b'"}'
    status, body = await api.call(
        "POST", EVENTS, data=raw, headers={"Content-Type": "application/json"}
    )
    assert refused(status, body, 413), body


NUL = [
    ("POST", EVENTS, {"json": {"comment": "a\x00b"}}),
    ("POST", EVENTS, {"json": {"a\x00": 1}}),
    ("GET", f"/schools/{UAI_A}/students", {"params": {"q": "a\x00"}}),
    ("GET", f"/schools/{UAI_A}/students", {"params": {"division": "\x00"}}),
]


async def test_a_nul_character_is_a_400(api: Api) -> None:
    for method, path, extra in NUL:
        status, body = await api.call(method, path, **extra)
        assert refused(status, body, 400), body
        assert "NUL" in body["error"]["message"]
