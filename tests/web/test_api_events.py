"""Events through the API: record, list and filter, correct, mark as entered by mistake."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.models import AuditEntry, Event
from tests.web.conftest import MONDAY, UAI_A, Api, at

EVENTS = f"/schools/{UAI_A}/events"
TUESDAY, THURSDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=3)


def absence(api: Api, student: str = "marie", **changes: Any) -> dict[str, Any]:
    body = {
        "student_id": api.sid(student),
        "kind": "absence",
        "start": at(MONDAY, 8).isoformat(),
        "end": at(MONDAY, 10).isoformat(),
    }
    return {**body, **changes}


async def record(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    status, event = await api.call("POST", EVENTS, json=body)
    assert status == 201, event
    return dict(event)


async def audit_actions(event_id: int) -> list[str]:
    rows = await AuditEntry.filter(entity="event", entity_id=str(event_id)).order_by("id")
    return [row.action for row in rows]


async def test_it_records_an_absence(api: Api) -> None:
    event = await record(api, absence(api, start="2026-03-02T07:00:00Z", comment="seen at 8"))
    assert event == {
        "id": event["id"],
        "student_id": api.sid("marie"),
        "kind": "absence",
        "start": "2026-03-02T08:00:00+01:00",  # shown in the school's zone
        "end": "2026-03-02T10:00:00+01:00",
        "reason": None,
        "accepted": None,
        "settled": False,
        "justification": None,
        "counts": True,
        "comment": "seen at 8",
        "source": "api",
        "recorded_by": "cpe@a.example.org",
        "recorded_at": event["recorded_at"],
        "deleted": False,
        "version": 1,
    }
    assert event["recorded_at"].endswith("+01:00")
    stored = await Event.get(id=event["id"])
    assert stored.recorded_from == "127.0.0.1"
    assert await audit_actions(event["id"]) == ["event.record"]


async def test_a_reason_gives_the_starting_states(api: Api) -> None:
    late = {"student_id": api.sid("leo"), "kind": "lateness", "start": at(MONDAY, 8, 5).isoformat()}
    event = await record(api, {**late, "reason": "TRANSPORT"})
    assert (event["kind"], event["reason"], event["accepted"], event["end"]) == (
        "lateness",
        "TRANSPORT",
        True,
        None,
    )
    status, body = await api.call("POST", EVENTS, json=late)
    assert (status, body["error"]["code"]) == (409, "overlap")


async def test_an_overlapping_absence_is_a_conflict(api: Api) -> None:
    await record(api, absence(api))
    later = absence(api, start=at(MONDAY, 9).isoformat(), end=at(MONDAY, 11).isoformat())
    status, body = await api.call("POST", EVENTS, json=later)
    assert (status, body["error"]["code"]) == (409, "overlap")
    await record(api, absence(api, "leo"))  # another student: no conflict


async def test_an_invalid_body_is_refused_with_the_first_problem(api: Api) -> None:
    sunday = MONDAY - timedelta(days=1)
    for changes, words, code in [
        ({"end": at(MONDAY, 7).isoformat()}, "end must come after", "end_before_start"),
        ({"start": "2026-03-02T08:00:00"}, "start:", "invalid"),
        ({"reason": "NOPE"}, "unknown reason", "reason_unknown"),
        ({"colour": "red"}, "colour:", "invalid"),
        ({"kind": "party"}, "kind:", "invalid"),
        ({"student_id": "x"}, "student_id:", "invalid"),
        (
            {"start": at(sunday, 8).isoformat(), "end": at(sunday, 10).isoformat()},
            "no lesson",
            "no_lesson",
        ),
    ]:
        status, body = await api.call("POST", EVENTS, json=absence(api, **changes))
        assert (status, body["error"]["code"]) == (422, code), changes
        assert words in body["error"]["message"], body
    body_without_student = absence(api)
    del body_without_student["student_id"]
    not_events: list[object] = [body_without_student, [], "absence"]
    for not_event in not_events:
        status, _ = await api.call("POST", EVENTS, json=not_event)
        assert status == 422, not_event
    assert await Event.filter(school__uai=UAI_A).count() == 0


async def test_malformed_json_is_a_bad_request(api: Api) -> None:
    event = await record(api, absence(api))
    json_header = {"Content-Type": "application/json"}
    for method, path in [("POST", EVENTS), ("PATCH", f"{EVENTS}/{event['id']}")]:
        for data in ("{", "", "{'single': 'quotes'}"):
            status, body = await api.call(method, path, data=data, headers=json_header)
            assert (status, body["error"]["code"]) == (400, "invalid"), (method, data)


async def _five_events(api: Api) -> list[int]:
    bodies = [
        absence(api),
        {"student_id": api.sid("leo"), "kind": "lateness", "start": at(MONDAY, 8, 5).isoformat()},
        # just after midnight in Paris, still Monday in UTC: the day is the school's
        {
            "student_id": api.sid("marie"),
            "kind": "lateness",
            "start": at(TUESDAY, 0, 30).isoformat(),
        },
        absence(api, "ines", start=at(TUESDAY, 14).isoformat(), end=at(TUESDAY, 16).isoformat()),
        absence(api, start=at(THURSDAY, 8).isoformat(), end=None),  # open-ended
    ]
    return [(await record(api, body))["id"] for body in bodies]


async def test_it_lists_events_overlapping_the_days_asked(api: Api) -> None:
    e1, e2, e3, e4, e5 = await _five_events(api)

    async def ids(**params: str) -> list[int]:
        status, body = await api.call("GET", EVENTS, params=params)
        assert status == 200, body
        return [item["id"] for item in body["items"]]

    assert await ids() == [e1, e2, e3, e4, e5]
    assert await ids(student=str(api.sid("marie"))) == [e1, e3, e5]
    assert await ids(division="5B") == [e1, e2, e3, e5]
    assert await ids(kind="lateness") == [e2, e3]
    assert await ids(**{"from": "2026-03-02", "to": "2026-03-02"}) == [e1, e2]
    assert await ids(**{"from": "2026-03-03", "to": "2026-03-03"}) == [e3, e4]
    assert await ids(**{"from": "2026-03-04", "to": "2026-03-04"}) == []
    assert await ids(**{"from": "2026-03-20"}) == [e5]  # still absent
    assert await ids(to="2026-03-01") == []
    status, body = await api.call("GET", EVENTS, params={"limit": "2", "offset": "2"})
    assert ([item["id"] for item in body["items"]], body["total"]) == ([e3, e4], 5)
    for params in (
        {"from": "2026-13-01"},
        {"from": "2026-03-05", "to": "2026-03-04"},
        {"kind": "party"},
        {"student": "abc"},
        {"limit": "abc"},
    ):
        status, body = await api.call("GET", EVENTS, params=params)
        assert (status, body["error"]["code"]) == (400, "invalid"), params


async def test_it_corrects_an_event(api: Api) -> None:
    event = await record(api, absence(api))
    path = f"{EVENTS}/{event['id']}"
    changes = {
        "reason": "MALADIE",
        "accepted": True,
        "settled": True,
        "justification": "CERTIFICAT_MEDICAL",
        "end": at(MONDAY, 11).isoformat(),
    }
    status, corrected = await api.call("PATCH", path, json=changes)
    assert status == 200, corrected
    assert {k: corrected[k] for k in changes} == {**changes, "end": "2026-03-02T11:00:00+01:00"}
    assert corrected["version"] == 2
    changes_and_status: list[tuple[dict[str, Any], int]] = [
        ({"version": 1, "comment": "late"}, 409),
        ({"justification": "NOPE"}, 422),
        ({"colour": "red"}, 422),
        ({"end": at(MONDAY, 7).isoformat()}, 422),
    ]
    for refused, code in changes_and_status:
        status, body = await api.call("PATCH", path, json=refused)
        assert status == code, (refused, body)
    status, shown = await api.call("GET", path)
    assert shown == corrected
    assert await audit_actions(event["id"]) == ["event.record", "event.correct"]


async def test_it_marks_an_event_entered_by_mistake(api: Api) -> None:
    event = await record(api, absence(api))
    path = f"{EVENTS}/{event['id']}"
    status, deleted = await api.call("DELETE", path)
    assert status == 200
    assert (deleted["id"], deleted["deleted"], deleted["version"]) == (event["id"], True, 2)
    status, body = await api.call("GET", EVENTS)
    assert body == {"items": [], "total": 0}
    status, body = await api.call("GET", EVENTS, params={"deleted": "true"})
    assert [item["id"] for item in body["items"]] == [event["id"]]
    for method, code in (("DELETE", "event_already_cancelled"), ("PATCH", "event_cancelled")):
        status, body = await api.call(method, path, json={"comment": "again"})
        assert (status, body["error"]["code"]) == (409, code), method
    assert await audit_actions(event["id"]) == ["event.record", "event.delete"]
    await record(api, absence(api))  # the slot is free again


async def test_an_absence_shorter_than_the_lateness_threshold_is_a_lateness(api: Api) -> None:
    ten_minutes = absence(api, end=at(MONDAY, 8, 10).isoformat())
    event = await record(api, ten_minutes)
    assert (event["kind"], event["end"]) == ("lateness", "2026-03-02T08:10:00+01:00")
    half_hour = absence(api, "leo", end=at(MONDAY, 8, 30).isoformat())  # 30 min by default
    assert (await record(api, half_hour))["kind"] == "absence"
    open_ended = absence(api, "leo", start=at(TUESDAY, 8).isoformat(), end=None)
    assert (await record(api, open_ended))["kind"] == "absence"
    status, body = await api.call(
        "PATCH", f"/schools/{UAI_A}/settings", as_="admin", json={"lateness_threshold_minutes": 5}
    )
    assert status == 200, body
    later = absence(api, start=at(THURSDAY, 8).isoformat(), end=at(THURSDAY, 8, 10).isoformat())
    assert (await record(api, later))["kind"] == "absence"


async def test_a_correction_shortening_an_absence_makes_it_a_lateness(api: Api) -> None:
    event = await record(api, absence(api))
    path = f"{EVENTS}/{event['id']}"
    status, corrected = await api.call("PATCH", path, json={"end": at(MONDAY, 8, 10).isoformat()})
    assert (status, corrected["kind"]) == (200, "lateness")
    status, untouched = await api.call("PATCH", path, json={"comment": "bus"})
    assert (status, untouched["kind"]) == (200, "lateness")
    ill = await record(api, absence(api, "leo", reason="MALADIE"))
    shorter = {"end": at(MONDAY, 8, 10).isoformat()}
    status, body = await api.call("PATCH", f"{EVENTS}/{ill['id']}", json=shorter)
    assert (status, body["error"]["code"]) == (422, "reason_not_for_lateness")
    assert "shorter than 30 minutes" in body["error"]["message"]
    status, body = await api.call(
        "POST",
        EVENTS,
        json=absence(
            api,
            "leo",
            start=at(TUESDAY, 8).isoformat(),
            end=at(TUESDAY, 8, 10).isoformat(),
            reason="MALADIE",
        ),
    )
    assert status == 422 and "not one for lateness" in body["error"]["message"]
    assert (await Event.get(id=ill["id"])).kind == "absence"
